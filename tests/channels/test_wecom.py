"""企业微信 callback /wecom: always encrypted, sealed with wechatpy's enterprise crypto as WeCom does."""

from __future__ import annotations

from channel_fakes import text_xml
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto


async def test_url_verification_returns_decrypted_echostr(gateway, wecom):
    response = await gateway[1].get("/wecom", params=wecom.verify_query("1616140317555161061"))
    assert response.status_code == 200
    assert response.text == "1616140317555161061"


async def test_url_verification_for_another_corp_id_is_403(gateway, wecom):
    query = wecom.verify_query("1616140317555161061", corp_id="wwSOMEONEELSE0000")
    response = await gateway[1].get("/wecom", params=query)
    assert response.status_code == 403
    assert "1616140317555161061" not in response.text


async def test_url_verification_with_bad_signature_is_403(gateway, wecom):
    query = wecom.verify_query("42")
    query["msg_signature"] = "0" * 40
    response = await gateway[1].get("/wecom", params=query)
    assert response.status_code == 403


async def test_text_message_gets_encrypted_passive_reply(wecom, fake_rasa, channel_settings):
    response = await wecom.text("六安省级智能工厂奖励多少", msg_id=9001)
    assert response.status_code == 200
    assert "<Encrypt>" in response.text and "收到" not in response.text
    reply = wecom.reply(response)
    assert reply["Content"] == "收到：六安省级智能工厂奖励多少"
    assert reply["ToUserName"] == "zhangsan"
    assert fake_rasa.messages == [
        {"sender": "wecom:zhangsan", "message": "六安省级智能工厂奖励多少", "metadata": {"channel": "wecom", "message_id": "wecom:msg:9001"}}
    ]


async def test_message_for_another_corp_id_is_403(wecom, fake_rasa, channel_settings):
    # A wrong CorpID must be 403 (wechatpy raises InvalidCorpIdException), never a 500.
    other = WeComCrypto(channel_settings.wecom_token, channel_settings.wecom_aes_key, "wwSOMEONEELSE0000")
    response = await wecom.text("你好", msg_id=9002, crypto=other)
    assert response.status_code == 403
    assert fake_rasa.texts() == []


async def test_message_with_bad_signature_is_403(wecom, fake_rasa):
    response = await wecom.text("你好", msg_id=9003, tamper=True)
    assert response.status_code == 403
    assert fake_rasa.texts() == []


async def test_message_without_signature_is_403(gateway):
    response = await gateway[1].post("/wecom", content="<xml><Encrypt>x</Encrypt></xml>")
    assert response.status_code == 403


async def test_encrypted_malformed_xml_is_400(wecom, fake_rasa):
    response = await wecom.post("<xml><MsgType>text</MsgType><Content>没有闭合")
    assert response.status_code == 400
    assert fake_rasa.texts() == []


async def test_unencrypted_body_is_400(gateway, wecom, channel_settings):
    query = wecom.verify_query("x")  # correctly signed for the echostr, but the body has no Encrypt
    del query["echostr"]
    body = text_xml(channel_settings.wecom_corp_id, "zhangsan", "你好", 9004)
    response = await gateway[1].post("/wecom", params=query, content=body)
    assert response.status_code in (400, 403)


async def test_retried_msg_id_reaches_rasa_once(wecom, fake_rasa):
    fake_rasa.delay_s = 0.5
    import asyncio

    replies = await asyncio.gather(*(wecom.text("你好", msg_id=9100) for _ in range(3)))
    assert [wecom.reply(r)["Content"] for r in replies] == ["收到：你好"] * 3
    assert fake_rasa.texts() == ["你好"]


async def test_slow_answer_acks_empty_then_sends_one_application_message(
    gateway, wecom, channel_settings, fake_rasa, fake_wechat_api
):
    channel_settings.wechat_passive_timeout_s = 0.3
    fake_rasa.delay_s = 1.5
    first = await wecom.text("设备能一次性扣除吗", msg_id=9200)
    retry = await wecom.text("设备能一次性扣除吗", msg_id=9200)
    assert (first.status_code, first.text, retry.text) == (200, "", "")
    await gateway[0].state.wechat_channels["wecom"].conversation.drain()
    delivered = fake_wechat_api.delivered()
    assert [d["path"] for d in delivered] == ["/cgi-bin/message/send"]
    assert delivered[0]["body"] == {
        "touser": "zhangsan",
        "msgtype": "text",
        "agentid": 1000002,
        "text": {"content": "收到：设备能一次性扣除吗"},
    }
    token_request = fake_wechat_api.token_requests[0]
    assert (token_request["path"], token_request["corpid"], token_request["corpsecret"]) == (
        "/cgi-bin/gettoken", channel_settings.wecom_corp_id, "wecom-secret",
    )
    assert fake_rasa.texts() == ["设备能一次性扣除吗"]
