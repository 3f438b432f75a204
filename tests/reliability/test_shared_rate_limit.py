"""Two gateways share one rate limit when the buckets live in the cluster's Redis (real Redis).

Each gateway is the real ``GatewayGuard`` in front of a stand-in app, with its own limiter
objects: all they share is Redis. In memory (the single-node default) each grants its own
burst, so two gateways let twice as much through.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import httpx
import pytest

from bot.gateway import limits
from bot.gateway.middleware import GatewayGuard
from bot.settings import Settings

pytestmark = [pytest.mark.cluster]

BURST = 5


async def ok_app(scope: Dict[str, Any], receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"[]"})


def gateway_settings(services: Dict[str, str], backend: str, **extra: Any) -> Settings:
    return Settings(
        rate_limit_backend=backend, sender_burst=BURST, sender_rate_per_min=1.0, ip_burst=BURST, ip_rate_per_min=1.0,
        redis_host=services["POLICYBOT_TEST_REDIS_HOST"], redis_port=int(services["POLICYBOT_TEST_REDIS_PORT"]),
        redis_password=services["POLICYBOT_TEST_REDIS_PASSWORD"], **extra,
    )


def clients(settings: Settings, count: int = 2) -> List[httpx.AsyncClient]:
    return [httpx.AsyncClient(transport=httpx.ASGITransport(app=GatewayGuard(ok_app, settings)),
                              base_url="http://gateway") for _ in range(count)]


async def statuses(gateways: List[httpx.AsyncClient], sender: str, messages: int) -> List[int]:
    got = []
    for i in range(messages):
        reply = await gateways[i % len(gateways)].post("/api/chat", json={"sender": sender, "message": "你好"})
        got.append(reply.status_code)
    return got


@pytest.fixture(autouse=True)
def fresh_redis_clients():
    limits._redis_clients.clear()  # one client per test's event loop
    yield
    limits._redis_clients.clear()


async def test_two_gateways_share_one_per_sender_limit_in_redis(services) -> None:
    gateways = clients(gateway_settings(services, "redis"))
    got = await statuses(gateways, f"shared-{uuid.uuid4().hex[:8]}", 2 * BURST)
    assert got.count(200) == BURST and got.count(429) == BURST, got
    other = await gateways[1].post("/api/chat", json={"sender": f"other-{uuid.uuid4().hex[:8]}", "message": "你好"})
    assert other.status_code == 200  # another sender has its own bucket
    for client in gateways:
        await client.aclose()


async def test_in_memory_each_gateway_grants_its_own_burst(services) -> None:
    gateways = clients(gateway_settings(services, "memory"))
    got = await statuses(gateways, f"split-{uuid.uuid4().hex[:8]}", 2 * BURST)
    assert got.count(200) == 2 * BURST, got


async def test_the_per_ip_limit_is_shared_too(services) -> None:
    settings = gateway_settings(services, "redis", trusted_proxies=["127.0.0.1"])
    gateways = clients(settings)
    ip = f"203.0.113.{uuid.uuid4().int % 200 + 1}"
    got = []
    for i in range(2 * BURST):
        reply = await gateways[i % 2].get("/api/search", headers={"x-forwarded-for": ip})
        got.append(reply.status_code)
    assert got.count(429) == BURST, got
    assert "请求过于频繁" in (await gateways[0].get("/api/search", headers={"x-forwarded-for": ip})).json()["detail"]


async def test_redis_down_lets_requests_through(services) -> None:
    settings = gateway_settings(services, "redis").copy(update={"redis_port": 9})  # nothing listens there
    (gateway,) = clients(settings, 1)
    got = await statuses([gateway], "nobody-home", 2 * BURST)
    assert got == [200] * (2 * BURST)
