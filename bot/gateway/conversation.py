"""One turn of a conversation, whatever the channel: a person may have taken it over.

While a helpdesk ticket for the sender is claimed, the bot stays silent and the message
goes to the ticket; otherwise it goes to Rasa and the exchange is added to any open ticket.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bot.gateway.rasa_client import RasaClient
from bot.helpdesk import handoff


async def converse(
    rasa: RasaClient, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None
) -> List[Dict[str, Any]]:
    """Replies for one user message (REST channel shape); `[]` while staff hold the conversation."""
    held = await handoff.intercept(sender, message)
    if held is not None:
        return held
    replies = await rasa.send(sender, message, metadata)
    await handoff.record_exchange(sender, message, replies)
    return replies
