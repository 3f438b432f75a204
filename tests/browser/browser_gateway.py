"""The gateway app the browser test's own stack runs under uvicorn (``--factory``).

``create_app()`` plus the web and WeChat routers when the lead's app does not include them yet.
"""

from __future__ import annotations

from fastapi import FastAPI

from bot.gateway.app import create_app
from bot.gateway.routers import web, wechat


def build() -> FastAPI:
    """The real gateway, guaranteed to serve the web chat page at ``/``."""
    app = create_app()
    paths = {getattr(route, "path", None) for route in app.routes}
    if "/" not in paths:
        app.include_router(web.router)
    if "/wechat" not in paths:
        app.include_router(wechat.router)
    return app
