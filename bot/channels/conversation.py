"""WeChat's 5-second rule and retried deliveries, around one Rasa conversation per user.

WeChat waits 5 seconds for a passive reply, then drops the connection and delivers the
same message again (up to three times). So each delivery is a *turn* keyed by MsgId (or
FromUserName+CreateTime for events), kept in a bounded TTL cache:

- the first delivery starts the turn (one call to Rasa) and waits up to
  ``passive_timeout_s``; if the answer is ready it is the passive reply;
- otherwise the delivery is acknowledged empty and the turn, once answered, goes out
  through the customer-service API, exactly once;
- a retried delivery joins the same turn and never reaches Rasa again: it waits for the
  same answer, or is acknowledged empty when that answer is already on its way.

Each new turn first takes a token from the user's bucket (the same per-sender limit as the
web chat, keyed ``wechat:<OpenID>`` / ``wecom:<UserID>``); over the limit, the turn's answer
is the web chat's "too fast" text and Rasa is not asked. A retried delivery joins its turn
and so takes no token.

Staff messages that waited behind WeChat's 48-hour window (``held``) are the passive reply
to the user's next message; the bot's own answer to it then follows through the API (the
user's message has just reopened the window).

A user who answers a numbered choice with just the number gets that button's payload sent
to Rasa (the last buttons offered to each user are remembered in another bounded cache).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set

import httpx

from bot.channels.cache import TTLCache
from bot.channels.errors import WeChatAPIError
from bot.channels.replies import Button, render_answer, resolve_choice, split_text
from bot.channels.wechat_api import CustomerServiceAPI
from bot.gateway.limits import Limiter, sender_limit_text
from bot.gateway.parts import RECOVERING_TEXT
from bot.gateway.rasa_client import UNAVAILABLE_TEXT

logger = logging.getLogger(__name__)

TOO_LONG_TEXT = "消息过长：最多 {limit} 个字，请分几次发送。"
UNSUPPORTED_TEXT = "目前只能识别文字消息，请直接用文字输入您的问题。"

# WeChat retries within ~15 s; keep turns a good while longer, bounded in number.
TURN_TTL_S = 300.0
TURN_CACHE_SIZE = 10_000
CHOICE_TTL_S = 24 * 3600.0
CHOICE_CACHE_SIZE = 10_000

# Sends one message to Rasa: (sender, text, metadata) -> Rasa REST messages; raises
# ConnectionError (or an httpx error) when no Rasa server answers.
RasaSend = Callable[[str, str, Dict[str, Any]], Awaitable[List[Dict[str, Any]]]]


@dataclass
class Turn:
    """One delivery of one user message, however many times WeChat sends it."""

    answer: "asyncio.Task[List[str]]"
    delivery: Optional[str] = None  # None until decided: "passive" or "async"
    rest_sent: bool = False


@dataclass
class WeChatConversation:
    """The channel-side logic shared by the Official Account and WeCom callbacks."""

    channel: str  # "wechat" or "wecom": sender id prefix and Rasa metadata
    api: CustomerServiceAPI
    passive_timeout_s: float = 4.0
    max_message_chars: int = 500
    sender_limits: Optional[Limiter] = None  # None: no per-sender limit
    turns: TTLCache = field(default_factory=lambda: TTLCache(TURN_CACHE_SIZE, TURN_TTL_S))
    choices: TTLCache = field(default_factory=lambda: TTLCache(CHOICE_CACHE_SIZE, CHOICE_TTL_S))
    _background: Set["asyncio.Task[None]"] = field(default_factory=set)

    async def reply(
        self, dedup_key: str, user_id: str, text: Optional[str], rasa_send: RasaSend,
        held: Optional[List[str]] = None,
    ) -> Optional[str]:
        """The passive reply text for this delivery, or None for an empty acknowledgement.

        ``held``: staff messages waiting for this user; they are the passive reply, before
        the bot's answer (which then goes out through the API).
        """
        if text is None:
            return self.held_first(user_id, held) if held else None
        turn = self._join_or_start(dedup_key, lambda: self._start(dedup_key, user_id, text, rasa_send))
        if held:
            self._deliver_later(turn, user_id)
            return self.held_first(user_id, held)
        try:
            chunks = await asyncio.wait_for(asyncio.shield(turn.answer), self.passive_timeout_s)
        except asyncio.TimeoutError:
            self._deliver_later(turn, user_id)
            return None
        return self._passive(turn, user_id, chunks)

    def held_first(self, user_id: str, held: List[str]) -> str:
        """The first WeChat-sized piece of the held messages; the rest follow through the API."""
        chunks = split_text("\n\n".join(held))
        if len(chunks) > 1:
            self._spawn(self._send_all(user_id, chunks[1:]))
        return chunks[0]

    def unsupported(self) -> str:
        """What to say to a message type the assistant cannot read (image, video…)."""
        return UNSUPPORTED_TEXT

    async def drain(self) -> None:
        """Wait for answers still being delivered through the API (tests, shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    def _join_or_start(self, key: str, start: Callable[[], Awaitable[List[str]]]) -> Turn:
        turn: Optional[Turn] = self.turns.get(key)
        if turn is None:
            turn = Turn(answer=asyncio.ensure_future(start()))
            self.turns.set(key, turn)
        return turn

    async def _start(self, message_id: str, user_id: str, text: str, rasa_send: RasaSend) -> List[str]:
        """A new turn: Rasa's answer, or the "too fast" text when the user is over the limit."""
        sender = f"{self.channel}:{user_id}"
        wait = await self.sender_limits.take(sender) if self.sender_limits else 0.0
        if not wait:
            return await self._answer(message_id, user_id, text, rasa_send)
        logger.info("%s: %s is over the per-sender limit, not asking Rasa", self.channel, user_id)
        return [sender_limit_text(wait)]

    def _passive(self, turn: Turn, user_id: str, chunks: List[str]) -> Optional[str]:
        if turn.delivery == "async" or not chunks:
            return None  # already on its way through the API (or nothing to say)
        turn.delivery = "passive"
        if len(chunks) > 1 and not turn.rest_sent:
            turn.rest_sent = True  # a passive reply holds one piece: the rest follow
            self._spawn(self._send_all(user_id, chunks[1:]))
        return chunks[0]

    def _deliver_later(self, turn: Turn, user_id: str) -> None:
        if turn.delivery is not None:
            return
        turn.delivery = "async"
        self._spawn(self._send_when_ready(turn, user_id))

    async def _send_when_ready(self, turn: Turn, user_id: str) -> None:
        await self._send_all(user_id, await turn.answer)

    async def _send_all(self, user_id: str, chunks: List[str]) -> None:
        for chunk in chunks:
            try:
                await self.api.send_text(user_id, chunk)
            except WeChatAPIError as error:
                # The user gets nothing more for this turn; they can ask again.
                logger.error("%s: customer-service message to %s failed: %s", self.channel, user_id, error)
                return

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)  # keep a reference until done, or it may be collected
        task.add_done_callback(self._background.discard)

    async def _answer(self, message_id: str, user_id: str, text: str, rasa_send: RasaSend) -> List[str]:
        """Ask Rasa once and render the answer into WeChat-sized pieces (never raises).

        ``message_id`` (MsgId) goes along into the tracker store: a message stored already
        (delivered again, e.g. to another gateway) is answered from there, not run twice."""
        if len(text) > self.max_message_chars:
            return [TOO_LONG_TEXT.format(limit=self.max_message_chars)]
        message = self._resolve_choice(user_id, text)
        try:
            metadata = {"channel": self.channel, "message_id": f"{self.channel}:{message_id}"}
            messages = await rasa_send(f"{self.channel}:{user_id}", message, metadata)
        except ConnectionError as error:
            logger.warning("%s: stack recovering, not answering %s: %s", self.channel, user_id, error)
            return [RECOVERING_TEXT]
        except (httpx.HTTPError, asyncio.TimeoutError, ValueError) as error:
            logger.warning("%s: Rasa did not answer %s: %s", self.channel, user_id, error)
            return [UNAVAILABLE_TEXT]
        rendered = render_answer(messages if isinstance(messages, list) else [])
        self._remember_choices(user_id, rendered.buttons)
        return rendered.chunks

    def _resolve_choice(self, user_id: str, text: str) -> str:
        chosen: Optional[Button] = resolve_choice(text, self.choices.get(user_id))
        return chosen.payload if chosen else text

    def _remember_choices(self, user_id: str, buttons: List[Button]) -> None:
        if buttons:
            self.choices.set(user_id, buttons)
        else:
            self.choices.pop(user_id)
