"""Exactly-once turns without Rasa: message ids, the stored answer, the clients' retries."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import httpx
import pytest
import sqlalchemy as sa

from bot.gateway.cluster_rasa_client import HealthCheckedRasaClient
from bot.gateway.rasa_client import RasaClient
from bot.gateway.turns import StoredTurns, replies_of, with_message_id


@pytest.fixture
def tracker(tmp_path) -> StoredTurns:
    """A tracker store's events table, as Rasa and bot.rasa.tracker_store write it."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT,"
                             " timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)"))
        rows = [
            ("u1", "user", {"event": "user", "text": "你好", "message_id": "rasa-1",
                            "metadata": {"message_id": "gw-0001"}}),
            ("u1", "action", {"event": "action", "name": "utter_greet"}),
            ("u1", "bot", {"event": "bot", "text": "您好！", "data": {"buttons": [{"title": "奖励", "payload": "/a"}]}}),
            ("u1", "bot", {"event": "bot", "text": "还有什么？", "data": {}}),
            ("u1", "user", {"event": "user", "text": "谢谢", "metadata": {"message_id": "m_2"}}),
            ("u1", "bot", {"event": "bot", "text": "不客气", "data": {}}),
        ]
        for sender, kind, data in rows:
            conn.execute(sa.text("INSERT INTO events (sender_id, type_name, data) VALUES (:s, :t, :d)"),
                         {"s": sender, "t": kind, "d": json.dumps(data)})
    return StoredTurns(url)


def test_the_stored_answer_is_the_bot_events_up_to_the_next_user_message(tracker) -> None:
    assert tracker.answer("u1", "gw-0001") == [
        {"recipient_id": "u1", "text": "您好！", "buttons": [{"title": "奖励", "payload": "/a"}]},
        {"recipient_id": "u1", "text": "还有什么？"},
    ]
    assert tracker.answer("u1", "m_2") == [{"recipient_id": "u1", "text": "不客气"}]
    assert tracker.answer("u1", "m%2") is None and tracker.answer("u1", "m-2") is None  # no wildcards
    assert tracker.answer("u2", "gw-0001") is None  # another sender's id


def test_a_message_gets_a_gateway_id_unless_it_has_one() -> None:
    assert with_message_id({"channel": "wechat"}, "wechat:msg:1") == {"channel": "wechat", "message_id": "wechat:msg:1"}
    assert with_message_id(None, None)["message_id"].startswith("gw-")
    assert replies_of("u", [{"event": "bot", "text": None, "data": {}}]) == []


def _transport(calls: List[Dict[str, Any]], fail_first: bool):
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        if fail_first and len(calls) == 1:
            raise httpx.RemoteProtocolError("server died with the request", request=request)
        return httpx.Response(200, json=[{"recipient_id": "u1", "text": "重新运行"}])

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("make", [
    lambda turns: RasaClient(["http://a", "http://b"], turns=turns),
    lambda turns: HealthCheckedRasaClient(["http://a", "http://b"], turns=turns),
])
async def test_a_retry_after_the_server_died_returns_the_stored_answer(tracker, make) -> None:
    client = make(tracker)
    calls: List[Dict[str, Any]] = []
    client._http = httpx.AsyncClient(transport=_transport(calls, fail_first=True))
    # The first server stored the turn (its id assigned by the gateway), then died before answering.
    replies = await client.send("u1", "你好", {"message_id": "gw-0001"})
    assert [r["text"] for r in replies] == ["您好！", "还有什么？"]
    assert len(calls) == 1  # not sent to the second server
    # A message it had not stored runs on the next server.
    calls.clear()
    assert (await client.send("u1", "新问题"))[0]["text"] == "重新运行"
    assert len(calls) == 2 and calls[0]["metadata"]["message_id"].startswith("gw-")


async def test_a_client_resending_its_message_id_gets_the_stored_answer_without_a_turn(tracker) -> None:
    client = RasaClient(["http://a"], turns=tracker)
    calls: List[Dict[str, Any]] = []
    client._http = httpx.AsyncClient(transport=_transport(calls, fail_first=False))
    assert (await client.send("u1", "谢谢", {"message_id": "m_2"})) == [{"recipient_id": "u1", "text": "不客气"}]
    assert calls == []
