"""Helpdesk actions with a real rasa_sdk Tracker and CollectingDispatcher."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.helpdesk import ActionCreateTicket, ActionRecordFeedback, log_fallback
from bot.settings import get_settings

T0 = 1_795_000_000.0  # a fixed moment; only the order of events matters


def user(text: str, intent: str, entities: Optional[List[Dict[str, Any]]] = None,
         channel: str = "rest", metadata: Optional[Dict[str, Any]] = None, at: float = 0) -> Dict[str, Any]:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.93}, "entities": entities or []}
    return {"event": "user", "timestamp": T0 + at, "text": text, "parse_data": parse,
            "input_channel": channel, "metadata": metadata or {}}


def bot(text: str, at: float = 0, buttons: Optional[list] = None) -> Dict[str, Any]:
    return {"event": "bot", "timestamp": T0 + at, "text": text, "data": {"buttons": buttons}}


def tracker(events: List[Dict[str, Any]], slots: Optional[Dict[str, Any]] = None, sender: str = "u1") -> Tracker:
    last_user = [e for e in events if e["event"] == "user"][-1]
    return Tracker(sender, slots or {}, last_user["parse_data"], events, False, None, {}, "action_listen")


PAYMENT_CONVERSATION = [
    {"event": "action", "timestamp": T0, "name": "action_session_start"},
    {"event": "session_started", "timestamp": T0},
    user("你好", "greet", at=1),
    bot("您好！我是技改政策助手。", at=2),
    user("我们是六安的规上企业，去年评上的市级绿色工厂，奖补资金什么时候到账", "ask_payment_status",
         metadata={"channel": "wechat"}, at=3),
]
TRACE = {"results": [{"program_id": "luan-city-project-library", "status": "eligible"}]}


def run(action, events, slots=None, sender="u1"):
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker(events, slots, sender), {})
    return dispatcher.messages, result


def test_create_ticket_tells_number_department_and_when(store):
    slots = {"region": "六安市", "scale": "规上", "honor": ["市级绿色工厂"], "ticket_id": None,
             "eligibility_trace": TRACE, "requested_slot": None}
    messages, events = run(ActionCreateTicket(), PAYMENT_CONVERSATION, slots)
    text = messages[0]["text"]
    ticket_id = re.search(r"T\d{8}-\d{4}", text).group(0)
    assert events == [SlotSet("ticket_id", ticket_id)]
    assert "市经信局" in text and "1个工作日内" in text and "公众号" in text

    ticket = store.get_ticket(ticket_id)
    assert (ticket.sender, ticket.channel, ticket.status) == ("u1", "wechat", "open")
    assert (ticket.category, ticket.department, ticket.urgency) == ("资金拨付", "市经信局", "中")
    assert ticket.intent == "ask_payment_status"
    assert ticket.facts == {"region": "六安市", "scale": "规上", "honor": ["市级绿色工厂"]}
    assert ticket.eligibility_trace == TRACE
    assert [(e.who, e.text) for e in ticket.transcript] == [
        ("user", "你好"), ("bot", "您好！我是技改政策助手。"),
        ("user", PAYMENT_CONVERSATION[-1]["text"]), ("bot", text)]
    assert "到账" in ticket.triage_explanation


def test_region_taken_from_the_text_when_the_slot_is_empty(store):
    events = [user("广西这边去年申报的项目审核到哪一步了", "ask_payment_status", channel="wecom")]
    messages, _ = run(ActionCreateTicket(), events, {"region": None})
    ticket = store.list_tickets()[0]
    assert (ticket.category, ticket.department, ticket.channel) == ("申报", "自治区工业和信息化厅", "wecom")
    assert "企业微信" in messages[0]["text"]


def test_web_chat_is_the_default_channel(store):
    run(ActionCreateTicket(), [user("我要投诉", "complain")], {})
    ticket = store.list_tickets()[0]
    assert (ticket.channel, ticket.category, ticket.urgency, ticket.department) == ("web", "投诉", "高", None)


def test_second_request_joins_the_open_ticket(store):
    _, first = run(ActionCreateTicket(), PAYMENT_CONVERSATION, {"region": "六安市"})
    later = PAYMENT_CONVERSATION + [bot("已为您转人工……", at=4), user("转人工", "request_human", at=5)]
    messages, second = run(ActionCreateTicket(), later, {"region": "六安市", "investment": "800"})
    assert second == first
    ticket_id = first[0]["value"]
    assert ticket_id in messages[0]["text"] and "已记录在工单" in messages[0]["text"]
    ticket = store.get_ticket(ticket_id)
    assert len(store.list_tickets()) == 1
    assert ticket.facts == {"region": "六安市", "investment": "800"}
    assert [e.text for e in ticket.transcript][-2:] == ["转人工", messages[0]["text"]]


def test_transcript_starts_at_the_latest_session(store):
    events = [user("旧会话的问题", "ask_award", at=0), {"event": "session_started", "timestamp": T0 + 1},
              user("我要找人工客服", "request_human", at=2)]
    run(ActionCreateTicket(), events, {})
    ticket = store.get_ticket(store.list_tickets()[0].id)
    assert [e.text for e in ticket.transcript if e.who == "user"] == ["我要找人工客服"]


FEEDBACK_EVENTS = [
    user("六安省级智能工厂奖励多少", "ask_award", at=1),
    bot("省级智能工厂奖励……", at=2),
    bot("这个回答有用吗？", at=3, buttons=[{"title": "有用", "payload": '/feedback{"feedback":"有用"}'}]),
]


def _vote(value: str) -> Dict[str, Any]:
    return user(f'/feedback{{"feedback":"{value}"}}', "feedback",
                entities=[{"entity": "feedback", "value": value, "start": 0, "end": 0}], at=4)


def test_not_useful_vote_is_stored_against_the_question(store):
    messages, events = run(ActionRecordFeedback(), FEEDBACK_EVENTS + [_vote("没用")], {"feedback": "没用"})
    assert events == [SlotSet("feedback", None)]
    assert "转人工" in messages[0]["text"]
    assert store.report()["unhelpful"] == [("六安省级智能工厂奖励多少", 1)]


def test_useful_vote_is_thanked_and_not_listed_as_unhelpful(store):
    messages, _ = run(ActionRecordFeedback(), FEEDBACK_EVENTS + [_vote("有用")])
    assert messages[0]["text"] == "感谢您的反馈！"
    assert store.report()["unhelpful"] == []
    import sqlite3
    with sqlite3.connect(store.path) as conn:
        row = conn.execute("SELECT message, answer, useful, intent FROM feedback").fetchone()
    assert row == ("六安省级智能工厂奖励多少", "省级智能工厂奖励……\n这个回答有用吗？", 1, "ask_award")


def test_unreadable_vote_asks_again(store):
    messages, events = run(ActionRecordFeedback(), FEEDBACK_EVENTS + [_vote("一般")])
    assert "有用" in messages[0]["text"] and events == [SlotSet("feedback", None)]
    assert store.report()["unhelpful"] == []


def test_log_fallback_feeds_the_report(store):
    log_fallback("u1", "个人所得税怎么交")
    log_fallback("u2", " 个人所得税怎么交 ")
    log_fallback("u3", "   ")
    assert store.report()["fallback"] == [("个人所得税怎么交", 2)]


@pytest.fixture
def kb_env(kb_path, data_dir, monkeypatch):
    """The actions read the session's knowledge base (tests/conftest.py)."""
    monkeypatch.setenv("POLICYBOT_KB_PATH", str(kb_path))
    get_settings.cache_clear()
    yield kb_path
    get_settings.cache_clear()


def test_a_status_question_the_sources_answer_gets_the_answer_not_a_ticket(store, kb_env):
    """“钱从哪里出” filed as a status question: 三（二） says the fund, so no ticket."""
    events = [user("六安技改那些奖补的钱是从哪里出的？市里哪个资金", "ask_payment_status",
                   [{"entity": "region", "value": "六安市", "start": 0, "end": 2}])]
    messages, result = run(ActionCreateTicket(), events, {"region": "六安市"})
    text = messages[0]["text"]
    assert "专项资金" in text and "三.（二）" in text
    titles = [b["title"] for b in messages[0].get("buttons") or []]
    assert titles.count("转人工") == 1
    assert not any(e.get("name") == "ticket_id" for e in result)
    assert store.active_ticket("u1") is None


def test_a_real_status_question_still_gets_its_ticket(store, kb_env):
    """The sources give the title's amount but say nothing of payment: a person answers it."""
    events = [user("我们是六安的企业，去年评上的市级绿色工厂奖补资金到现在还没到账", "ask_payment_status",
                   [{"entity": "region", "value": "六安市", "start": 2, "end": 4},
                    {"entity": "honor", "value": "市级绿色工厂", "start": 13, "end": 19}])]
    messages, result = run(ActionCreateTicket(), events, {"region": "六安市"})
    assert re.search(r"T\d{8}-\d{4}", messages[-1]["text"])
    assert store.active_ticket("u1") is not None
    # the award answers the title; the ticket's reply still says honestly what the file leaves out
    assert "没有规定到账时间" in messages[-1]["text"] and "六安" in messages[-1]["text"]


def test_an_amount_asked_with_when_it_is_paid_gets_the_amount_not_a_ticket(store, kb_env):
    """三（二）: 省级智能工厂 50 + 市级企业技术中心 10 = 60万元; the payment date is not in the file."""
    text = "我们是霍邱县的，评上了省级智能工厂，还有个市级企业技术中心，能拿多少钱？啥时候发？"
    honors = [{"entity": "honor", "value": h, "start": text.index(h), "end": text.index(h) + len(h)}
              for h in ("省级智能工厂", "市级企业技术中心")]
    messages, result = run(ActionCreateTicket(), [user(text, "ask_payment_status", honors)], {"region": "六安市"})
    reply = messages[0]["text"]
    assert "50 + 10 = 60万元" in reply and "没有规定到账时间" in reply
    assert store.active_ticket("u1") is None and not any(e.get("name") == "ticket_id" for e in result)


def test_a_status_misfiled_as_a_payment_question_is_noted_not_ticketed(store):
    messages, events = run(ActionCreateTicket(), [user("我们公司去年评上了高新技术企业", "ask_payment_status")], {})
    text = messages[0]["text"]
    assert "已记下：高新技术企业" in text and "15%" in text
    assert store.list_tickets() == [] and not any(e.get("name") == "ticket_id" for e in events)


def test_a_rule_question_misfiled_as_a_payment_question_gets_its_honest_deferral(store):
    question = "我们公司去年亏损了，也停过两个月产，现在恢复了，千企技改说的“生产经营正常”算不算？"
    program = {"entity": "program", "value": "千企技改", "start": question.index("千企技改"), "end": question.index("千企技改") + 4}
    messages, _ = run(ActionCreateTicket(), [user(question, "ask_payment_status", [program])], {})
    text = messages[0]["text"]
    assert "没有规定" in text and "生产经营正常" in text
    assert store.list_tickets() == []


def test_asking_whom_to_call_gets_the_number_not_a_ticket(store):
    messages, _ = run(ActionCreateTicket(), [user("研发加计的政策口径我们拿不准，想找官方问，打哪个电话？", "request_human")], {})
    assert "12366" in messages[0]["text"] and store.list_tickets() == []


def test_asking_for_a_person_still_gets_a_ticket(store):
    messages, _ = run(ActionCreateTicket(), [user("研发加计的口径拿不准，帮我转人工", "request_human")], {})
    assert re.search(r"T\d{8}-\d{4}", messages[-1]["text"]) and store.active_ticket("u1") is not None


def test_a_question_about_what_the_assistant_does_filed_as_a_complaint_gets_no_ticket(store):
    events = [user("你们这个机器人能回答啥", "complain")]
    messages, result = run(ActionCreateTicket(), events, {"ticket_id": None})
    assert [m.get("response") for m in messages] == ["utter_capabilities"]
    assert result == [] and store.active_ticket("u1") is None


def test_a_question_with_no_complaint_in_it_filed_as_one_gets_the_honest_answer_not_a_ticket(store):
    messages, _ = run(ActionCreateTicket(), [user("准备从德国进口一台激光切割机，不知道在不在不予免税的进口商品目录里，咋查？", "complain")], {})
    assert "没有规定" in messages[0]["text"] and "12360" in messages[0]["text"] and store.list_tickets() == []


def test_a_real_complaint_still_gets_a_ticket(store):
    messages, _ = run(ActionCreateTicket(), [user("我要投诉，你们审核太慢了", "complain")], {})
    assert re.search(r"T\d{8}-\d{4}", messages[-1]["text"]) and store.active_ticket("u1") is not None


def test_a_general_question_on_when_awards_are_paid_is_answered_without_a_ticket(store):
    events = [user("千企技改入选了一般多久能拿到钱？项目计划什么时候公布？", "ask_payment_status", at=1)]
    messages, result = run(ActionCreateTicket(), events, {"ticket_id": None, "requested_slot": None})
    text = messages[0]["text"]
    assert "没有规定到账时间" in text and "适时印发" in text and "工单号" not in text
    assert not any(e.get("name") == "ticket_id" for e in result)


def test_tax_on_award_money_filed_as_a_payment_status_is_answered_without_a_ticket(store):
    events = [*PAYMENT_CONVERSATION[:4], user("技改奖补的钱到账以后要不要交企业所得税？", "ask_payment_status", at=3)]
    messages, _ = run(ActionCreateTicket(), events, {"ticket_id": None, "requested_slot": None})
    text = "".join(m.get("text") or "" for m in messages)
    assert "没有规定奖补收入纳税" in text and "工单号" not in text
