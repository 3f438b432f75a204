"""Chat API: the Rasa REST channel contract (docs/api.md §3), behind the gateway."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, validator

from bot.gateway.conversation import converse
from bot.gateway.deps import Rasa
from bot.gateway.parts import RECOVERING_TEXT
from bot.gateway.rasa_client import UNAVAILABLE_TEXT, RasaUnavailable
from bot.gateway.turns import with_message_id
from bot.settings import get_settings

router = APIRouter(prefix="/api", tags=["对话"])

class ChatRequest(BaseModel):
    sender: str = Field(..., min_length=1, max_length=128, description="会话发送方 ID（同一用户保持不变）")
    message: str = Field(..., description="用户消息文本")
    metadata: Optional[Dict[str, Any]] = Field(None, description="附加信息（可选）")
    message_id: Optional[str] = Field(
        None, min_length=1, max_length=128,
        description="消息 ID（可选）：重发同一条消息时带上同一 ID，助手只处理一次并返回同样的回复",
    )

    @validator("message")
    def _message_fits(cls, value: str) -> str:
        limit = get_settings().max_message_chars
        if not value.strip():
            raise ValueError("消息不能为空")
        if len(value) > limit:
            raise ValueError(f"消息过长：最多 {limit} 个字，请分几次发送")
        return value


@router.post("/chat", summary="发送一条消息，返回助手回复（与 Rasa REST 通道相同）")
async def chat(request: ChatRequest, rasa: Rasa) -> List[Dict[str, Any]]:
    try:
        metadata = request.metadata
        if request.message_id:
            metadata = with_message_id(metadata, request.message_id)
        return await converse(rasa, request.sender, request.message, metadata)
    except RasaUnavailable:  # no Rasa server, or a part down: the supervisor is restarting it
        return _refusal(request.sender, RECOVERING_TEXT)
    except httpx.HTTPError:  # a timeout or an error answer
        return _refusal(request.sender, UNAVAILABLE_TEXT)


def _refusal(sender: str, text: str) -> JSONResponse:
    return JSONResponse(status_code=503, content=[{"recipient_id": sender, "text": text}])
