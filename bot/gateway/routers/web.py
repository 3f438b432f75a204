"""The web chat page at ``/`` and its static files under ``/static`` (docs/api.md §10).

The page is one HTML file with its own CSS and JavaScript (nothing from the internet);
it talks to ``POST /api/chat``. Every response carries a strict Content-Security-Policy
(``default-src 'self'``: no inline script, no third-party origin) and the usual hardening
headers, so even a message that slipped past the page's escaping could not run script.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Dict

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from bot.gateway.deps import AppSettings
from bot.gateway.middleware import SECURITY_HEADERS

router = APIRouter(tags=["网页对话"])

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
INDEX_FILE = STATIC_DIR / "index.html"

_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


def _headers(cache: str) -> Dict[str, str]:
    return {**SECURITY_HEADERS, "Cache-Control": cache}


@router.get("/", response_class=HTMLResponse, summary="网页对话页面（手机与电脑通用）")
async def chat_page(settings: AppSettings) -> Response:
    # The page reads the message length limit from a data attribute, so it matches the API.
    html = INDEX_FILE.read_text(encoding="utf-8").replace(
        "{{MAX_MESSAGE_CHARS}}", str(settings.max_message_chars)
    )
    return HTMLResponse(html, headers=_headers("no-cache"))


@router.get("/static/{path:path}", summary="网页对话的静态文件", include_in_schema=False)
async def static_file(path: str) -> Response:
    target = (STATIC_DIR / path).resolve()
    # Only files inside STATIC_DIR: "../" and absolute paths are refused.
    if STATIC_DIR not in target.parents or not target.is_file():
        return PlainTextResponse("未找到", status_code=404, headers=_headers("no-store"))
    media_type = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    # no-cache: browsers revalidate, so a deployed fix reaches every phone at once.
    return Response(target.read_bytes(), media_type=media_type, headers=_headers("no-cache"))
