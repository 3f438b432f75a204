"""Human takeover of a live conversation.

While a ticket is claimed, the person holds the conversation: the gateway calls
`intercept` before forwarding a message to Rasa, and when it returns a list the bot is
not asked at all. Staff replies reach the user through a delivery function per channel
(`register_delivery`); without one (the web chat) they wait in a queue that the page
polls (`pending_replies`, ``GET /api/chat/updates``). Resolving the ticket hands the
conversation back to the bot.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple, Type, Union

from bot.helpdesk.store import Ticket, TicketStore, default_store

# fn(sender, text): sends one text to the user on that channel (e.g. WeChat customer-service API).
Delivery = Callable[[str, str], Union[None, Awaitable[None]]]

STAFF_PREFIX = "【人工客服】"
CLAIMED_NOTICE = "工作人员已接手您的问题（工单 {ticket_id}），接下来由人工为您解答，请直接在此留言。"
RESOLVED_NOTICE = "工单 {ticket_id} 已办结，人工服务结束。之后的问题由助手继续为您解答；如仍需人工，请回复“转人工”。"

_deliveries: Dict[str, Delivery] = {}


class DeliveryFailed(Exception):
    """Raised by a channel's delivery function when the message could not be sent."""


def register_delivery(channel: str, fn: Optional[Delivery]) -> None:
    """Send staff messages on `channel` ("wechat", "wecom") with ``fn(sender, text)``; None removes it."""
    if fn is None:
        _deliveries.pop(channel, None)
    else:
        _deliveries[channel] = fn


def channel_delivery(send_text: Callable[[str, str], Awaitable[None]],
                     errors: Tuple[Type[BaseException], ...] = ()) -> Delivery:
    """Adapt a channel client's ``send_text(user_id, text)`` into a delivery function.

    Senders of WeChat/WeCom conversations are ``"<channel>:<user id>"``; the prefix is
    stripped. The client's own `errors` become `DeliveryFailed`. Example:
    ``register_delivery("wechat", channel_delivery(api.send_text, (WeChatAPIError,)))``.
    """

    async def deliver_text(sender: str, text: str) -> None:
        user_id = sender.split(":", 1)[1] if ":" in sender else sender
        try:
            await send_text(user_id, text)
        except errors as err:
            raise DeliveryFailed(str(err)) from err

    return deliver_text


async def intercept(sender: str, text: str, store: Optional[TicketStore] = None) -> Optional[List[Dict[str, Any]]]:
    """``[]`` (the bot stays silent) when a person holds the sender's conversation, else None.

    The user's message is added to the ticket's transcript so the staff member sees it.
    """
    store = store or default_store()
    ticket = await asyncio.to_thread(store.active_ticket, sender)
    if ticket is None or ticket.status != "claimed":
        return None
    await asyncio.to_thread(store.append_transcript, ticket.id, "user", text, "gateway")
    return []


async def record_exchange(sender: str, user_text: str, bot_replies: List[Dict[str, Any]],
                          store: Optional[TicketStore] = None) -> None:
    """Add a normal turn (user message, bot replies) to the sender's open ticket, if there is one."""
    store = store or default_store()
    ticket = await asyncio.to_thread(store.active_ticket, sender)
    if ticket is None:
        return
    await asyncio.to_thread(_append_turn, store, ticket, user_text, [r["text"] for r in bot_replies if r.get("text")])


def _append_turn(store: TicketStore, ticket: Ticket, user_text: str, bot_texts: List[str]) -> None:
    """Skip what the ticket-creating action already wrote for this very turn."""
    written_by_action = _turn_written_by_action(ticket, user_text)
    if written_by_action is None:
        store.append_transcript(ticket.id, "user", user_text, "gateway")
        written_by_action = []
    for text in bot_texts:
        if text not in written_by_action:
            store.append_transcript(ticket.id, "bot", text, "gateway")


def _turn_written_by_action(ticket: Ticket, user_text: str) -> Optional[List[str]]:
    """Bot texts the action recorded after this user message, or None if it did not record this turn."""
    tail: List[str] = []
    for entry in reversed(ticket.transcript):
        if entry.who == "bot" and entry.via == "action":
            tail.append(entry.text)
            continue
        if entry.who == "user" and entry.via == "action" and entry.text == user_text:
            return tail
        return None
    return None


def pending_replies(sender: str, store: Optional[TicketStore] = None) -> List[Dict[str, Any]]:
    """Staff messages waiting for the web chat, REST-channel shaped; each is returned once."""
    return (store or default_store()).take_messages(sender)


async def deliver(ticket: Ticket, text: str, store: Optional[TicketStore] = None) -> str:
    """Send `text` to the ticket's user on its channel; returns how ("queue" or the channel name)."""
    store = store or default_store()
    fn = _deliveries.get(ticket.channel)
    if fn is not None:
        # A failing channel raises DeliveryFailed to the caller: queueing would hide it, since
        # only the web chat polls the queue.
        result = fn(ticket.sender, text)
        if inspect.isawaitable(result):
            await result
        return ticket.channel
    await asyncio.to_thread(store.queue_message, ticket.sender, {"recipient_id": ticket.sender, "text": text})
    return "queue"


async def send_staff_reply(ticket: Ticket, username: str, text: str, store: Optional[TicketStore] = None) -> str:
    """Record a staff reply in the transcript and deliver it to the user."""
    store = store or default_store()
    await asyncio.to_thread(store.append_transcript, ticket.id, "staff", text, f"staff:{username}")
    return await deliver(ticket, STAFF_PREFIX + text, store)


async def announce_claim(ticket: Ticket, store: Optional[TicketStore] = None) -> str:
    """Tell the user that a person has taken over."""
    return await deliver(ticket, CLAIMED_NOTICE.format(ticket_id=ticket.id), store)


async def announce_resolve(ticket: Ticket, store: Optional[TicketStore] = None) -> str:
    """Tell the user that the bot answers again."""
    return await deliver(ticket, RESOLVED_NOTICE.format(ticket_id=ticket.id), store)
