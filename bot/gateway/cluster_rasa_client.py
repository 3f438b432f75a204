"""The cluster gateway's Rasa client: round robin over several Rasa servers, with failover.

A server that just failed is tried last for a few seconds (``rasa_retry_cooldown_s``); a
request whose server died before answering is sent to another one, unless the turn was
already stored (`bot.gateway.turns`). The cluster's gateway (`bot.gateway.cluster_app`)
uses it in place of `RasaClient`; the cluster itself is started by `bot.stack.cluster`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, Dict, List, Optional

import httpx

from bot.gateway import turns as turn_store
from bot.gateway.rasa_client import RasaClient, RasaUnavailable
from bot.gateway.turns import StoredTurns

logger = logging.getLogger(__name__)

RETRY_PAUSE_S = 0.5


class HealthCheckedRasaClient(RasaClient):
    """Round robin over Rasa servers that skips (tries last) a server that failed recently.

    Failure = the connection was refused or dropped, or a 5xx answer. A dropped request is
    sent to the next server, unless the dead server had already stored the turn: every
    message carries an id into the tracker store, and a stored one is answered from there
    (`bot.gateway.turns`), so the turn runs exactly once and a message the user was told
    succeeded is never lost. A timeout is not retried: the server may still be working on it.
    """

    def __init__(
        self, endpoints: List[str], timeout_s: float = 30.0, cooldown_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic, turns: Optional[StoredTurns] = None,
    ) -> None:
        super().__init__(endpoints, timeout_s, turns)
        self.cooldown_s = cooldown_s
        self.clock = clock
        self.failed_at: Dict[str, float] = {}

    def order(self) -> List[str]:
        """Servers to try for the next request: healthy ones in round-robin order first."""
        start = next(self._next)
        ring = [self.endpoints[(start + i) % len(self.endpoints)] for i in range(len(self.endpoints))]
        now = self.clock()
        healthy = [base for base in ring if now - self.failed_at.get(base, -1e18) >= self.cooldown_s]
        return healthy + [base for base in ring if base not in healthy]

    async def send(
        self, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None
    ) -> List[Dict[str, Any]]:
        metadata = turn_store.with_message_id(metadata, turn_store.message_id_of(metadata))
        stored = await self.already_answered(sender, metadata, first_attempt=True)
        if stored is not None:
            return stored
        body = self.request_body(sender, message, metadata)
        unreachable: set = set()
        # Second pass: a live server that answered 5xx gets one more try. The usual cause is
        # Rasa's LockError when a killed replica's lock on this conversation expired while
        # the request waited for it; a fresh request then takes a clean lock.
        for attempt in range(2):
            for base in self.order():
                if base in unreachable:
                    continue
                replies = await self._post(base, body, unreachable)
                if replies is not None:
                    return replies
                stored = await self.already_answered(sender, metadata)  # stored before it failed?
                if stored is not None:
                    return stored
            if attempt == 0 and len(unreachable) < len(self.endpoints):
                await asyncio.sleep(RETRY_PAUSE_S)
        raise RasaUnavailable("no Rasa server answered")

    async def _post(self, base: str, body: Dict[str, Any], unreachable: set) -> Optional[List[Dict[str, Any]]]:
        """The replies, or None when this server failed (noted in ``failed_at``)."""
        try:
            reply = await self._http.post(f"{base}/webhooks/rest/webhook", json=body)
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            self._mark_failed(base, error)
            unreachable.add(base)
            return None
        if reply.status_code >= 500:
            self._mark_failed(base, f"HTTP {reply.status_code}")
            return None
        self.failed_at.pop(base, None)
        reply.raise_for_status()
        return reply.json()

    def _mark_failed(self, base: str, why: object) -> None:
        logger.warning("Rasa server %s failed (%s); trying the next one", base, why)
        self.failed_at[base] = self.clock()

