"""No request to /wechat or /wecom ends in a 500, however odd (docs/api.md §1: never a 500)."""

from __future__ import annotations

import random

import pytest
from channel_fakes import signature

ODD_BODIES = [
    b"", b"\xff\xfe\x00<xml>", b"<xml><Encrypt></Encrypt></xml>", b"<xml><Encrypt>!!!</Encrypt></xml>",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]><xml><MsgType>&a;</MsgType></xml>", b"<xml><MsgType><x/></MsgType></xml>",
    b"<xml><FromUserName><a/></FromUserName><MsgType>text</MsgType><Content>x</Content></xml>",
    b"<xml><FromUserName>u</FromUserName><MsgType>event</MsgType></xml>",
    b"<xml><FromUserName>u</FromUserName><MsgType>event</MsgType><Event>subscribe</Event><CreateTime>x</CreateTime></xml>",
    "<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>中文</Content><MsgId>1</MsgId></xml>".encode("gbk"),
]


@pytest.mark.parametrize("path", ["/wechat", "/wecom"])
async def test_odd_requests_get_4xx_never_5xx(gateway, channel_settings, path):
    client = gateway[1]
    rng = random.Random(20240601)
    token = channel_settings.wechat_token if path == "/wechat" else channel_settings.wecom_token
    for body in ODD_BODIES + [bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300))) for _ in range(20)]:
        timestamp, nonce = "1700000000", "n1"
        plain_sig = signature(token, timestamp, nonce)
        for query in (
            {},
            {"signature": plain_sig, "timestamp": timestamp, "nonce": nonce},
            {"signature": plain_sig, "timestamp": timestamp, "nonce": nonce, "encrypt_type": "aes",
             "msg_signature": plain_sig},
            {"msg_signature": "x" * 40, "timestamp": timestamp, "nonce": nonce, "echostr": "abc"},
        ):
            post = await client.post(path, params=query, content=body)
            get = await client.get(path, params=query)
            assert post.status_code < 500 and get.status_code < 500, (query, body)


async def test_oversized_body_is_413(official_account):
    response = await official_account.post("<xml>" + "长" * 40_000 + "</xml>")
    assert response.status_code == 413
