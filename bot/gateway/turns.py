"""Exactly-once turns: every incoming message carries an id into the tracker store, and a
message whose id is already stored is answered from the store instead of running again.

The id is WeChat's MsgId (``msg:<MsgId>``, events ``evt:<user>:<CreateTime>``), the
``message_id`` a web client sends, or one the gateway assigns (``gw-<uuid>``). It travels as
``metadata.message_id`` of the user message, which Rasa stores with the ``user`` event. Rasa
saves a turn only once it is complete (after its last action), so a stored user event means
a finished turn; its answer is the ``bot`` events after it, up to the next user event.

When is the store asked? Whenever the same message may come a second time: a retry after
the Rasa server died with the request (`bot.gateway.cluster_rasa_client`, `RasaClient`), and any message whose
id came from outside (a client that resends, WeChat delivering to another gateway). A
message with a fresh gateway id on its first attempt cannot be stored yet: no look-up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
import sqlalchemy.exc

logger = logging.getLogger(__name__)

METADATA_KEY = "message_id"
GATEWAY_PREFIX = "gw-"
Reply = Dict[str, Any]


def new_message_id() -> str:
    """An id the gateway assigns to a message that came without one."""
    return GATEWAY_PREFIX + uuid.uuid4().hex


def with_message_id(metadata: Optional[Dict[str, Any]], message_id: Optional[str]) -> Dict[str, Any]:
    """``metadata`` carrying ``message_id`` (a new gateway id when None), e.g.
    ``with_message_id({"channel": "wechat"}, "msg:42")`` → ``{"channel": "wechat", "message_id": "msg:42"}``."""
    return {**(metadata or {}), METADATA_KEY: message_id or new_message_id()}


def message_id_of(metadata: Optional[Dict[str, Any]]) -> Optional[str]:
    value = (metadata or {}).get(METADATA_KEY)
    return value if isinstance(value, str) and value else None


def replies_of(sender: str, bot_events: List[Dict[str, Any]]) -> List[Reply]:
    """Stored ``bot`` events in the REST channel's reply shape."""
    replies = []
    for event in bot_events:
        reply: Reply = {"recipient_id": sender}
        if event.get("text"):
            reply["text"] = event["text"]
        data = event.get("data") or {}
        for key in ("buttons", "image", "attachment", "custom"):  # what Rasa's REST channel returns
            if data.get(key):
                reply[key] = data[key]
        if len(reply) > 1:
            replies.append(reply)
    return replies


class StoredTurns:
    """Reads finished turns from the tracker store's ``events`` table (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, pool_pre_ping=True)
        self._events = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
                                sa.column("data"))

    def answer(self, sender: str, message_id: str) -> Optional[List[Reply]]:
        """The stored answer to ``message_id`` of ``sender``, or None when it is not stored."""
        events = self._events
        needle = json.dumps({METADATA_KEY: message_id})[1:-1]  # '"message_id": "…"', as stored
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        try:
            with self.engine.connect() as conn:
                user_id = conn.execute(
                    sa.select(events.c.id).where(events.c.sender_id == sender, events.c.type_name == "user",
                                                 events.c.data.like(pattern, escape="\\"))
                    .order_by(events.c.id.desc()).limit(1)).scalar()
                if user_id is None:
                    return None
                rows = conn.execute(
                    sa.select(events.c.type_name, events.c.data).where(
                        events.c.sender_id == sender, events.c.id > user_id,
                        events.c.type_name.in_(("bot", "user"))).order_by(events.c.id)).all()
        except sqlalchemy.exc.SQLAlchemyError as error:  # e.g. no events table yet
            logger.warning("tracker store not readable for exactly-once check: %s", error)
            return None
        bot_events = []
        for row in rows:
            if row.type_name == "user":
                break
            bot_events.append(json.loads(row.data))
        return replies_of(sender, bot_events)

    async def answer_async(self, sender: str, message_id: str) -> Optional[List[Reply]]:
        return await asyncio.to_thread(self.answer, sender, message_id)


_stores: Dict[str, StoredTurns] = {}


def stored_turns(url: str) -> StoredTurns:
    """One reader per tracker store URL."""
    if url not in _stores:
        _stores[url] = StoredTurns(url)
    return _stores[url]
