"""The gateway's aiohttp client keeps httpx's surface, against a real local HTTP server."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from aiohttp import web

from bot.dev.ports import free_port
from bot.gateway.json_http import JSONClient


async def echo(request: web.Request) -> web.Response:
    return web.json_response({"got": await request.json(), "method": request.method})


async def fail(request: web.Request) -> web.Response:
    return web.json_response({"error": "坏了"}, status=503)


async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(2)
    return web.json_response({})


async def hang_up(request: web.Request) -> web.Response:
    request.transport.close()  # the server dies with the request
    await asyncio.sleep(0.2)
    return web.json_response({})


async def with_server(check):
    app = web.Application()
    app.add_routes([web.post("/echo", echo), web.get("/fail", fail), web.post("/slow", slow),
                    web.post("/hang-up", hang_up)])
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    client = JSONClient(timeout_s=0.5)
    try:
        return await check(client, f"http://127.0.0.1:{port}")
    finally:
        await client.aclose()
        await runner.cleanup()


def test_a_post_sends_and_reads_json():
    async def check(client, base):
        reply = await client.post(f"{base}/echo", json={"sender": "u1", "message": "六安奖励多少"})
        reply.raise_for_status()
        return reply.status_code, reply.json()

    assert asyncio.run(with_server(check)) == (200, {"got": {"sender": "u1", "message": "六安奖励多少"},
                                                     "method": "POST"})


def test_an_error_answer_raises_httpx_status_error():
    async def check(client, base):
        reply = await client.get(f"{base}/fail")
        assert reply.status_code == 503
        with pytest.raises(httpx.HTTPStatusError) as raised:
            reply.raise_for_status()
        return raised.value.response.status_code, raised.value.response.json()

    assert asyncio.run(with_server(check)) == (503, {"error": "坏了"})


def test_a_refused_connection_is_httpx_connect_error():
    async def check(client, base):
        with pytest.raises(httpx.ConnectError):
            await client.post(f"http://127.0.0.1:{free_port()}/echo", json={})
        return True

    assert asyncio.run(with_server(check))


def test_a_dropped_request_and_a_timeout_are_httpx_errors():
    async def check(client, base):
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await client.post(f"{base}/hang-up", json={})
        with pytest.raises(httpx.ReadTimeout):
            await client.post(f"{base}/slow", json={})
        return True

    assert asyncio.run(with_server(check))


def test_a_new_event_loop_gets_a_new_session():
    client = JSONClient()

    async def session_of():
        return client._session_for_this_loop()

    first = asyncio.run(session_of())
    second = asyncio.run(session_of())
    assert first is not second
