"""The helpdesk is an add-on to a chat turn: a ticket store that fails does not stop the answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import SQLAlchemyError

from bot.gateway.app import create_app
from bot.gateway.conversation import converse
from bot.gateway.deps import get_rasa_client
from bot.gateway.rasa_client import RasaClient
from bot.helpdesk.store import default_store
from bot.settings import Settings, get_settings

ANSWER = "您好！我是技改政策助手。"


class AnsweringRasa(RasaClient):
    """Stands in for Rasa: every message gets the same greeting."""

    def __init__(self) -> None:
        super().__init__(["http://127.0.0.1:9"])

    async def send(self, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        return [{"recipient_id": sender, "text": ANSWER}]


@pytest.fixture()
def broken_ticket_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real ticket store's settings point at a file that is not a database."""
    garbage = tmp_path / "helpdesk.sqlite"
    garbage.write_bytes(b"not a database, " * 512)
    monkeypatch.setenv("POLICYBOT_TICKET_STORE_URL", f"sqlite:///{garbage}")
    get_settings.cache_clear()
    yield garbage
    get_settings.cache_clear()


def test_the_ticket_store_really_is_broken(broken_ticket_store: Path) -> None:
    with pytest.raises(SQLAlchemyError):
        default_store()


async def test_a_broken_ticket_store_still_gets_the_bots_answer(broken_ticket_store: Path) -> None:
    replies = await converse(AnsweringRasa(), "u-broken-store", "你好")
    assert replies == [{"recipient_id": "u-broken-store", "text": ANSWER}]


def test_the_chat_api_answers_while_the_ticket_store_is_broken(broken_ticket_store: Path) -> None:
    app = create_app(Settings(rate_limit_enabled=False))
    rasa = AnsweringRasa()
    app.dependency_overrides[get_rasa_client] = lambda: rasa
    with TestClient(app, raise_server_exceptions=False) as client:
        reply = client.post("/api/chat", json={"sender": "u-broken-store-http", "message": "你好"})
    assert reply.status_code == 200
    assert reply.json() == [{"recipient_id": "u-broken-store-http", "text": ANSWER}]
