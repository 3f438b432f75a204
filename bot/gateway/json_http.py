"""The gateway's HTTP client for Rasa: aiohttp underneath, httpx's surface on top.

Every chat message is one POST from the gateway to Rasa. Through ``httpx.AsyncClient`` that
POST cost ≈2.5 ms of the gateway's ≈6 ms of CPU per message (py-spy, the chat benchmark);
aiohttp does the same request for a fraction of it. The callers (``RasaClient``, the
cluster's client, the channels) were written against httpx — ``post``/``get``, a reply with
``status_code``, ``json()`` and ``raise_for_status()``, and httpx's exceptions — so this
client keeps exactly that surface: a refused connection raises ``httpx.ConnectError``, a
server that drops the connection ``httpx.RemoteProtocolError``, a read or write failure
``httpx.ReadError``, a timeout ``httpx.ReadTimeout`` and an error answer
``httpx.HTTPStatusError``.

Idle connections are closed after ``KEEPALIVE_S`` (2 s), before Sanic's keep-alive (5 s)
ends on Rasa's side, so a message never goes out on a connection Rasa is closing.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Optional

import aiohttp
import httpx

KEEPALIVE_S = 2.0


class JSONReply:
    """The part of ``httpx.Response`` the gateway uses."""

    def __init__(self, method: str, url: str, status_code: int, content: bytes) -> None:
        self.method, self.url, self.status_code, self.content = method, url, status_code, content

    def json(self) -> Any:
        return json.loads(self.content)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            request = httpx.Request(self.method, self.url)
            response = httpx.Response(self.status_code, request=request, content=self.content)
            raise httpx.HTTPStatusError(f"{self.status_code} from {self.url}", request=request, response=response)


class JSONClient:
    """``post(url, json=…)`` and ``get(url)`` like ``httpx.AsyncClient``, over one aiohttp
    session per event loop."""

    def __init__(self, timeout_s: float = 30.0) -> None:
        self.timeout_s = timeout_s
        self._session: Optional[aiohttp.ClientSession] = None

    async def post(self, url: str, json: Any = None, timeout: Optional[float] = None) -> JSONReply:
        return await self._request("POST", url, json, timeout)

    async def get(self, url: str, timeout: Optional[float] = None) -> JSONReply:
        return await self._request("GET", url, None, timeout)

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _session_for_this_loop(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        session = self._session
        if session is None or session.closed or session._loop is not loop:
            # A session belongs to the loop it was made in (a test client may run each request
            # in a new one); the old loop is gone, so is the old session's use.
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S))
            self._session = session
        return session

    async def _request(self, method: str, url: str, body: Any, timeout: Optional[float]) -> JSONReply:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"} if data is not None else None
        limit = aiohttp.ClientTimeout(total=self.timeout_s if timeout is None else timeout)
        try:
            async with self._session_for_this_loop().request(method, url, data=data, headers=headers,
                                                             timeout=limit) as reply:
                return JSONReply(method, url, reply.status, await reply.read())
        except aiohttp.ClientConnectorError as error:
            raise httpx.ConnectError(f"{url}: {error}") from error
        except aiohttp.ServerDisconnectedError as error:
            raise httpx.RemoteProtocolError(f"{url}: {error}") from error
        except (aiohttp.ClientOSError, aiohttp.ClientPayloadError) as error:
            raise httpx.ReadError(f"{url}: {error}") from error
        except asyncio.TimeoutError as error:
            raise httpx.ReadTimeout(f"{url}: no answer in {limit.total} s") from error
