"""Fakes for the channel tests: real HTTP servers on loopback for Rasa and the WeChat API,
and the WeChat servers' side of a callback (messages built, signed and sealed with wechatpy).

Servers:

- ``fake_rasa``: ``tests.support.fake_rasa.FakeRasa`` (Rasa's REST channel, shared with the
  browser and reliability tests): records every message, answers after a configurable delay
  with a configurable responder.
- ``fake_wechat_api``: the access-token and message-send endpoints of the Official Account
  and WeCom APIs; records every call and can declare all issued tokens expired. It enforces
  WeChat's 48-hour window: a message to a user whose last message (told by the simulators
  below) is older than that is refused with errcode 45015; its clock can be moved forward.

The gateway under test is a FastAPI app with the channel routers, whose settings and Rasa
client are swapped through ``app.dependency_overrides``; it is driven in process through
httpx's ASGI transport, while its outgoing calls go over real sockets to the fakes.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
import uuid
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qs, urlparse

import httpx
import xmltodict
from fastapi import FastAPI
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import PrpCrypto as WeComPrpCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto

from bot.gateway.deps import get_rasa_client
from bot.gateway.rasa_client import RasaClient
from bot.gateway.routers import web, wechat
from bot.settings import Settings, get_settings
from tests.support.loopback import JSONHandler, LoopbackServer


class FakeWeChatAPI(LoopbackServer):
    """Token + send endpoints of both APIs; a token stays valid until ``expire_tokens()``."""

    def __init__(self) -> None:
        super().__init__(_WeChatAPIHandler)
        self.token_requests: List[Dict[str, str]] = []
        self.sends: List[Dict[str, Any]] = []  # every send attempt: path, token, body, accepted
        self.valid_tokens: set = set()
        self.issued = 0
        self.expired_code = 42001
        self.window_s = 48 * 3600.0
        self.offset_s = 0.0  # advance(): the fake's clock runs this far ahead of the real one
        self.last_message_at: Dict[str, float] = {}
        self.templates: List[Dict[str, Any]] = []

    def now(self) -> float:
        return time.time() + self.offset_s

    def advance(self, hours: float) -> None:
        with self.lock:
            self.offset_s += hours * 3600.0

    def user_messaged(self, user: str) -> None:
        """The user wrote to the account: the 48-hour window opens (again)."""
        with self.lock:
            self.last_message_at[user] = self.now()

    def window_closed(self, user: Any) -> bool:
        last = self.last_message_at.get(user)
        return last is not None and self.now() - last > self.window_s

    def issue_token(self) -> str:
        with self.lock:
            token = f"token-{self.issued}"
            self.issued += 1
            self.valid_tokens.add(token)
            return token

    def expire_tokens(self, code: int = 42001) -> None:
        """Every token issued so far is rejected from now on with ``code``."""
        with self.lock:
            self.valid_tokens.clear()
            self.expired_code = code

    def delivered(self) -> List[Dict[str, Any]]:
        with self.lock:
            return [send for send in self.sends if send["accepted"]]


class _WeChatAPIHandler(JSONHandler):
    def do_GET(self) -> None:
        fake: FakeWeChatAPI = self.server.owner
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path not in ("/cgi-bin/token", "/cgi-bin/gettoken"):
            self._reply({"errcode": 404, "errmsg": "not found"}, 404)
            return
        with fake.lock:
            fake.token_requests.append({"path": url.path, **query})
        self._reply({"access_token": fake.issue_token(), "expires_in": 7200})

    def do_POST(self) -> None:
        fake: FakeWeChatAPI = self.server.owner
        url = urlparse(self.path)
        token = parse_qs(url.query).get("access_token", [""])[0]
        body = self._json_body()
        with fake.lock:
            valid = token in fake.valid_tokens
            if valid and url.path.endswith("/template/send"):
                fake.templates.append(body)
                self._reply({"errcode": 0, "errmsg": "ok", "msgid": len(fake.templates)})
                return
            closed = valid and fake.window_closed(body.get("touser"))
            accepted = valid and not closed
            fake.sends.append({"path": url.path, "token": token, "body": body, "accepted": accepted})
            code = fake.expired_code
        if accepted:
            self._reply({"errcode": 0, "errmsg": "ok"})
        elif closed:
            self._reply({"errcode": 45015, "errmsg": "response out of time limit or subscription is canceled"})
        else:
            self._reply({"errcode": code, "errmsg": "access_token expired"})


def new_aes_key() -> str:
    """A fresh EncodingAESKey: 43 characters of base64, as the WeChat console generates."""
    return base64.b64encode(os.urandom(32)).decode("ascii").rstrip("=")


def build_app(settings: Settings, rasa_client: Optional[RasaClient]) -> FastAPI:
    """A gateway app with the channel routers, its settings and Rasa client swapped."""
    app = FastAPI()
    app.include_router(web.router)
    app.include_router(wechat.router)
    app.dependency_overrides[get_settings] = lambda: settings
    if rasa_client is not None:
        app.dependency_overrides[get_rasa_client] = lambda: rasa_client
    return app


# ---- the WeChat servers' side: messages built, signed and encrypted as WeChat does ----


def signature(*parts: str) -> str:
    """WeChat's SHA1 over the sorted, concatenated parts (token, timestamp, nonce[, encrypt])."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def text_xml(to: str, user: str, content: str, msg_id: int, agent_id: Optional[str] = None) -> str:
    agent = f"<AgentID>{agent_id}</AgentID>" if agent_id else ""
    return (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId>{agent}</xml>"
    )


def event_xml(to: str, user: str, event: str, key: str = "", create_time: Optional[int] = None) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
        f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>"
    )


def _encrypted(crypto: Any, xml: str, nonce: str, timestamp: str) -> Dict[str, str]:
    envelope = xmltodict.parse(crypto.encrypt_message(xml, nonce, timestamp))["xml"]
    return {"encrypt": envelope["Encrypt"], "msg_signature": envelope["MsgSignature"]}


class OfficialAccountSim:
    """What WeChat's servers send to an Official Account's server URL."""

    account = "gh_0123456789ab"

    def __init__(self, settings: Settings, client: httpx.AsyncClient, api: Optional[FakeWeChatAPI] = None) -> None:
        self.settings = settings
        self.client = client
        self.api = api  # told of every user message (the 48-hour window)
        self.crypto = WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_app_id)

    def signed_query(self, token: Optional[str] = None) -> Dict[str, str]:
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:10]
        sig = signature(token or self.settings.wechat_token, timestamp, nonce)
        return {"signature": sig, "timestamp": timestamp, "nonce": nonce}

    async def post(self, xml: str, safe: bool = False, token: Optional[str] = None,
                   crypto: Any = None) -> httpx.Response:
        query = self.signed_query(token)
        body = xml
        if safe:
            sealed = _encrypted(crypto or self.crypto, xml, query["nonce"], query["timestamp"])
            query.update(encrypt_type="aes", msg_signature=sealed["msg_signature"])
            body = (f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>"
                    f"<Encrypt><![CDATA[{sealed['encrypt']}]]></Encrypt></xml>")
        response = await self.client.post("/wechat", params=query, content=body.encode("utf-8"))
        response.sent_query = query  # for reading an encrypted reply
        return response

    async def text(self, content: str, msg_id: int, user: str = "o-user-1", **kwargs: Any) -> httpx.Response:
        if self.api is not None:
            self.api.user_messaged(user)
        return await self.post(text_xml(self.account, user, content, msg_id), **kwargs)

    def reply(self, response: httpx.Response) -> Dict[str, str]:
        """The passive reply's fields, decrypted when it was encrypted."""
        message = xmltodict.parse(response.text)["xml"]
        if "Encrypt" in message:
            plain = self.crypto.decrypt_message(
                response.text, message["MsgSignature"], message["TimeStamp"], message["Nonce"]
            )
            message = xmltodict.parse(plain)["xml"]
        return message


class WeComSim:
    """What WeCom's servers send to an application's callback URL (always encrypted)."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient, api: Optional[FakeWeChatAPI] = None) -> None:
        self.settings = settings
        self.client = client
        self.api = api
        self.crypto = WeComCrypto(settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id)

    def _stamp(self) -> Dict[str, str]:
        return {"timestamp": str(int(time.time())), "nonce": uuid.uuid4().hex[:10]}

    def verify_query(self, echo_plain: str, corp_id: Optional[str] = None) -> Dict[str, str]:
        query = self._stamp()
        echostr = WeComPrpCrypto(self.crypto.key).encrypt(echo_plain, corp_id or self.settings.wecom_corp_id)
        echostr = echostr.decode("ascii")
        sig = signature(self.settings.wecom_token, query["timestamp"], query["nonce"], echostr)
        return {**query, "echostr": echostr, "msg_signature": sig}

    async def post(self, xml: str, crypto: Any = None, tamper: bool = False) -> httpx.Response:
        query = self._stamp()
        sealed = _encrypted(crypto or self.crypto, xml, query["nonce"], query["timestamp"])
        sig = sealed["msg_signature"]
        query["msg_signature"] = ("0" if sig[0] != "0" else "1") + sig[1:] if tamper else sig
        body = (f"<xml><ToUserName><![CDATA[{self.settings.wecom_corp_id}]]></ToUserName>"
                f"<AgentID><![CDATA[{self.settings.wecom_agent_id}]]></AgentID>"
                f"<Encrypt><![CDATA[{sealed['encrypt']}]]></Encrypt></xml>")
        return await self.client.post("/wecom", params=query, content=body.encode("utf-8"))

    async def text(self, content: str, msg_id: int, user: str = "zhangsan", **kwargs: Any) -> httpx.Response:
        if self.api is not None:
            self.api.user_messaged(user)
        xml = text_xml(self.settings.wecom_corp_id, user, content, msg_id, self.settings.wecom_agent_id)
        return await self.post(xml, **kwargs)

    def reply(self, response: httpx.Response) -> Dict[str, str]:
        envelope = xmltodict.parse(response.text)["xml"]
        plain = self.crypto.decrypt_message(
            response.text, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
        )
        return xmltodict.parse(plain)["xml"]

