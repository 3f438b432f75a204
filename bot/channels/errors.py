"""Named exceptions of the channels package; the routers turn them into HTTP status codes."""

from __future__ import annotations


class ChannelError(Exception):
    """Base class of every error raised by ``bot.channels``."""


class MalformedCallback(ChannelError):
    """The callback body or query cannot be read (bad XML, missing field, undecryptable): HTTP 400."""


class RejectedCallback(ChannelError):
    """The callback is not from our WeChat account (bad signature, wrong AppID/CorpID): HTTP 403."""


class WeChatAPIError(ChannelError):
    """The WeChat/WeCom server API answered with a non-zero ``errcode`` or an unusable reply."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
