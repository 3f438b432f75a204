"""Human takeover on WeChat: the bot falls silent, staff replies go out as customer-service messages."""

from __future__ import annotations

from bot.helpdesk import handoff
from bot.helpdesk.store import NewTicket, default_store


async def test_claimed_conversation_skips_rasa_and_staff_reply_reaches_wechat(
    official_account, fake_rasa, fake_wechat_api
):
    store = default_store()
    ticket = store.create_ticket(NewTicket(sender="wechat:o-held", channel="wechat", category="其他"))
    store.claim(ticket.id, "staff1")

    response = await official_account.text("我们的奖补资金什么时候到账", msg_id=12001, user="o-held")
    assert response.status_code == 200 and response.text == "success"
    assert fake_rasa.texts() == []  # the person holds the conversation
    assert store.get_ticket(ticket.id).transcript[-1].text == "我们的奖补资金什么时候到账"

    how = await handoff.send_staff_reply(store.get_ticket(ticket.id), "staff1", "您好，资金已拨付。")
    assert how == "wechat"
    (sent,) = fake_wechat_api.delivered()
    assert sent["body"]["touser"] == "o-held"
    assert sent["body"]["text"]["content"].endswith("您好，资金已拨付。")


async def test_other_users_still_talk_to_the_bot(official_account, fake_rasa):
    store = default_store()
    ticket = store.create_ticket(NewTicket(sender="wechat:o-held", channel="wechat"))
    store.claim(ticket.id, "staff1")
    reply = official_account.reply(await official_account.text("你好", msg_id=12002, user="o-free"))
    assert reply["Content"] == "收到：你好"
    assert fake_rasa.texts() == ["你好"]
