"""Web chat polling for messages a staff member sent while holding the conversation."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Dict, List

from fastapi import APIRouter, Query

from bot.gateway.deps import Store
from bot.helpdesk import handoff

router = APIRouter(prefix="/api/chat", tags=["对话"])


@router.get("/updates", summary="取回人工客服发给该会话的新消息（每条只返回一次）")
async def updates(sender: Annotated[str, Query(min_length=1, max_length=128, description="会话发送方 ID")],
                  store: Store) -> List[Dict[str, Any]]:
    return await asyncio.to_thread(handoff.pending_replies, sender, store)
