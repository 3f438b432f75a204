"""Human takeover: the bot stays silent while a ticket is claimed; staff replies reach the user."""

from __future__ import annotations

import asyncio

import pytest

from bot.helpdesk import handoff
from bot.helpdesk.store import NewTicket, TranscriptEntry


def run(coro):
    return asyncio.run(coro)


def test_no_ticket_or_open_ticket_lets_the_bot_answer(store):
    assert run(handoff.intercept("u1", "你好")) is None
    store.create_ticket(NewTicket(sender="u1"))
    assert run(handoff.intercept("u1", "你好")) is None


def test_claimed_ticket_silences_the_bot_and_keeps_the_message(store):
    ticket = store.create_ticket(NewTicket(sender="u1"))
    store.claim(ticket.id, "alice")
    assert run(handoff.intercept("u1", "我补充一下材料情况")) == []
    assert run(handoff.intercept("u2", "别人的消息")) is None
    assert store.get_ticket(ticket.id).transcript[-1].text == "我补充一下材料情况"
    store.resolve(ticket.id, "alice")
    assert run(handoff.intercept("u1", "还在吗")) is None


def test_record_exchange_appends_normal_turns_to_the_open_ticket(store):
    run(handoff.record_exchange("u1", "没有工单时", [{"recipient_id": "u1", "text": "不记录"}]))
    ticket = store.create_ticket(NewTicket(sender="u1"))
    run(handoff.record_exchange("u1", "研发费用怎么扣除", [{"recipient_id": "u1", "text": "按……"},
                                                          {"recipient_id": "u1", "image": "x.png"}]))
    assert [(e.who, e.text) for e in store.get_ticket(ticket.id).transcript] == \
        [("user", "研发费用怎么扣除"), ("bot", "按……")]


def test_record_exchange_skips_what_the_action_already_wrote(store):
    reply = "已为您转人工，工单号 T20261122-0001。"
    ticket = store.create_ticket(NewTicket(sender="u1", transcript=[
        TranscriptEntry("user", "转人工", "2026-11-22T09:00:00+08:00", "action"),
        TranscriptEntry("bot", reply, "2026-11-22T09:00:01+08:00", "action")]))
    run(handoff.record_exchange("u1", "转人工", [{"recipient_id": "u1", "text": reply},
                                                 {"recipient_id": "u1", "text": "还有别的问题吗？"}]))
    assert [e.text for e in store.get_ticket(ticket.id).transcript] == ["转人工", reply, "还有别的问题吗？"]
    # The same words again, in a later turn, are a new turn.
    run(handoff.record_exchange("u1", "转人工", [{"recipient_id": "u1", "text": reply}]))
    assert [e.text for e in store.get_ticket(ticket.id).transcript][-2:] == ["转人工", reply]


def test_web_replies_are_queued_and_handed_out_once(store):
    ticket = store.create_ticket(NewTicket(sender="web-1"))
    assert run(handoff.send_staff_reply(ticket, "alice", "您好，资金正在拨付流程中。")) == "queue"
    assert handoff.pending_replies("web-1") == [
        {"recipient_id": "web-1", "text": "【人工客服】您好，资金正在拨付流程中。"}]
    assert handoff.pending_replies("web-1") == []
    assert store.get_ticket(ticket.id).transcript[-1].who == "staff"


@pytest.mark.parametrize("make_async", [False, True])
def test_registered_channel_delivers_directly(store, make_async):
    sent = []

    def send_text(openid, text):
        sent.append((openid, text))

    async def send_text_async(openid, text):
        sent.append((openid, text))

    handoff.register_delivery("wechat", send_text_async if make_async else send_text)
    ticket = store.create_ticket(NewTicket(sender="oOPENID", channel="wechat"))
    assert run(handoff.announce_claim(ticket)) == "wechat"
    assert sent == [("oOPENID", handoff.CLAIMED_NOTICE.format(ticket_id=ticket.id))]
    assert handoff.pending_replies("oOPENID") == []


def test_failed_delivery_is_reported(store):
    def broken(openid, text):
        raise handoff.DeliveryFailed("access_token 无效")

    handoff.register_delivery("wecom", broken)
    ticket = store.create_ticket(NewTicket(sender="zhangsan", channel="wecom"))
    with pytest.raises(handoff.DeliveryFailed):
        run(handoff.send_staff_reply(ticket, "alice", "您好"))
    assert store.get_ticket(ticket.id).transcript[-1].text == "您好"


class FakeAPIError(Exception):
    """Stands in for the channel client's own error type."""


def test_channel_delivery_strips_the_sender_prefix_and_names_failures(store):
    sent = []

    async def send_text(user_id, text):
        if text == "坏":
            raise FakeAPIError("errcode 45015")
        sent.append((user_id, text))

    handoff.register_delivery("wechat", handoff.channel_delivery(send_text, (FakeAPIError,)))
    ticket = store.create_ticket(NewTicket(sender="wechat:oOPENID", channel="wechat"))
    assert run(handoff.deliver(ticket, "好")) == "wechat"
    assert sent == [("oOPENID", "好")]
    with pytest.raises(handoff.DeliveryFailed, match="45015"):
        run(handoff.deliver(ticket, "坏"))


class CodedAPIError(Exception):
    """A channel error with WeChat's code, as WeChatAPIError carries it."""

    def __init__(self, errcode: int) -> None:
        super().__init__(f"errcode {errcode}")
        self.errcode = errcode


@pytest.mark.parametrize("code", [45015, 45047])
def test_a_reply_behind_the_closed_window_is_held_until_the_users_next_message(store, code):
    async def send_text(user_id, text):
        raise CodedAPIError(code)

    handoff.register_delivery("wechat", handoff.channel_delivery(send_text, (CodedAPIError,)))
    ticket = store.create_ticket(NewTicket(sender="wechat:oW", channel="wechat"))
    assert run(handoff.send_staff_reply(ticket, "alice", "您好")) == handoff.HELD
    (kept,) = store.get_ticket(ticket.id).deliveries
    assert kept["state"] == "waiting" and kept["errcode"] == code
    assert run(handoff.take_undelivered("wechat:oW")) == [handoff.STAFF_PREFIX + "您好"]
    assert run(handoff.take_undelivered("wechat:oW")) == []  # handed out once
    (sent,) = store.get_ticket(ticket.id).deliveries
    assert sent["state"] == "sent" and sent["via"] == handoff.PASSIVE_VIA


def test_a_failed_notifier_is_noted_not_raised(store):
    async def send_text(user_id, text):
        raise CodedAPIError(45015)

    async def notify(sender, ticket_id):
        raise handoff.DeliveryFailed("模板未授权", 43100)

    handoff.register_delivery("wechat", handoff.channel_delivery(send_text, (CodedAPIError,)))
    handoff.register_notifier("wechat", notify)
    ticket = store.create_ticket(NewTicket(sender="wechat:oN", channel="wechat"))
    assert run(handoff.deliver(ticket, "稍后答复")) == handoff.HELD
    assert "模板消息提醒也未发出" in store.get_ticket(ticket.id).deliveries[0]["detail"]
