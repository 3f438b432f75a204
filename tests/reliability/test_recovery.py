"""Self-healing without Rasa: the supervisor's restarts and crash-loop stop, and the gateway's
"系统正在恢复" answers and /health while a part is down (real sockets, fake parts)."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Iterator, List

import httpx
import pytest

from bot.settings import Settings, get_settings
from bot.stack.single_node import Child, RestartPolicy, Stack, StackError
from tests.support.fake_rasa import FakeRasa

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
CRASHER = [sys.executable, "-c", "import sys; sys.exit(3)"]


def supervised(tmp_path: Path, argv: List[str], policy: RestartPolicy) -> Stack:
    stack = Stack(Settings(data_dir=tmp_path, gateway_port=1), restart=policy)
    stack.children = [Child("part", "测试进程", argv, ready_url="")]
    for child in stack.children:
        stack._spawn(child)
    stack.start_supervisor()
    return stack


def wait_for(condition, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RestartPolicy(first_delay_s=0.5, max_delay_s=30.0)
    assert [policy.delay(n) for n in range(1, 9)] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_a_killed_child_is_restarted_and_the_stack_keeps_running(tmp_path) -> None:
    stack = supervised(tmp_path, SLEEPER, RestartPolicy(first_delay_s=0.1, stable_s=60.0, max_crashes=5))
    try:
        child = stack.children[0]
        first = child.process
        os.killpg(first.pid, signal.SIGKILL)
        assert wait_for(lambda: child.process is not first and child.process.poll() is None, 10.0)
        assert child.restarts == 1 and stack.failure is None
        stack.raise_if_failed()  # nothing to report: the stack healed
    finally:
        stack.stop()
    assert stack.alive() == []


def test_a_crash_loop_stops_with_the_reason(tmp_path) -> None:
    stack = supervised(tmp_path, CRASHER, RestartPolicy(first_delay_s=0.05, stable_s=60.0, max_crashes=3))
    try:
        assert wait_for(lambda: stack.failure is not None, 10.0)
        with pytest.raises(StackError, match="测试进程 反复崩溃（连续 3 次.*退出码 3"):
            stack.raise_if_failed()
        assert stack.children[0].restarts == 2
    finally:
        stack.stop()


# ---- the gateway while a part is down ---------------------------------------------------


@pytest.fixture
def rasa_without_actions() -> Iterator[str]:
    """A Rasa whose action server died: /status is fine, every turn answers nothing."""
    server = FakeRasa(responder=lambda body: [], model_file="current.tar.gz").start()
    yield server.url
    server.stop()


@pytest.fixture
def gateway(rasa_without_actions, monkeypatch, tmp_path) -> Iterator[httpx.AsyncClient]:
    from bot.gateway import parts

    monkeypatch.setenv("POLICYBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("POLICYBOT_RASA_URLS", json.dumps([rasa_without_actions, "http://127.0.0.1:9"]))
    monkeypatch.setenv("POLICYBOT_ACTION_URLS", json.dumps(["http://127.0.0.1:9"]))  # discard port: refused
    monkeypatch.setenv("POLICYBOT_RATE_LIMIT_ENABLED", "false")
    get_settings.cache_clear()
    monkeypatch.setattr(parts, "_cached", (0.0, None))
    monkeypatch.setattr(parts, "_last_down", (-1e18, []))
    from bot.gateway import deps
    from bot.gateway.app import create_app

    monkeypatch.setattr(deps, "_rasa_client", None)
    app = create_app()
    yield httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")
    get_settings.cache_clear()


async def test_chat_says_the_system_is_recovering_while_the_action_server_is_down(gateway) -> None:
    async with gateway as client:
        reply = await client.post("/api/chat", json={"sender": "u-down", "message": "你好"})
    assert reply.status_code == 503
    assert reply.json() == [{"recipient_id": "u-down", "text": "系统正在恢复，请稍后再试。"}]


async def test_health_names_the_parts_that_are_down(gateway, rasa_without_actions) -> None:
    async with gateway as client:
        reply = await client.get("/health")
    assert reply.status_code == 503
    body = reply.json()
    assert body["action_server"] == "down" and body["rasa"] == "down" and body["knowledge_base"] == "ok"
    assert body["down"] == ["Rasa http://127.0.0.1:9", "动作服务器 http://127.0.0.1:9"]
    assert body["message"].startswith("系统正在恢复：Rasa http://127.0.0.1:9、动作服务器")


async def test_rasa_down_everywhere_is_a_recovering_503_with_a_body(monkeypatch) -> None:
    from bot.gateway.conversation import converse
    from bot.gateway.rasa_client import RasaClient, RasaUnavailable

    dead = RasaClient(["http://127.0.0.1:9"], timeout_s=2.0)
    with pytest.raises(RasaUnavailable):
        await converse(dead, "u-x", "你好")
    await dead.aclose()


async def test_an_empty_answer_just_after_a_part_came_back_still_says_recovering(monkeypatch) -> None:
    """The turn's action call failed while the action server was down; by the time Rasa
    answers (nothing), the server is back up. A part seen down moments ago still counts."""
    import time as clock

    from bot.gateway import parts

    up = parts.PartsState({"http://r": True}, {"http://a": True}, True)

    async def probe(endpoints, settings=None):
        return up

    monkeypatch.setattr(parts, "probe", probe)
    monkeypatch.setattr(parts, "_cached", (0.0, None))
    monkeypatch.setattr(parts, "_last_down", (clock.monotonic() - 3.0, ["动作服务器 http://a"]))
    assert await parts.down_parts(["http://r"]) == ["动作服务器 http://a"]
    monkeypatch.setattr(parts, "_cached", (0.0, None))
    monkeypatch.setattr(parts, "_last_down", (clock.monotonic() - parts.RECENT_S - 1, ["动作服务器 http://a"]))
    assert await parts.down_parts(["http://r"]) == []
