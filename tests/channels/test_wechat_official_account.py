"""公众号 callback /wechat, driven exactly as WeChat's servers drive it (wechatpy as the client side)."""

from __future__ import annotations

import asyncio
import time

import pytest
from channel_fakes import build_app, event_xml, text_xml
from wechatpy.crypto import WeChatCrypto

from bot.gateway.rasa_client import RasaClient
from bot.settings import Settings


def conversation(app, name="wechat"):
    return app.state.wechat_channels[name].conversation


# ---- URL verification and signatures ----


async def test_url_verification_echoes_echostr(gateway, official_account):
    query = {**official_account.signed_query(), "echostr": "8122365829471046987"}
    response = await gateway[1].get("/wechat", params=query)
    assert response.status_code == 200
    assert response.text == "8122365829471046987"


async def test_url_verification_with_wrong_token_is_403(gateway, official_account):
    query = {**official_account.signed_query(token="not-our-token"), "echostr": "123"}
    response = await gateway[1].get("/wechat", params=query)
    assert response.status_code == 403
    assert "123" not in response.text


async def test_url_verification_without_signature_is_403(gateway):
    response = await gateway[1].get("/wechat", params={"echostr": "123"})
    assert response.status_code == 403


async def test_message_with_bad_signature_is_403_and_never_reaches_rasa(official_account, fake_rasa):
    response = await official_account.text("你好", msg_id=1001, token="forged-token")
    assert response.status_code == 403
    assert fake_rasa.texts() == []


async def test_safe_mode_message_for_another_app_id_is_403(official_account, channel_settings, fake_rasa):
    # Same token and key, but sealed for a different AppID: wechatpy raises InvalidAppIdException.
    other = WeChatCrypto(channel_settings.wechat_token, channel_settings.wechat_aes_key, "wxOTHERAPPID00000")
    response = await official_account.text("你好", msg_id=1002, safe=True, crypto=other)
    assert response.status_code == 403
    assert fake_rasa.texts() == []


@pytest.mark.parametrize(
    "body",
    [
        "",
        "这不是XML",
        "<xml><MsgType><![CDATA[text]]></MsgType>",  # unclosed
        "<xml></xml>",
        "<xml><MsgType><![CDATA[text]]></MsgType><Content>无发送者</Content></xml>",
        "<xml><FromUserName>o1</FromUserName><MsgType>text</MsgType><MsgId>abc</MsgId></xml>",
        "<other><MsgType>text</MsgType></other>",
    ],
)
async def test_malformed_xml_is_400(official_account, fake_rasa, body):
    response = await official_account.post(body)
    assert response.status_code == 400
    assert fake_rasa.texts() == []


async def test_safe_mode_with_garbage_ciphertext_is_400(official_account, channel_settings):
    query = official_account.signed_query()
    encrypt = "bm90IGEgcmVhbCBjaXBoZXJ0ZXh0IGF0IGFsbA=="
    from channel_fakes import signature

    query.update(encrypt_type="aes",
                 msg_signature=signature(channel_settings.wechat_token, query["timestamp"], query["nonce"], encrypt))
    body = f"<xml><ToUserName>gh_1</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    response = await official_account.client.post("/wechat", params=query, content=body)
    assert response.status_code == 400


# ---- conversation ----


async def test_plain_text_message_gets_passive_reply_with_bot_text(official_account, fake_rasa):
    response = await official_account.text("六安省级智能工厂奖励多少", msg_id=2001)
    assert response.status_code == 200
    reply = official_account.reply(response)
    assert reply["MsgType"] == "text"
    assert reply["Content"] == "收到：六安省级智能工厂奖励多少"
    assert reply["ToUserName"] == "o-user-1"
    assert reply["FromUserName"] == official_account.account
    assert fake_rasa.messages == [
        {"sender": "wechat:o-user-1", "message": "六安省级智能工厂奖励多少", "metadata": {"channel": "wechat", "message_id": "wechat:msg:2001"}}
    ]


async def test_safe_mode_text_message_gets_encrypted_passive_reply(official_account, fake_rasa):
    response = await official_account.text("你好", msg_id=2002, safe=True)
    assert response.status_code == 200
    assert "<Encrypt>" in response.text and "收到" not in response.text
    assert official_account.reply(response)["Content"] == "收到：你好"


async def test_retried_msg_id_reaches_rasa_once(official_account, fake_rasa):
    fake_rasa.delay_s = 1.0  # WeChat retries while the first delivery is still being answered
    first, retry = await asyncio.gather(
        official_account.text("你好", msg_id=3001), official_account.text("你好", msg_id=3001)
    )
    assert [official_account.reply(r)["Content"] for r in (first, retry)] == ["收到：你好"] * 2
    late_retry = await official_account.text("你好", msg_id=3001)
    assert official_account.reply(late_retry)["Content"] == "收到：你好"
    assert fake_rasa.texts() == ["你好"]


async def test_slow_answer_acks_empty_then_sends_one_customer_service_message(
    gateway, official_account, channel_settings, fake_rasa, fake_wechat_api
):
    channel_settings.wechat_passive_timeout_s = 0.3
    fake_rasa.delay_s = 2.0
    started = time.monotonic()
    first = await official_account.text("研发费用加计扣除怎么算", msg_id=4001)
    assert first.status_code == 200 and first.text == "success"
    assert time.monotonic() - started < fake_rasa.delay_s  # acknowledged before the answer existed
    assert fake_wechat_api.delivered() == []
    retry = await official_account.text("研发费用加计扣除怎么算", msg_id=4001)
    assert retry.text == "success"
    await conversation(gateway[0]).drain()
    delivered = fake_wechat_api.delivered()
    assert [d["body"] for d in delivered] == [
        {"touser": "o-user-1", "msgtype": "text", "text": {"content": "收到：研发费用加计扣除怎么算"}}
    ]
    assert delivered[0]["path"] == "/cgi-bin/message/custom/send"
    assert fake_wechat_api.token_requests[0]["appid"] == channel_settings.wechat_app_id
    assert fake_rasa.texts() == ["研发费用加计扣除怎么算"]
    # A retry after the answer went out is still only acknowledged.
    assert (await official_account.text("研发费用加计扣除怎么算", msg_id=4001)).text == "success"
    await conversation(gateway[0]).drain()
    assert len(fake_wechat_api.delivered()) == 1


async def test_buttons_become_numbered_choices_answered_by_number(official_account, fake_rasa):
    def responder(body):
        if body["message"] == "奖励":
            return [{"recipient_id": body["sender"], "text": "您想了解哪一项？",
                     "buttons": [{"title": "省级智能工厂", "payload": '/ask_award{"honor":"省级智能工厂"}'},
                                 {"title": "市级绿色工厂", "payload": '/ask_award{"honor":"市级绿色工厂"}'}]}]
        return [{"recipient_id": body["sender"], "text": f"收到：{body['message']}"}]

    fake_rasa.responder = responder
    offered = official_account.reply(await official_account.text("奖励", msg_id=5001))
    assert offered["Content"] == "您想了解哪一项？\n回复数字选择：\n1. 省级智能工厂\n2. 市级绿色工厂"
    await official_account.text("2", msg_id=5002)
    assert fake_rasa.texts()[-1] == '/ask_award{"honor":"市级绿色工厂"}'
    # The last answer had no buttons: a bare number is now just a number (e.g. an amount).
    await official_account.text("2", msg_id=5003)
    assert fake_rasa.texts()[-1] == "2"


async def test_choices_are_remembered_per_user(official_account, fake_rasa):
    fake_rasa.responder = lambda body: [{"text": "选吧", "buttons": [{"title": "是", "payload": "/affirm"}]}]
    await official_account.text("问", msg_id=5101, user="o-alice")
    fake_rasa.responder = lambda body: [{"text": "好"}]
    await official_account.text("1", msg_id=5102, user="o-bob")
    await official_account.text("1", msg_id=5103, user="o-alice")
    assert fake_rasa.texts() == ["问", "1", "/affirm"]


async def test_long_answer_is_split_within_2048_bytes(gateway, official_account, fake_rasa, fake_wechat_api):
    lines = [f"第{i}条：" + "技术改造项目说明" * 12 for i in range(1, 21)]
    fake_rasa.responder = lambda body: [{"text": "\n".join(lines)}]
    passive = official_account.reply(await official_account.text("详细说说", msg_id=6001))["Content"]
    await conversation(gateway[0]).drain()
    rest = [d["body"]["text"]["content"] for d in fake_wechat_api.delivered()]
    pieces = [passive] + rest
    assert len(pieces) >= 2
    assert all(len(piece.encode("utf-8")) <= 2048 for piece in pieces)
    assert "\n".join(pieces).split("\n") == lines  # split on line breaks, nothing lost


async def test_subscribe_and_menu_click_events_reach_rasa_once(official_account, fake_rasa):
    account = official_account.account
    subscribe = event_xml(account, "o-new", "subscribe", create_time=1700000000)
    first = await official_account.post(subscribe)
    await official_account.post(subscribe)  # WeChat's retry: same FromUserName + CreateTime
    click = await official_account.post(event_xml(account, "o-new", "CLICK", key="/ask_policy_overview"))
    assert official_account.reply(first)["Content"] == "收到：/greet"
    assert official_account.reply(click)["Content"] == "收到：/ask_policy_overview"
    assert fake_rasa.texts() == ["/greet", "/ask_policy_overview"]


async def test_unsubscribe_is_acknowledged_without_asking_rasa(official_account, fake_rasa):
    response = await official_account.post(event_xml(official_account.account, "o-gone", "unsubscribe"))
    assert response.status_code == 200 and response.text == "success"
    assert fake_rasa.texts() == []


async def test_image_message_gets_a_text_only_notice(official_account, fake_rasa):
    xml = text_xml(official_account.account, "o-user-1", "x", 7001).replace(
        "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[x]]></Content>",
        "<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://example.invalid/a.jpg]]></PicUrl>"
        "<MediaId><![CDATA[m1]]></MediaId>",
    )
    reply = official_account.reply(await official_account.post(xml))
    assert "文字" in reply["Content"]
    assert fake_rasa.texts() == []


async def test_too_long_message_is_refused_without_asking_rasa(official_account, channel_settings, fake_rasa):
    text = "很" * (channel_settings.max_message_chars + 1)
    reply = official_account.reply(await official_account.text(text, msg_id=7101))
    assert "消息过长" in reply["Content"]
    assert fake_rasa.texts() == []


async def test_rasa_down_says_the_system_is_recovering_not_a_500(channel_settings):
    import httpx

    dead = RasaClient(["http://127.0.0.1:9"], timeout_s=2.0)  # discard port: connection refused
    app = build_app(channel_settings, dead)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        from channel_fakes import OfficialAccountSim

        response = await OfficialAccountSim(channel_settings, client).text("你好", msg_id=8001)
    await dead.aclose()
    assert response.status_code == 200
    assert "系统正在恢复，请稍后再试" in response.text


async def test_endpoints_are_404_when_not_configured(rasa_client):
    import httpx

    app = build_app(Settings(wechat_token=None, wecom_token=None), rasa_client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        statuses = [
            (await client.get("/wechat")).status_code,
            (await client.post("/wechat", content="<xml/>")).status_code,
            (await client.get("/wecom")).status_code,
            (await client.post("/wecom", content="<xml/>")).status_code,
        ]
    assert statuses == [404, 404, 404, 404]


def test_startup_logs_one_line_per_channel(caplog):
    from bot.gateway.routers.wechat import log_channel_state

    with caplog.at_level("INFO", logger="bot.gateway.routers.wechat"):
        log_channel_state(Settings(wechat_token="t", wechat_app_id="wx1", wecom_token=None))
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "wechat callback enabled at /wechat",
        "wecom callback disabled (/wecom answers 404): set POLICYBOT_WECOM_TOKEN and the other wecom settings",
    ]
