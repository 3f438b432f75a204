"""The one way into the conversation: Rasa's REST channel, for every channel of the gateway."""

from __future__ import annotations

import itertools
import zlib
from typing import Any, Dict, List, Optional

import httpx

from bot.settings import Settings, get_settings


class RasaUnavailable(Exception):
    """No Rasa server answered; the channel tells the user to try again."""


class RasaClient:
    """Sends a user message to Rasa and returns its replies (REST channel shape).

    With several Rasa servers configured, each conversation always goes to the same one
    (a stable hash of the sender id): the single-node Rasa processes lock conversations in
    memory, so two turns of one conversation must never reach two processes. A server that
    refuses the connection is skipped for that request.
    """

    def __init__(self, endpoints: List[str], timeout_s: float = 30.0) -> None:
        self.endpoints = endpoints
        self._next = itertools.cycle(range(len(endpoints)))  # round robin, for subclasses
        self._http = httpx.AsyncClient(timeout=timeout_s)

    async def send(
        self, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None
    ) -> List[Dict[str, Any]]:
        """Post one message; e.g. ``await client.send("u1", "你好")`` → ``[{"recipient_id": "u1", "text": …}]``."""
        body = self.request_body(sender, message, metadata)
        start = self.home(sender)
        for offset in range(len(self.endpoints)):
            base = self.endpoints[(start + offset) % len(self.endpoints)]
            try:
                reply = await self._http.post(f"{base}/webhooks/rest/webhook", json=body)
            except httpx.ConnectError:
                continue
            reply.raise_for_status()
            return reply.json()
        raise RasaUnavailable("no Rasa server answered")

    def home(self, sender: str) -> int:
        """Index of the server that holds ``sender``'s conversation."""
        return zlib.crc32(sender.encode("utf-8")) % len(self.endpoints)

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


_client: Optional[RasaClient] = None


def get_rasa_client() -> RasaClient:
    """FastAPI dependency: the process-wide client (tests override it)."""
    global _client
    if _client is None:
        settings: Settings = get_settings()
        _client = RasaClient(settings.rasa_endpoints, settings.rasa_timeout_s)
    return _client
