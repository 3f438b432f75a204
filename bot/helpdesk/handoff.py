"""Human takeover of a live conversation.

While a ticket is claimed, the person holds the conversation: the gateway calls
`intercept` before forwarding a message to Rasa, and when it returns a list the bot is
not asked at all. Staff replies reach the user through a delivery function per channel
(`register_delivery`); without one (the web chat) they wait in a queue that the page
polls (`pending_replies`, ``GET /api/chat/updates``). Resolving the ticket hands the
conversation back to the bot.

Nothing sent to a WeChat/WeCom user is dropped. WeChat takes customer-service messages only
within 48 hours of the user's last message (errcode 45015 after that, 45047 when too many
were sent in a row): such a message is kept as *waiting* — and the user, where a template
message is configured (`register_notifier`), told that an answer is waiting — then sent as
the passive reply to the user's next message (`take_undelivered`). Any other failure is
kept as *failed* with WeChat's code (and also sent on the next message). The console shows
each message's state (``ticket.deliveries``).
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

# fn(sender, ticket_id): tells the user an answer is waiting (template/subscription message).
Notifier = Callable[[str, str], Awaitable[None]]

# WeChat's "window closed" codes: 45015 (more than 48 h since the user's last message) and
# 45047 (too many messages in a row without an answer from the user).
WINDOW_CLOSED_CODES = frozenset({45015, 45047})
HELD = "held"  # what `deliver` returns for a message kept for the user's next message
PASSIVE_VIA = "被动回复"
API_VIA = "客服消息"

_deliveries: Dict[str, Delivery] = {}
_notifiers: Dict[str, Notifier] = {}


class DeliveryFailed(Exception):
    """Raised by a channel's delivery function when the message could not be sent;
    ``errcode`` is the channel's error code when it gave one."""

    def __init__(self, message: str, errcode: Optional[int] = None) -> None:
        super().__init__(message)
        self.errcode = errcode


def register_notifier(channel: str, fn: Optional[Notifier]) -> None:
    """Tell users of `channel` that a held answer waits, with ``fn(sender, ticket_id)``."""
    if fn is None:
        _notifiers.pop(channel, None)
    else:
        _notifiers[channel] = fn


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
            raise DeliveryFailed(str(err), getattr(err, "errcode", None)) from err

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
    """Send `text` to the ticket's user on its channel; returns how: "queue" (web chat), the
    channel name (sent), or `HELD` (WeChat's window is closed: sent on the user's next message).

    Raises DeliveryFailed for any other channel failure; the message is kept as failed.
    """
    store = store or default_store()
    fn = _deliveries.get(ticket.channel)
    if fn is None:
        await asyncio.to_thread(store.queue_message, ticket.sender, {"recipient_id": ticket.sender, "text": text})
        return "queue"
    try:
        result = fn(ticket.sender, text)
        if inspect.isawaitable(result):
            await result
    except DeliveryFailed as err:
        return await _keep(ticket, text, err, store)
    await asyncio.to_thread(store.record_delivery, ticket.id, ticket.sender, ticket.channel, text, "sent",
                            None, "", API_VIA)
    return ticket.channel


async def _keep(ticket: Ticket, text: str, err: DeliveryFailed, store: TicketStore) -> str:
    """Keep an undelivered message for the user's next message; raise unless it merely waits."""
    waiting = err.errcode in WINDOW_CLOSED_CODES
    detail = str(err)
    if waiting:
        detail = await _notify(ticket) or detail
    await asyncio.to_thread(store.record_delivery, ticket.id, ticket.sender, ticket.channel, text,
                            "waiting" if waiting else "failed", err.errcode, detail, "")
    if not waiting:
        raise err
    return HELD


async def _notify(ticket: Ticket) -> Optional[str]:
    """Tell the user an answer waits (when a notifier is registered); what happened, for the console."""
    fn = _notifiers.get(ticket.channel)
    if fn is None:
        return None
    try:
        await fn(ticket.sender, ticket.id)
    except DeliveryFailed as err:
        return f"窗口已关闭，模板消息提醒也未发出：{err}"
    return "窗口已关闭，已发模板消息提醒用户"


async def take_undelivered(sender: str, store: Optional[TicketStore] = None) -> List[str]:
    """Texts of the sender's waiting and failed messages, oldest first, now marked sent as the
    passive reply (the caller puts them into it)."""
    store = store or default_store()
    rows = await asyncio.to_thread(store.take_undelivered, sender, PASSIVE_VIA)
    return [row["text"] for row in rows]


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
