"""Health: the state of Rasa, the action server and the knowledge base (SPEC §5)."""

from __future__ import annotations

from typing import Dict

import httpx
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from bot.gateway.rasa_client import RasaClient, get_rasa_client
from bot.settings import get_settings

router = APIRouter(tags=["运行状态"])


async def _action_server_ready() -> bool:
    try:
        async with httpx.AsyncClient(timeout=2.0) as http:
            reply = await http.get(f"{get_settings().action_endpoint}/health")
        return reply.status_code == 200
    except httpx.HTTPError:
        return False


def _kb_ready() -> bool:
    from policy_kb.errors import PolicyKBError
    from policy_kb.store import open_kb

    try:
        return bool(open_kb(get_settings().kb_path).documents())
    except (PolicyKBError, OSError):
        return False


@router.get("/health", summary="三个组成部分（Rasa、动作服务器、知识库）是否就绪")
async def health(rasa: RasaClient = Depends(get_rasa_client)) -> JSONResponse:
    parts: Dict[str, bool] = {
        "rasa": await rasa.ready(),
        "action_server": await _action_server_ready(),
        "knowledge_base": _kb_ready(),
    }
    ok = all(parts.values())
    body = {"status": "ok" if ok else "unavailable", **{k: ("ok" if v else "down") for k, v in parts.items()}}
    return JSONResponse(status_code=200 if ok else 503, content=body)
