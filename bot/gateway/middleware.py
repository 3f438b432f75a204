"""Request hygiene in front of every route: size cap, rate limits, clean text, safe headers.

One ASGI middleware (``GatewayGuard``) because the checks need the raw request: the body
size before anything parses it, the chat body's ``sender`` for the per-sender limit, and
the message text to strip control characters before the chat router validates its length.
Replies are JSON in Chinese; ``/api/chat`` refusals keep the REST-channel reply shape so a
chat client shows them like any bot message.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from bot.gateway.limits import build_limiter, sender_limit_text, whole_seconds
from bot.settings import Settings

Scope = Dict[str, Any]

# On every HTML page (the web chat, the console) and on the web router's static files: a
# strict Content-Security-Policy and the usual hardening headers.
SECURITY_HEADERS: Dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

Message = Dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
# What `_reply` sends instead of the app: (status, JSON content, Retry-After seconds[, close]).
Refusal = Tuple[Any, ...]

CHAT_PATH = "/api/chat"
# An over-size body is read and discarded up to this many bytes before the 413 goes out:
# answering while the client is still sending, then closing, makes the kernel reset the
# connection, and the client sees a reset instead of the 413. Beyond the bound the reply
# says ``connection: close`` (a client sending megabytes may then see a reset).
DRAIN_LIMIT_BYTES = 4 * 1024 * 1024
# Per-IP limits guard the APIs people or scripts call directly; WeChat callbacks all come
# from Tencent's few servers, so limiting them by IP would silence every WeChat user at once.
IP_LIMITED_PREFIXES = ("/api/", "/staff/")

# Zero-width (non-)joiners and emoji tag characters are format characters (Cf) that emoji
# sequences need (👨‍👩‍👧, regional flags); newline and tab are kept as typed.
_KEEP = {"\n", "\t", "\u200c", "\u200d"}
_EMOJI_TAGS = range(0xE0020, 0xE0080)
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs"}
_NEWLINES = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n"})


def clean_text(text: str) -> str:
    """Drop control, invisible-format and lone-surrogate characters; keep emoji and any script.

    >>> clean_text("你好\\x00\\u202eabc👍")
    '你好abc👍'
    """
    text = text.replace("\r\n", "\n").translate(_NEWLINES)
    return "".join(ch for ch in text if _keeps(ch))


def _keeps(ch: str) -> bool:
    if ch in _KEEP or ord(ch) in _EMOJI_TAGS:
        return True
    return unicodedata.category(ch) not in _DROPPED_CATEGORIES


def client_address(scope: Scope, trusted_proxies: List[str]) -> Tuple[str, bool]:
    """(client IP, is a local tool): behind a trusted proxy the last X-Forwarded-For entry."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    if peer not in trusted_proxies:
        return peer, False
    forwarded = _header(scope, b"x-forwarded-for")
    if not forwarded:
        return peer, True
    return forwarded.split(",")[-1].strip() or peer, False


def _header(scope: Scope, name: bytes) -> Optional[str]:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class GatewayGuard:
    """ASGI middleware: body cap (413), per-IP and per-sender token buckets (429), clean chat
    text, security headers on HTML, ``nosniff`` everywhere."""

    def __init__(self, app: Callable, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.ip_limits = build_limiter(settings, "ip", settings.ip_rate_per_min, settings.ip_burst)
        self.sender_limits = build_limiter(settings, "sender", settings.sender_rate_per_min, settings.sender_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _adding_headers(send)
        refusal = await self._ip_refusal(scope)
        if refusal is None:
            body, refusal = await self._read_body(scope, receive)
        if refusal is not None:
            await _reply(send, *refusal)
            return
        if scope["path"] == CHAT_PATH and scope["method"] == "POST":
            body, refusal = await self._screen_chat(body)
            if refusal is not None:
                await _reply(send, *refusal)
                return
        scope = _with_length(scope, len(body))
        await self.app(scope, _replay(body, receive), send)

    async def _ip_refusal(self, scope: Scope) -> Optional[Refusal]:
        if not self.settings.rate_limit_enabled or not scope["path"].startswith(IP_LIMITED_PREFIXES):
            return None
        ip, local = client_address(scope, self.settings.trusted_proxies)
        wait = 0.0 if local else await self.ip_limits.take(ip)
        if not wait:
            return None
        return 429, {"detail": f"请求过于频繁，请 {whole_seconds(wait)} 秒后再试。"}, wait

    async def _read_body(self, scope: Scope, receive: Receive) -> Tuple[bytes, Optional[Refusal]]:
        """The whole body, or a 413 once it (or its declared length) passes the cap; the rest
        of an over-size body is drained first (see ``DRAIN_LIMIT_BYTES``)."""
        limit = self.settings.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            return b"", _too_big(limit, await _drain(receive, 0))
        chunks: List[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                more = bool(message.get("more_body"))
                return b"", _too_big(limit, await _drain(receive, size) if more else True)
            if not message.get("more_body"):
                break
        return b"".join(chunks), None

    async def _screen_chat(self, body: bytes) -> Tuple[bytes, Optional[Refusal]]:
        """Clean ``sender``/``message`` and apply the per-sender limit; bad JSON passes on to
        the router, which answers it with a field-level 422."""
        try:
            data = json.loads(body)
        except ValueError:
            return body, None
        if not isinstance(data, dict):
            return body, None
        for field in ("sender", "message"):
            if isinstance(data.get(field), str):
                data[field] = clean_text(data[field])
        sender = data.get("sender")
        # ensure_ascii: other fields (metadata) may still hold lone surrogates; escaped they stay valid.
        cleaned = json.dumps(data, ensure_ascii=True).encode("ascii")
        if not (self.settings.rate_limit_enabled and isinstance(sender, str) and sender):
            return cleaned, None
        wait = await self.sender_limits.take(sender)
        if not wait:
            return cleaned, None
        text = sender_limit_text(wait)
        return cleaned, (429, [{"recipient_id": sender, "text": text}], wait)


def _too_big(limit: int, drained: bool) -> Refusal:
    return 413, {"detail": f"请求内容过大：最多 {limit // 1024} KB。"}, 0.0, not drained


async def _drain(receive: Receive, size: int) -> bool:
    """Read and discard the rest of the body, up to ``DRAIN_LIMIT_BYTES`` in all; True when
    the whole body was read (the connection can then be kept alive)."""
    while size <= DRAIN_LIMIT_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return False
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            return True
    return False


async def _reply(send: Send, status: int, content: Any, retry_after: float, close: bool = False) -> None:
    body = json.dumps(content, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    if retry_after:
        headers.append((b"retry-after", str(whole_seconds(retry_after)).encode()))
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _with_length(scope: Scope, length: int) -> Scope:
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
    if length or scope["method"] in ("POST", "PUT", "PATCH"):
        headers.append((b"content-length", str(length).encode()))
    return {**scope, "headers": headers}


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive() that hands the app the body already read, then waits on the real client
    (so streaming responses still learn about a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


_HTML_HEADERS = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
_NOSNIFF = [(b"x-content-type-options", b"nosniff")]


def _adding_headers(send: Send) -> Send:
    """Add the page security headers to every HTML response that lacks them, nosniff to all."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {key.lower() for key, _ in headers}
            content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
            extra = _HTML_HEADERS if content_type.startswith(b"text/html") else _NOSNIFF
            headers += [(k, v) for k, v in extra if k not in present]
            message = {**message, "headers": headers}
        await send(message)

    return wrapped
