"""Health: the state of Rasa, the action server and the knowledge base (docs/api.md §2).

200 with every part ``ok`` when all are ready; otherwise 503 with the part that is down
(``down``: e.g. ``["Rasa http://127.0.0.1:5006"]``) and a Chinese ``message``: the
supervisor (`bot.stack.single_node`) is restarting it.
"""

from __future__ import annotations

from typing import Any, Dict

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.gateway import parts
from bot.gateway.deps import OptionalKB, Rasa

router = APIRouter(tags=["运行状态"])


@router.get("/health", summary="三个组成部分（Rasa、动作服务器、知识库）是否就绪；不就绪时说明哪一部分")
async def health(rasa: Rasa, kb: OptionalKB) -> JSONResponse:
    state = await parts.probe(rasa.endpoints, kb_ready=kb is not None and bool(kb.documents()))
    ready = {"rasa": all(state.rasa.values()), "action_server": all(state.action_server.values()),
             "knowledge_base": state.knowledge_base}
    down = state.down()
    body: Dict[str, Any] = {"status": "unavailable" if down else "ok",
                            **{k: ("ok" if v else "down") for k, v in ready.items()}}
    if down:
        body["down"] = down
        body["message"] = f"系统正在恢复：{'、'.join(down)} 暂不可用，请稍后再试。"
    return JSONResponse(status_code=503 if down else 200, content=body)
