"""Helpdesk actions: open a ticket for a person to answer, record 有用/没用 feedback, log fallbacks.

Thin: they read the tracker, call `bot.helpdesk.triage` and `bot.helpdesk.store`, and
format the reply. Domain entries they need: actions `action_create_ticket`,
`action_record_feedback`; slots `ticket_id`, `feedback`, `eligibility_trace`; entity `feedback`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import covered_answer_events, deferral_line, question_of
from bot.helpdesk import triage
from bot.helpdesk.store import NewTicket, Ticket, TicketStore, TranscriptEntry, default_store
from bot.settings import get_settings

# Slots that are bookkeeping, not facts about the firm.
NOT_FACTS = {"ticket_id", "feedback", "eligibility_trace", "eligibility_set_aside", "requested_slot", "session_started_metadata"}
CHANNEL_NAMES = {"wechat": "wechat", "wecom": "wecom"}
USEFUL_VALUES = {"有用", "useful", "yes", "1", "true"}
NOT_USEFUL_VALUES = {"没用", "没有用", "无用", "not_useful", "no", "0", "false"}

CREATED_TEXT = ("已为您转人工，工单号 {ticket_id}（{category}）。{who}将在{when}回复您，"
                "回复会直接发到{where}。工作人员接手前，您也可以继续问我政策问题。")
EXISTING_TEXT = "您的问题已记录在工单 {ticket_id} 中，{who}会尽快回复，请留意{where}。"
THANKS_TEXT = "感谢您的反馈！"
SORRY_TEXT = "抱歉没能帮上忙，已记录您的反馈。需要人工解答请回复“转人工”。"
UNKNOWN_FEEDBACK_TEXT = "请点击“有用”或“没用”告诉我这个回答是否有帮助。"


def _store() -> TicketStore:
    return default_store()


def _time(event: Dict[str, Any]) -> str:
    stamp = event.get("timestamp")
    moment = datetime.fromtimestamp(stamp).astimezone() if stamp else datetime.now().astimezone()
    return moment.isoformat(timespec="seconds")


def transcript_from_events(events: List[Dict[str, Any]]) -> List[TranscriptEntry]:
    """User texts and bot utterances of the conversation, oldest first (current session only)."""
    entries: List[TranscriptEntry] = []
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            entries = []
        elif kind in ("user", "bot") and event.get("text"):
            entries.append(TranscriptEntry(kind, event["text"], _time(event), "action"))
    return entries


def facts_from_slots(slots: Dict[str, Any]) -> Dict[str, Any]:
    """The firm's facts gathered so far: every filled slot that is not bookkeeping."""
    return {name: value for name, value in slots.items() if value not in (None, [], "") and name not in NOT_FACTS}


def channel_of(tracker: Tracker) -> str:
    """web, wechat or wecom: the user message's metadata `channel`, else its input channel."""
    event = tracker.get_last_event_for("user") or {}
    named = (event.get("metadata") or {}).get("channel") or event.get("input_channel") or ""
    return CHANNEL_NAMES.get(str(named).lower(), "web")


def _intent(parse_data: Optional[Dict[str, Any]]) -> Optional[str]:
    return ((parse_data or {}).get("intent") or {}).get("name")


def _where(channel: str) -> str:
    return {"wechat": "公众号对话", "wecom": "企业微信对话"}.get(channel, "本对话窗口")


# "你们这个机器人能回答啥": what the assistant does, asked in words the NLU may file as a complaint
_CAPABILITIES_ASKED = re.compile(r"(?:你|你们|机器人|助手|这个系统)[^，。？?！!]{0,8}?(?:能|会|可以)(?:回答|干|做|帮|问)(?:些)?(?:啥|什么|哪些)")

class ActionCreateTicket(Action):
    """Open a helpdesk ticket with the conversation, the facts and a suggested triage."""

    def name(self) -> Text:
        return "action_create_ticket"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[EventType]:
        # A message filed as a request for a person, a complaint or a status question that the
        # sources answer ("奖补的钱从哪里出") gets the answer (with a 转人工 button); a real status
        # question ("奖励什么时候到账") has no covered answer and still gets its ticket.
        intent = _intent(tracker.latest_message)
        if intent == "complain" and _CAPABILITIES_ASKED.search(tracker.latest_message.get("text") or ""):
            dispatcher.utter_message(response="utter_capabilities")  # "你们这个机器人能回答啥" is no complaint
            return []
        if intent in ("request_human", "complain", "ask_payment_status") and tracker.active_loop_name is None:
            q = question_of(tracker)
            payment = intent == "ask_payment_status" and q.asks_payment
            misfiled = intent == "ask_payment_status" and not payment  # "…“生产经营正常”算不算": no payment in it
            if payment and {"amount", "compute"} & set(q.aspects):
                # "评上了省级智能工厂…能拿多少钱？啥时候发？": the amount first, the date honestly deferred
                payment, misfiled = False, True
            said = tracker.latest_message.get("text") or ""
            if payment and re.search(r"一般|通常|大概|大约|正常(?:情况)?", said) \
                    and not re.search(r"还没|没到|没有到|没拿到|没发|我们的|已经|申请了|报上去", said):
                # "千企技改入选了一般多久能拿到钱": how long it takes in general, not a payment awaited —
                # the honest deferral (and what else it asks), with 转人工 offered, no ticket
                payment, misfiled = False, True
            if payment and "奖补收入纳税" in q.details and not re.search(r"进度|到哪一步|还没|没到|没收到|没拿到", said):
                # "技改奖补的钱到账以后要不要交企业所得税": a tax question about the money, not a payment awaited
                payment, misfiled = False, True
            if payment and re.search(r"退税|留抵|退还的税", said):
                # "留抵退税申请了一般多少天能到账": the tax office's payment, not the programme's — 12366, no ticket here
                payment, misfiled = False, True
            # "想找官方问，打哪个电话": no person asked for; the honest deferral names who to call
            # "不知道在不在那个目录里，咋查？" filed as a complaint with no complaint in it: answered like a question
            unfounded = intent == "complain" and not q.asks_person
            answered = covered_answer_events(dispatcher, tracker, whole=payment,
                                             deferral_too=misfiled or intent == "request_human" or unfounded)
            if answered is not None:
                return answered
        store = _store()
        existing = store.active_ticket(tracker.sender_id)
        if existing is not None:
            return self._add_to(existing, store, dispatcher, tracker)
        ticket = store.create_ticket(self._new_ticket(tracker))
        text = CREATED_TEXT.format(ticket_id=ticket.id, category=ticket.category,
                                   who=ticket.department or "工作人员",
                                   when=triage.RESPONSE_TIME[ticket.urgency], where=_where(ticket.channel))
        if _intent(tracker.latest_message) in ("ask_payment_status", "complain"):
            honest = deferral_line(tracker)  # e.g. the files do not say when awards are paid
            text = f"{honest}\n{text}" if honest else text
        store.append_transcript(ticket.id, "bot", text, "action")
        dispatcher.utter_message(text=text)
        return [SlotSet("ticket_id", ticket.id)]

    def _new_ticket(self, tracker: Tracker) -> NewTicket:
        text = tracker.latest_message.get("text") or ""
        intent = _intent(tracker.latest_message)
        kb_path = get_settings().kb_path
        region = tracker.get_slot("region") or triage.region_in_text(text, kb_path)
        suggestion = triage.suggest(intent, text, region, triage.departments_for(region, kb_path))
        return NewTicket(
            sender=tracker.sender_id, channel=channel_of(tracker), category=suggestion.category,
            department=suggestion.department, urgency=suggestion.urgency,
            triage_explanation=suggestion.explanation, intent=intent,
            facts=facts_from_slots(tracker.current_slot_values()),
            eligibility_trace=tracker.get_slot("eligibility_trace"),
            transcript=transcript_from_events(tracker.events),
        )

    def _add_to(self, ticket: Ticket, store: TicketStore, dispatcher: CollectingDispatcher,
                tracker: Tracker) -> List[EventType]:
        """A second request while a ticket is open goes into that ticket, not a new one."""
        text = EXISTING_TEXT.format(ticket_id=ticket.id, who=ticket.department or "工作人员",
                                    where=_where(ticket.channel))
        user_text = tracker.latest_message.get("text")
        if user_text:
            store.append_transcript(ticket.id, "user", user_text, "action")
        store.append_transcript(ticket.id, "bot", text, "action")
        store.update_facts(ticket.id, facts_from_slots(tracker.current_slot_values()),
                           tracker.get_slot("eligibility_trace"))
        dispatcher.utter_message(text=text)
        return [SlotSet("ticket_id", ticket.id)]


class ActionRecordFeedback(Action):
    """Store a 有用/没用 vote (button payload ``/feedback{"feedback":"有用"}``) on the last answer."""

    def name(self) -> Text:
        return "action_record_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[EventType]:
        value = next(tracker.get_latest_entity_values("feedback"), None) or tracker.get_slot("feedback")
        useful = _usefulness(value)
        if useful is None:
            dispatcher.utter_message(text=UNKNOWN_FEEDBACK_TEXT)
            return [SlotSet("feedback", None)]
        question, answer, intent = rated_exchange(tracker.events)
        _store().record_feedback(tracker.sender_id, question or "（未知问题）", useful, intent, answer)
        dispatcher.utter_message(text=THANKS_TEXT if useful else SORRY_TEXT)
        return [SlotSet("feedback", None)]


def _usefulness(value: Any) -> Optional[bool]:
    text = str(value or "").strip().lower()
    if text in USEFUL_VALUES:
        return True
    if text in NOT_USEFUL_VALUES:
        return False
    return None


def rated_exchange(events: List[Dict[str, Any]]) -> "tuple[Optional[str], Optional[str], Optional[str]]":
    """(question, answer, intent) of the exchange before the latest user message (the vote)."""
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if len(users) < 2:
        return None, None, None
    asked, voted = users[-2], users[-1]
    answer = "\n".join(e["text"] for e in events[asked:voted] if e.get("event") == "bot" and e.get("text"))
    question = events[asked]
    return question.get("text"), answer or None, _intent(question.get("parse_data"))


def log_fallback(sender: str, text: str, store: Optional[TicketStore] = None) -> None:
    """Record a question the bot answered with its fallback (call from the fallback action)."""
    if text and text.strip():
        (store or _store()).log_fallback(sender, text)
