"""The gateway keeps each conversation on one Rasa process (single node: locks are per process)."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.gateway.rasa_client import RasaClient, RasaUnavailable

SERVERS = ["http://127.0.0.1:5005", "http://127.0.0.1:5006"]


def client_recording(calls: list, refuse: tuple = ()) -> RasaClient:
    def handler(request: httpx.Request) -> httpx.Response:
        base = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
        if base in refuse:
            raise httpx.ConnectError("refused", request=request)
        sender = json.loads(request.content)["sender"]
        calls.append((sender, base))
        return httpx.Response(200, json=[{"recipient_id": sender, "text": "好的"}])

    client = RasaClient(SERVERS)
    client._http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return client


async def homes_after(client: RasaClient, calls: list, senders: list, rounds: int) -> dict:
    """Each sender's servers after `rounds` turns of every sender; one each, or the test fails."""
    for _ in range(rounds):
        for sender in senders:
            await client.send(sender, "你好")
    homes: dict = {}
    for sender, base in calls:
        homes.setdefault(sender, set()).add(base)
    assert all(len(bases) == 1 for bases in homes.values())
    return homes


async def test_every_turn_of_a_conversation_goes_to_the_same_process() -> None:
    calls: list = []
    client = client_recording(calls)
    senders = [f"user-{i}" for i in range(40)]
    homes = await homes_after(client, calls, senders, rounds=3)
    used = {next(iter(bases)) for bases in homes.values()}
    assert used == set(SERVERS)  # and the conversations are spread over both


async def test_a_refusing_process_is_skipped() -> None:
    calls: list = []
    client = client_recording(calls, refuse=(SERVERS[0],))
    for i in range(10):
        await client.send(f"user-{i}", "你好")
    assert {base for _, base in calls} == {SERVERS[1]} and len(calls) == 10


async def test_no_process_answers() -> None:
    client = client_recording([], refuse=tuple(SERVERS))
    with pytest.raises(RasaUnavailable):
        await client.send("user-1", "你好")


async def test_new_conversations_are_spread_evenly_and_stay_where_they_started() -> None:
    calls: list = []
    client = client_recording(calls)
    homes = await homes_after(client, calls, [f"burst-{i}" for i in range(8)], rounds=5)
    per_server = [sum(1 for bases in homes.values() if base in bases) for base in SERVERS]
    assert per_server == [4, 4]


async def test_a_forgotten_idle_conversation_gets_a_home_again() -> None:
    calls: list = []
    client = client_recording(calls)
    client.HOMES_KEPT = 2
    for sender in ("a", "b", "c"):  # "a" is forgotten when "c" arrives
        await client.send(sender, "你好")
    await client.send("a", "你好")
    assert len(client._homes) == 2 and "a" in client._homes and "b" not in client._homes
