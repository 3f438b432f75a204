"""Reading and answering WeChat callbacks: signatures, AES (safe mode), XML, passive replies.

wechatpy does the cryptography; this module only decides what each failure means:
a signature or AppID/CorpID that does not match is :class:`RejectedCallback` (403), anything
that cannot be read is :class:`MalformedCallback` (400). Nothing else escapes.

- Official Account (公众号): plain mode signs the query (``signature``); safe mode
  (``encrypt_type=aes``) also signs and encrypts the body (``msg_signature``). URL
  verification echoes ``echostr`` after the plain signature check.
- WeCom (企业微信): always encrypted; URL verification decrypts ``echostr``.
"""

from __future__ import annotations

import binascii
import struct
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional
from xml.parsers.expat import ExpatError

from wechatpy import parse_message as parse_official_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise import parse_message as parse_wecom_message
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.enterprise.replies import TextReply as WeComTextReply
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from bot.channels.errors import MalformedCallback, RejectedCallback

# Rasa payload sent when someone follows the account: the bot greets them.
SUBSCRIBE_MESSAGE = "/greet"

_UNREADABLE = (
    ExpatError,
    KeyError,
    TypeError,
    ValueError,  # also UnicodeDecodeError and binascii.Error
    AttributeError,
    IndexError,
    struct.error,
    binascii.Error,
)


@dataclass
class Inbound:
    """One message or event from a user, reduced to what the conversation needs.

    ``text`` is what goes to Rasa (None: nothing to ask, e.g. an image or an unsubscribe);
    ``dedup_key`` identifies a delivery so WeChat's retries are recognised.
    """

    user_id: str
    text: Optional[str]
    dedup_key: str
    kind: str
    message: Any  # the wechatpy message, needed to address the reply


@contextmanager
def _reading(what: str) -> Iterator[None]:
    """Turn wechatpy's and the XML parser's exceptions into our two named ones."""
    try:
        yield
    except (InvalidSignatureException, InvalidAppIdException, InvalidCorpIdException) as error:
        raise RejectedCallback(f"{what}: {error}") from error
    except _UNREADABLE as error:
        raise MalformedCallback(f"{what}: {type(error).__name__}: {error}") from error


def _required(query: Mapping[str, str], *names: str) -> list:
    missing = [name for name in names if not query.get(name)]
    if missing:
        raise RejectedCallback(f"missing query parameters: {', '.join(missing)}")
    return [query[name] for name in names]


def to_inbound(message: Any) -> Inbound:
    """Reduce a parsed wechatpy message to an :class:`Inbound` (raises the unreadable errors)."""
    user_id = message.source
    if not isinstance(user_id, str) or not user_id:
        raise KeyError("FromUserName")
    kind = message.type
    text: Optional[str] = None
    if kind == "text":
        text = message.content
    elif kind == "voice":
        text = message.recognition  # WeChat's own speech recognition, when switched on
    elif kind == "event":
        text = _event_text(message)
    if text is not None and (not isinstance(text, str) or not text.strip()):
        text = None
    msg_id = message.id  # events carry no MsgId: WeChat says to use FromUserName + CreateTime
    dedup_key = f"msg:{msg_id}" if msg_id else f"evt:{user_id}:{int(message.time)}"
    return Inbound(user_id=user_id, text=text, dedup_key=dedup_key, kind=kind, message=message)


def _event_text(event: Any) -> Optional[str]:
    if event.event in ("subscribe", "subscribe_scan"):
        return SUBSCRIBE_MESSAGE
    if event.event == "click":
        return event.key  # menu keys are Rasa payloads ("/ask_award") or plain questions
    return None


def _cdata_safe(text: str) -> str:
    # Replies are wrapped in CDATA; a literal "]]>" would end it early.
    return text.replace("]]>", "]] >")


class OfficialAccountCallback:
    """公众号 callbacks, plain or safe mode (safe mode needs the EncodingAESKey)."""

    empty_ack = "success"  # WeChat's documented "no reply, do not retry"

    def __init__(self, token: str, app_id: str, aes_key: Optional[str] = None) -> None:
        self.token = token
        self.app_id = app_id
        self._crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None

    def verify_url(self, query: Mapping[str, str]) -> str:
        """The ``echostr`` to send back when the URL check is signed by our token."""
        self._check_query_signature(query)
        (echostr,) = _required(query, "echostr")
        return echostr

    def decode(self, query: Mapping[str, str], body: bytes) -> Inbound:
        """Check the signature(s), decrypt in safe mode and parse the message."""
        self._check_query_signature(query)
        with _reading("official account message"):
            xml = body
            if query.get("encrypt_type") == "aes":
                xml = self._decrypt(query, body)
            return to_inbound(parse_official_message(xml))

    def encode(self, query: Mapping[str, str], inbound: Inbound, text: str) -> str:
        """A passive text reply to ``inbound``, encrypted when the request was."""
        reply = TextReply(message=inbound.message, content=_cdata_safe(text)).render()
        if query.get("encrypt_type") == "aes" and self._crypto is not None:
            return self._crypto.encrypt_message(reply, query["nonce"], query["timestamp"])
        return reply

    def _check_query_signature(self, query: Mapping[str, str]) -> None:
        signature, timestamp, nonce = _required(query, "signature", "timestamp", "nonce")
        with _reading("signature"):
            check_signature(self.token, signature, timestamp, nonce)

    def _decrypt(self, query: Mapping[str, str], body: bytes) -> str:
        if self._crypto is None:
            raise MalformedCallback("safe-mode message but no EncodingAESKey is configured")
        (msg_signature,) = _required(query, "msg_signature")
        return self._crypto.decrypt_message(body, msg_signature, query["timestamp"], query["nonce"])


class WeComCallback:
    """企业微信 callbacks: every message and the URL check are encrypted."""

    empty_ack = ""  # WeCom: an empty body means "no passive reply"

    def __init__(self, token: str, corp_id: str, aes_key: str) -> None:
        self.corp_id = corp_id
        self._crypto = WeComCrypto(token, aes_key, corp_id)

    def verify_url(self, query: Mapping[str, str]) -> str:
        """The decrypted ``echostr``, after checking its signature and CorpID."""
        signature, timestamp, nonce, echostr = _required(
            query, "msg_signature", "timestamp", "nonce", "echostr"
        )
        with _reading("wecom url verification"):
            return self._crypto.check_signature(signature, timestamp, nonce, echostr)

    def decode(self, query: Mapping[str, str], body: bytes) -> Inbound:
        """Check the signature and CorpID, decrypt and parse the message."""
        signature, timestamp, nonce = _required(query, "msg_signature", "timestamp", "nonce")
        with _reading("wecom message"):
            xml = self._crypto.decrypt_message(body, signature, timestamp, nonce)
            return to_inbound(parse_wecom_message(xml))

    def encode(self, query: Mapping[str, str], inbound: Inbound, text: str) -> str:
        """An encrypted passive text reply to ``inbound``."""
        reply = WeComTextReply(message=inbound.message, content=_cdata_safe(text)).render()
        return self._crypto.encrypt_message(reply, query["nonce"], query["timestamp"])
