"""Staff replies outlive WeChat's 48-hour window: held, then the passive reply to the user's
next message, with the delivery state in the console (fake WeChat API on loopback that
refuses customer-service messages after 48 hours with 45015)."""

from __future__ import annotations

import httpx
import pytest
from channel_fakes import OfficialAccountSim, WeComSim, build_app

from bot.gateway.routers import staff
from bot.helpdesk import handoff
from bot.helpdesk.store import NewTicket, default_store

API = "/staff/api"


@pytest.fixture
def template_settings(channel_settings):
    return channel_settings.copy(update={"wechat_reply_template_id": "tmpl-answer-waiting"})


@pytest.fixture
async def console(template_settings, rasa_client):
    """(client, staff headers): the gateway with the WeChat and staff routers, one staff user."""
    app = build_app(template_settings, rasa_client)
    app.include_router(staff.router)
    default_store().add_staff("li", "pw-li")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        token = (await client.post(f"{API}/login", json={"username": "li", "password": "pw-li"})).json()["token"]
        yield app, client, {"Authorization": f"Bearer {token}"}


async def deliveries(client, headers, ticket_id):
    return (await client.get(f"{API}/tickets/{ticket_id}", headers=headers)).json()["deliveries"]


async def test_reply_written_49_hours_later_arrives_with_the_next_message_and_shows_delivered(
    console, template_settings, fake_wechat_api, fake_rasa
):
    app, client, headers = console
    user = OfficialAccountSim(template_settings, client, fake_wechat_api)
    await user.text("资金什么时候到账，转人工", msg_id=31001, user="o-late")
    ticket = default_store().create_ticket(NewTicket(sender="wechat:o-late", channel="wechat"))
    claimed = await client.post(f"{API}/tickets/{ticket.id}/claim", headers=headers)
    assert claimed.status_code == 200
    assert [d["state"] for d in await deliveries(client, headers, ticket.id)] == ["sent"]  # window open

    fake_wechat_api.advance(hours=49)
    reply = await client.post(f"{API}/tickets/{ticket.id}/reply", json={"text": "资金已于昨日拨付。"}, headers=headers)
    assert reply.status_code == 200 and reply.json()["delivered_via"] == handoff.HELD
    held = (await deliveries(client, headers, ticket.id))[-1]
    assert held["state"] == "waiting" and held["errcode"] == 45015
    assert held["text"] == "【人工客服】资金已于昨日拨付。" and "模板消息" in held["detail"]
    (notice,) = fake_wechat_api.templates
    assert notice["touser"] == "o-late" and notice["template_id"] == "tmpl-answer-waiting"
    assert notice["data"]["keyword1"]["value"] == ticket.id

    answer = user.reply(await user.text("在吗？", msg_id=31002, user="o-late"))
    assert answer["Content"] == "【人工客服】资金已于昨日拨付。"
    assert fake_rasa.texts() == ["资金什么时候到账，转人工"]  # staff hold the conversation: no bot turn
    shown = (await deliveries(client, headers, ticket.id))[-1]
    assert shown["state"] == "sent" and shown["via"] == handoff.PASSIVE_VIA

    # The user's message reopened the window: the next reply goes out at once.
    again = await client.post(f"{API}/tickets/{ticket.id}/reply", json={"text": "还有问题请留言。"}, headers=headers)
    assert again.json()["delivered_via"] == "wechat"
    assert fake_wechat_api.delivered()[-1]["body"]["text"]["content"] == "【人工客服】还有问题请留言。"


async def test_held_notice_comes_before_the_bots_answer_which_follows_through_the_api(
    console, template_settings, fake_wechat_api, fake_rasa
):
    app, client, headers = console
    user = OfficialAccountSim(template_settings, client, fake_wechat_api)
    await user.text("你好", msg_id=32001, user="o-back")
    ticket = default_store().create_ticket(NewTicket(sender="wechat:o-back", channel="wechat"))
    await client.post(f"{API}/tickets/{ticket.id}/claim", headers=headers)
    fake_wechat_api.advance(hours=50)
    resolved = await client.post(f"{API}/tickets/{ticket.id}/resolve", headers=headers)
    assert resolved.status_code == 200  # the notice waits; resolving is not refused
    assert (await deliveries(client, headers, ticket.id))[-1]["state"] == "waiting"

    answer = user.reply(await user.text("六安奖励多少", msg_id=32002, user="o-back"))
    assert answer["Content"].startswith(f"工单 {ticket.id} 已办结")
    await app.state.wechat_channels["wechat"].conversation.drain()
    assert fake_wechat_api.delivered()[-1]["body"]["text"]["content"] == "收到：六安奖励多少"


async def test_other_failures_are_shown_failed_with_the_code_and_retried_on_the_next_message(
    console, template_settings, fake_wechat_api
):
    app, client, headers = console
    user = OfficialAccountSim(template_settings, client, fake_wechat_api)
    await user.text("你好", msg_id=33001, user="o-fail")
    ticket = default_store().create_ticket(NewTicket(sender="wechat:o-fail", channel="wechat"))
    await client.post(f"{API}/tickets/{ticket.id}/claim", headers=headers)
    fake_wechat_api.expire_tokens(code=48001)  # "api unauthorized": not a window error, and kept
    reply = await client.post(f"{API}/tickets/{ticket.id}/reply", json={"text": "请稍等。"}, headers=headers)
    assert reply.status_code == 502 and "未能送达" in reply.json()["detail"]
    failed = (await deliveries(client, headers, ticket.id))[-1]
    assert failed["state"] == "failed" and failed["errcode"] == 48001
    answer = user.reply(await user.text("有人吗", msg_id=33002, user="o-fail"))
    assert answer["Content"] == "【人工客服】请稍等。"
    assert (await deliveries(client, headers, ticket.id))[-1]["state"] == "sent"


async def test_wecom_replies_are_held_the_same_way(console, template_settings, fake_wechat_api):
    app, client, headers = console
    user = WeComSim(template_settings, client, fake_wechat_api)
    await user.text("你好", msg_id=34001, user="lisi")
    ticket = default_store().create_ticket(NewTicket(sender="wecom:lisi", channel="wecom"))
    await client.post(f"{API}/tickets/{ticket.id}/claim", headers=headers)
    fake_wechat_api.advance(hours=49)
    reply = await client.post(f"{API}/tickets/{ticket.id}/reply", json={"text": "已转财政局。"}, headers=headers)
    assert reply.json()["delivered_via"] == handoff.HELD
    assert (await deliveries(client, headers, ticket.id))[-1]["errcode"] == 45015
    assert fake_wechat_api.templates == []  # template messages are an Official Account feature
    answer = user.reply(await user.text("好的", msg_id=34002, user="lisi"))
    assert answer["Content"] == "【人工客服】已转财政局。"
    assert (await deliveries(client, headers, ticket.id))[-1]["state"] == "sent"
