"""The one way into the conversation: Rasa's REST channel, for every channel of the gateway."""

from __future__ import annotations

import itertools
import logging
from collections import OrderedDict
from typing import Any, Dict, List, Optional

import httpx

from bot.gateway import turns as turn_store
from bot.gateway.json_http import JSONClient

logger = logging.getLogger(__name__)

# What every channel tells the user when Rasa timed out or answered with an error.
UNAVAILABLE_TEXT = "抱歉，助手暂时无法回复，请稍后再试。"


class RasaUnavailable(Exception):
    """No Rasa server answered; the channel tells the user to try again."""


class SystemRecovering(RasaUnavailable):
    """A part of the stack is down (the supervisor is restarting it); ``parts`` names it."""

    def __init__(self, parts: List[str]) -> None:
        super().__init__(f"down: {', '.join(parts)}")
        self.parts = parts


# The server is gone (refused, or died with the request): the next one may answer. A timeout
# is not among them: the server may still be working on the turn.
DEAD_SERVER_ERRORS = (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


class RasaClient:
    """Sends a user message to Rasa and returns its replies (REST channel shape).

    With several Rasa servers configured, each conversation always goes to the same one: the
    single-node Rasa processes lock conversations in memory, so two turns of one conversation
    must never reach two processes. A new conversation goes to the next server in turn and
    stays there (the last ``HOMES_KEPT`` conversations are remembered; an idle one forgotten
    may come back to the other process, which is safe: the tracker store is shared and nothing
    of it is in flight). A stable hash of the sender id did the same without memory, but 8
    conversations landed 7 to 1 as often as 4 to 4, halving the throughput of such a burst.
    A server that refuses the connection, or dies with the request, is skipped for that
    request (while the supervisor restarts it, its conversations go to the next one).
    """

    HOMES_KEPT = 100_000

    def __init__(self, endpoints: List[str], timeout_s: float = 30.0,
                 turns: Optional[turn_store.StoredTurns] = None) -> None:
        self.endpoints = endpoints
        self._next = itertools.cycle(range(len(endpoints)))  # round robin, for subclasses
        self._new_conversations = itertools.count()
        self._homes: "OrderedDict[str, int]" = OrderedDict()  # sender → server index
        self._http = JSONClient(timeout_s)  # aiohttp with httpx's surface (bot.gateway.json_http)
        self.turns = turns  # the tracker store, for exactly-once turns (bot.gateway.turns)

    async def send(
        self, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None
    ) -> List[Dict[str, Any]]:
        """Post one message; e.g. ``await client.send("u1", "你好")`` → ``[{"recipient_id": "u1", "text": …}]``.

        The message gets an id (``metadata.message_id``) unless it has one; a message whose id
        is already in the tracker store is answered from there (see `bot.gateway.turns`).
        """
        metadata = turn_store.with_message_id(metadata, turn_store.message_id_of(metadata))
        stored = await self.already_answered(sender, metadata, first_attempt=True)
        if stored is not None:
            return stored
        body = self.request_body(sender, message, metadata)
        start = self.home(sender)
        for offset in range(len(self.endpoints)):
            base = self.endpoints[(start + offset) % len(self.endpoints)]
            try:
                reply = await self._http.post(f"{base}/webhooks/rest/webhook", json=body)
            except httpx.ConnectError:
                continue  # never reached the server
            except DEAD_SERVER_ERRORS:
                stored = await self.already_answered(sender, metadata)  # it may have stored the turn
                if stored is not None:
                    return stored
                continue
            reply.raise_for_status()
            return reply.json()
        raise RasaUnavailable("no Rasa server answered")

    async def already_answered(
        self, sender: str, metadata: Dict[str, Any], first_attempt: bool = False
    ) -> Optional[List[Dict[str, Any]]]:
        """The stored answer when this message's turn is already in the tracker store."""
        message_id = turn_store.message_id_of(metadata)
        if self.turns is None or message_id is None:
            return None
        if first_attempt and message_id.startswith(turn_store.GATEWAY_PREFIX):
            return None  # an id we just made up cannot be stored yet
        stored = await self.turns.answer_async(sender, message_id)
        if stored is not None:
            logger.info("message %s of %s is already in the tracker store: stored answer, not run again",
                        message_id, sender)
        return stored

    def home(self, sender: str) -> int:
        """Index of the server that holds ``sender``'s conversation (the next in turn for a new one)."""
        home = self._homes.get(sender)
        if home is None or home >= len(self.endpoints):
            home = next(self._new_conversations) % len(self.endpoints)
            self._homes[sender] = home
            while len(self._homes) > self.HOMES_KEPT:
                self._homes.popitem(last=False)
        else:
            self._homes.move_to_end(sender)
        return home

    @staticmethod
    def request_body(sender: str, message: str, metadata: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """The REST channel's request: sender, message and, when given, metadata."""
        body: Dict[str, Any] = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        return body

    async def ready(self) -> bool:
        """True when at least one Rasa server has a model loaded."""
        for base in self.endpoints:
            try:
                reply = await self._http.get(f"{base}/status", timeout=2.0)
            except httpx.HTTPError:
                continue
            if reply.status_code == 200 and reply.json().get("model_file"):
                return True
        return False

    async def aclose(self) -> None:
        await self._http.aclose()

