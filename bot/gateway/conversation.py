"""One turn of a conversation, whatever the channel: a person may have taken it over.

While a helpdesk ticket for the sender is claimed, the bot stays silent and the message
goes to the ticket; otherwise it goes to Rasa and the exchange is added to any open ticket.
The helpdesk is an add-on here: if its store fails, the bot still answers.

An empty answer from Rasa while a part of the stack is down (the action server died: Rasa
logs the failed call and answers nothing) raises `SystemRecovering`, which every channel
turns into "系统正在恢复，请稍后再试" rather than silence.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from bot.gateway import parts
from bot.gateway.middleware import clean_text
from bot.gateway.rasa_client import RasaClient, SystemRecovering
from bot.helpdesk import handoff
from bot.helpdesk.errors import STORE_ERRORS

logger = logging.getLogger(__name__)

async def converse(
    rasa: RasaClient, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None
) -> List[Dict[str, Any]]:
    """Replies for one user message (REST channel shape); `[]` while staff hold the conversation."""
    message = clean_text(message)  # every channel: no control or invisible characters reach Rasa
    held = await _held_by_staff(sender, message)
    if held is not None:
        return held
    replies = await rasa.send(sender, message, metadata)
    if not replies:
        down = await parts.down_parts(rasa.endpoints)
        if down:
            raise SystemRecovering(down)
    await _record_for_staff(sender, message, replies if isinstance(replies, list) else [])
    return replies


async def _held_by_staff(sender: str, message: str) -> Optional[List[Dict[str, Any]]]:
    try:
        return await handoff.intercept(sender, message)
    except STORE_ERRORS as error:
        logger.error("helpdesk check failed for %s: %s", sender, error)
        return None


async def _record_for_staff(sender: str, message: str, replies: List[Dict[str, Any]]) -> None:
    try:
        await handoff.record_exchange(sender, message, replies)
    except STORE_ERRORS as error:
        logger.error("helpdesk transcript not updated for %s: %s", sender, error)
