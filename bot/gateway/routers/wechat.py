"""WeChat Official Account (``/wechat``) and WeCom (``/wecom``) callbacks (docs/api.md §8).

GET answers WeChat's URL verification, POST receives messages and events and answers
passively within the 5-second window, or acknowledges empty and delivers the answer later
through the customer-service API (see ``bot.channels.conversation``).

Status codes: 404 while a channel is not configured, 403 for a bad signature or a wrong
AppID/CorpID, 400 for anything unreadable, 413 for an oversized body; never a 500.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Union

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from bot.channels.callback import Inbound, OfficialAccountCallback, WeComCallback
from bot.channels.conversation import WeChatConversation
from bot.channels.errors import MalformedCallback, RejectedCallback, WeChatAPIError
from bot.channels.wechat_api import CustomerServiceAPI, OfficialAccountAPI, WeComAPI
from bot.gateway.conversation import converse
from bot.gateway.deps import AppSettings, Rasa
from bot.gateway.limits import Limiter, build_limiter
from bot.gateway.rasa_client import RasaClient, RasaUnavailable
from bot.helpdesk import handoff
from bot.helpdesk.errors import STORE_ERRORS
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

router = APIRouter(tags=["微信"])

# WeChat messages are a few hundred bytes; anything far larger is not from WeChat.
MAX_BODY_BYTES = 64 * 1024

Codec = Union[OfficialAccountCallback, WeComCallback]


@dataclass
class Channel:
    """A configured channel: how to read its callbacks and its conversation state."""

    codec: Codec
    conversation: WeChatConversation


class _NoCustomerServiceAPI:
    """Stands in when no secret is configured: late answers are logged, not delivered."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    async def send_text(self, user_id: str, text: str) -> None:
        raise WeChatAPIError(-1, f"{self.channel}: no app secret configured, cannot send late answers")


def wechat_configured(settings: Settings) -> bool:
    """The Official Account endpoint is on when its token and AppID are set."""
    return bool(settings.wechat_token and settings.wechat_app_id)


def wecom_configured(settings: Settings) -> bool:
    """The WeCom endpoint is on when its token, CorpID and EncodingAESKey are set."""
    return bool(settings.wecom_token and settings.wecom_corp_id and settings.wecom_aes_key)


def _build_wechat(settings: Settings) -> Channel:
    api: CustomerServiceAPI = _NoCustomerServiceAPI("wechat")
    if settings.wechat_app_secret:
        official = OfficialAccountAPI(settings.wechat_api_base, settings.wechat_app_id, settings.wechat_app_secret)
        api = official
        _deliver_staff_replies("wechat", api)
        if settings.wechat_reply_template_id:
            handoff.register_notifier("wechat", _template_notifier(official, settings.wechat_reply_template_id))
    codec = OfficialAccountCallback(settings.wechat_token, settings.wechat_app_id, settings.wechat_aes_key)
    return Channel(codec, _conversation("wechat", api, settings))


def _build_wecom(settings: Settings) -> Channel:
    api: CustomerServiceAPI = _NoCustomerServiceAPI("wecom")
    if settings.wecom_secret and settings.wecom_agent_id:
        api = WeComAPI(
            settings.wecom_api_base, settings.wecom_corp_id, settings.wecom_secret, settings.wecom_agent_id
        )
        _deliver_staff_replies("wecom", api)
    codec = WeComCallback(settings.wecom_token, settings.wecom_corp_id, settings.wecom_aes_key)
    return Channel(codec, _conversation("wecom", api, settings))


def _deliver_staff_replies(name: str, api: CustomerServiceAPI) -> None:
    # Staff replies to a WeChat user cannot wait for a poll: they go out as customer-service messages.
    handoff.register_delivery(name, handoff.channel_delivery(api.send_text, (WeChatAPIError,)))


# What the template message says when a staff answer waits behind WeChat's 48-hour window.
WAITING_NOTICE = {
    "first": "您咨询的问题已有工作人员答复。",
    "keyword2": "人工答复待查看",
    "remark": "请在公众号内发送任意消息查看答复。",
}


def _template_notifier(api: OfficialAccountAPI, template_id: str) -> handoff.Notifier:
    async def notify(sender: str, ticket_id: str) -> None:
        user_id = sender.split(":", 1)[1] if ":" in sender else sender
        try:
            await api.send_template(user_id, template_id, {**WAITING_NOTICE, "keyword1": ticket_id})
        except WeChatAPIError as error:
            raise handoff.DeliveryFailed(str(error), error.errcode) from error

    return notify


def _conversation(name: str, api: CustomerServiceAPI, settings: Settings) -> WeChatConversation:
    return WeChatConversation(
        channel=name,
        api=api,
        passive_timeout_s=settings.wechat_passive_timeout_s,
        max_message_chars=settings.max_message_chars,
        sender_limits=_sender_limits(settings),
    )


def _sender_limits(settings: Settings) -> Optional[Limiter]:
    # Each channel has its own buckets: a web chat client picks its sender freely and so
    # must not be able to spend a WeChat user's tokens.
    if not settings.rate_limit_enabled:
        return None
    return build_limiter(settings, "channel", settings.sender_rate_per_min, settings.sender_burst)


_BUILDERS = {"wechat": (wechat_configured, _build_wechat), "wecom": (wecom_configured, _build_wecom)}


def channel_of(request: Request, name: str, settings: Settings) -> Optional[Channel]:
    """The app's channel ``name`` (built on first use, kept on ``app.state``), None when off."""
    configured, build = _BUILDERS[name]
    if not configured(settings):
        return None
    channels: Dict[str, Channel] = getattr(request.app.state, "wechat_channels", None) or {}
    if name not in channels:
        channels[name] = build(settings)
        request.app.state.wechat_channels = channels
    return channels[name]


def log_channel_state(settings: Optional[Settings] = None) -> None:
    """One log line per channel at startup: enabled, or disabled and how to enable it."""
    settings = settings or get_settings()
    for name, (configured, _) in _BUILDERS.items():
        if configured(settings):
            logger.info("%s callback enabled at /%s", name, name)
        else:
            logger.warning(
                "%s callback disabled (/%s answers 404): set POLICYBOT_%s_TOKEN and the other %s settings",
                name, name, name.upper(), name,
            )


async def _on_startup() -> None:
    log_channel_state()


# Copied into the app by include_router (an app built with a lifespan calls log_channel_state itself).
router.add_event_handler("startup", _on_startup)


def _status(status_code: int, text: str) -> PlainTextResponse:
    return PlainTextResponse(text, status_code=status_code)


async def _verify(request: Request, name: str, settings: Settings) -> Response:
    channel = channel_of(request, name, settings)
    if channel is None:
        return _status(404, "未启用")
    try:
        return PlainTextResponse(channel.codec.verify_url(request.query_params))
    except RejectedCallback as error:
        logger.warning("%s: URL verification rejected: %s", name, error)
        return _status(403, "签名校验失败")
    except MalformedCallback as error:
        return _status(400, f"请求无法解析：{error}")


async def _receive(request: Request, name: str, settings: Settings, rasa: RasaClient) -> Response:
    channel = channel_of(request, name, settings)
    if channel is None:
        return _status(404, "未启用")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _status(413, "请求过大")
    try:
        inbound = channel.codec.decode(request.query_params, body)
    except RejectedCallback as error:
        logger.warning("%s: callback rejected: %s", name, error)
        return _status(403, "签名或账号校验失败")
    except MalformedCallback as error:
        logger.info("%s: unreadable callback: %s", name, error)
        return _status(400, "消息无法解析")
    text = await _answer(channel.conversation, inbound, rasa, await _held_for(name, inbound))
    if text is None:
        return PlainTextResponse(channel.codec.empty_ack)
    return Response(channel.codec.encode(request.query_params, inbound, text), media_type="application/xml")


async def _held_for(name: str, inbound: Inbound) -> List[str]:
    """Staff messages that waited for this user to write again (WeChat's window was closed)."""
    if inbound.text is None and inbound.kind == "event":
        return []  # e.g. unsubscribe: no reply reaches the user
    try:
        return await handoff.take_undelivered(f"{name}:{inbound.user_id}")
    except STORE_ERRORS as error:
        logger.error("%s: held staff replies for %s not read: %s", name, inbound.user_id, error)
        return []


async def _answer(
    conversation: WeChatConversation, inbound: Inbound, rasa: RasaClient, held: List[str]
) -> Optional[str]:
    if inbound.text is None and inbound.kind in ("text", "voice", "image", "video", "shortvideo"):
        if held:
            return conversation.held_first(inbound.user_id, held)
        return conversation.unsupported()

    async def rasa_send(sender: str, message: str, metadata: Dict[str, Any]) -> List[Dict[str, Any]]:
        try:
            return await converse(rasa, sender, message, metadata)
        except RasaUnavailable as error:
            raise ConnectionError(str(error)) from error

    return await conversation.reply(inbound.dedup_key, inbound.user_id, inbound.text, rasa_send, held)


@router.get("/wechat", summary="公众号服务器地址校验（echostr）", response_class=PlainTextResponse)
async def wechat_verify(request: Request, settings: AppSettings) -> Response:
    return await _verify(request, "wechat", settings)


@router.post("/wechat", summary="公众号消息与事件（明文或安全模式），被动回复或客服消息")
async def wechat_receive(
    request: Request,
    settings: AppSettings,
    rasa: Rasa,
) -> Response:
    return await _receive(request, "wechat", settings, rasa)


@router.get("/wecom", summary="企业微信回调地址校验（解密 echostr）", response_class=PlainTextResponse)
async def wecom_verify(request: Request, settings: AppSettings) -> Response:
    return await _verify(request, "wecom", settings)


@router.post("/wecom", summary="企业微信消息与事件（加密），被动回复或应用消息")
async def wecom_receive(
    request: Request,
    settings: AppSettings,
    rasa: Rasa,
) -> Response:
    return await _receive(request, "wecom", settings, rasa)
