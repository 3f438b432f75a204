"""The FastAPI gateway: public HTTP in front of Rasa and the knowledge base."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from bot.gateway.errors import validation_error_response
from bot.gateway.routers import chat, handoff, health, policy_api, staff, web, wechat

logger = logging.getLogger(__name__)


def create_app() -> FastAPI:
    """Build the gateway with one router per audience."""
    app = FastAPI(title="技改政策助手", version="0.1.0", description="技改政策助手的公共接口。")
    for module in (health, chat, handoff, policy_api, web, wechat, staff):
        app.include_router(module.router)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_error_response(exc.errors())

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s", request.url.path)
        return JSONResponse(status_code=500, content={"detail": "服务器内部错误，请稍后再试。"})

    return app


app = create_app()
