"""The FastAPI gateway: public HTTP in front of Rasa and the knowledge base."""

from __future__ import annotations

import logging
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.gateway.errors import validation_error_response
from bot.gateway.middleware import GatewayGuard
from bot.gateway.routers import chat, handoff, health, policy_api, staff, staff_match, web, wechat
from bot.logging_setup import install_redaction
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)


# Starlette's own errors (unknown path, wrong method) in Chinese; our routes already speak it.
HTTP_ERROR_TEXT = {404: "未找到该地址。", 405: "不支持该请求方法。"}


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    """Build the gateway with one router per audience."""
    settings = settings or get_settings()
    install_redaction()
    app = FastAPI(title="技改政策助手", version="0.1.0", description="技改政策助手的公共接口。")
    for module in (health, chat, handoff, policy_api, web, wechat, staff, staff_match):
        app.include_router(module.router)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_error_response(exc.errors())

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if detail in (None, "Not Found", "Method Not Allowed"):
            detail = HTTP_ERROR_TEXT.get(exc.status_code, detail)
        return JSONResponse(status_code=exc.status_code, content={"detail": detail}, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s", request.url.path)
        return JSONResponse(status_code=500, content={"detail": "服务器内部错误，请稍后再试。"})

    # Outermost last: CORS wraps the guard so that its 413/429 replies carry CORS headers too.
    app.add_middleware(GatewayGuard, settings=settings)
    app.add_middleware(
        CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Authorization"],
    )
    return app


app = create_app()
