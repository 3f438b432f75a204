"""Customer-service (客服) message API: how an answer that missed WeChat's 5 seconds reaches the user.

Two implementations of one small interface, :class:`CustomerServiceAPI`:
- :class:`OfficialAccountAPI`: ``cgi-bin/token`` + ``cgi-bin/message/custom/send`` (公众号);
- :class:`WeComAPI`: ``cgi-bin/gettoken`` + ``cgi-bin/message/send`` with the agent id (企业微信).

Both cache the access token until shortly before it expires and, when the server says the
token is invalid or expired (errcode 40001 / 42001, e.g. because another process refreshed
it), fetch a new one and retry the call once. The base URL comes from settings so tests
point the client at a fake server on loopback.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable, Dict, Optional, Protocol

import httpx

from bot.channels.errors import WeChatAPIError

TOKEN_EXPIRED_CODES = frozenset({40001, 42001})
TEMPLATE_PATH = "/cgi-bin/message/template/send"
# Refresh a little early so a token never expires between our check and WeChat's.
TOKEN_SAFETY_MARGIN_S = 300.0


class CustomerServiceAPI(Protocol):
    """Sends one text message to one user outside the passive-reply window."""

    async def send_text(self, user_id: str, text: str) -> None:
        """Deliver ``text`` to ``user_id`` (openid or WeCom userid); raises WeChatAPIError."""


class AccessTokenCache:
    """One access token and the time it stops being usable."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._token: Optional[str] = None
        self._expires_at = 0.0

    def get(self) -> Optional[str]:
        """The cached token, or None when there is none or it is about to expire."""
        if self._token and self._clock() < self._expires_at:
            return self._token
        return None

    def put(self, token: str, expires_in_s: float) -> None:
        """Remember ``token`` for ``expires_in_s`` seconds less the safety margin."""
        self._token = token
        margin = min(TOKEN_SAFETY_MARGIN_S, expires_in_s / 2)
        self._expires_at = self._clock() + expires_in_s - margin

    def invalidate(self) -> None:
        """Forget the token (the server said it is no longer valid)."""
        self._token = None


class _TokenAPI:
    """Token handling and JSON calls shared by the Official Account and WeCom clients.

    Subclasses name the two paths and build the token query and the message body.
    """

    _token_path = ""
    _send_path = ""

    def __init__(self, base_url: str, http: Optional[httpx.AsyncClient] = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = http or httpx.AsyncClient(timeout=10.0)
        self._tokens = AccessTokenCache()
        self._lock = asyncio.Lock()

    async def send_text(self, user_id: str, text: str) -> None:
        """Deliver ``text`` to ``user_id``; one retry with a fresh token on 40001/42001."""
        body = self._text_body(user_id, text)
        try:
            await self._post_with_token(self._send_path, body)
        except WeChatAPIError as error:
            if error.errcode not in TOKEN_EXPIRED_CODES:
                raise
            self._tokens.invalidate()
            await self._post_with_token(self._send_path, body)

    async def aclose(self) -> None:
        await self._http.aclose()

    def _text_body(self, user_id: str, text: str) -> Dict[str, Any]:
        raise NotImplementedError

    def _token_request(self) -> Dict[str, str]:
        raise NotImplementedError

    async def _access_token(self) -> str:
        async with self._lock:  # one refresh at a time: concurrent sends share it
            token = self._tokens.get()
            if token is None:
                answer = await self._call("GET", self._token_path, params=self._token_request())
                token = answer.get("access_token")
                if not isinstance(token, str) or not token:
                    raise WeChatAPIError(-1, f"no access_token in reply: {answer}")
                self._tokens.put(token, float(answer.get("expires_in") or 7200))
            return token

    async def _post_with_token(self, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
        token = await self._access_token()
        # WeChat shows \\uXXXX escapes literally in some clients: send real UTF-8.
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return await self._call(
            "POST",
            path,
            params={"access_token": token},
            content=content,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )

    async def _call(self, method: str, path: str, **kwargs: Any) -> Dict[str, Any]:
        try:
            reply = await self._http.request(method, f"{self.base_url}{path}", **kwargs)
            reply.raise_for_status()
            answer = reply.json()
        except (httpx.HTTPError, ValueError) as error:
            raise WeChatAPIError(-1, f"{method} {path} failed: {error}") from error
        if not isinstance(answer, dict):
            raise WeChatAPIError(-1, f"{method} {path}: unexpected reply {answer!r}")
        errcode = answer.get("errcode") or 0
        if errcode:
            code = errcode if isinstance(errcode, int) else -1
            raise WeChatAPIError(code, str(answer.get("errmsg", "")))
        return answer


class OfficialAccountAPI(_TokenAPI):
    """公众号 customer-service messages (``message/custom/send``)."""

    _token_path = "/cgi-bin/token"
    _send_path = "/cgi-bin/message/custom/send"

    def __init__(
        self, base_url: str, app_id: str, app_secret: str, http: Optional[httpx.AsyncClient] = None
    ) -> None:
        super().__init__(base_url, http)
        self.app_id = app_id
        self._secret = app_secret

    def _token_request(self) -> Dict[str, str]:
        return {"grant_type": "client_credential", "appid": self.app_id, "secret": self._secret}

    async def send_template(self, user_id: str, template_id: str, data: Dict[str, str]) -> None:
        """A template message (not bound to the 48-hour window); ``data`` maps field → value."""
        body = {"touser": user_id, "template_id": template_id,
                "data": {name: {"value": value} for name, value in data.items()}}
        try:
            await self._post_with_token(TEMPLATE_PATH, body)
        except WeChatAPIError as error:
            if error.errcode not in TOKEN_EXPIRED_CODES:
                raise
            self._tokens.invalidate()
            await self._post_with_token(TEMPLATE_PATH, body)

    def _text_body(self, user_id: str, text: str) -> Dict[str, Any]:
        return {"touser": user_id, "msgtype": "text", "text": {"content": text}}


class WeComAPI(_TokenAPI):
    """企业微信 application messages (``message/send`` with ``agentid``)."""

    _token_path = "/cgi-bin/gettoken"
    _send_path = "/cgi-bin/message/send"

    def __init__(
        self,
        base_url: str,
        corp_id: str,
        secret: str,
        agent_id: str,
        http: Optional[httpx.AsyncClient] = None,
    ) -> None:
        super().__init__(base_url, http)
        self.corp_id = corp_id
        self._secret = secret
        self.agent_id = agent_id

    def _token_request(self) -> Dict[str, str]:
        return {"corpid": self.corp_id, "corpsecret": self._secret}

    def _text_body(self, user_id: str, text: str) -> Dict[str, Any]:
        agent: Any = int(self.agent_id) if str(self.agent_id).isdecimal() else self.agent_id
        return {"touser": user_id, "msgtype": "text", "agentid": agent, "text": {"content": text}}
