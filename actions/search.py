"""Answers from full-text search, and what to do when the NLU is unsure."""

from __future__ import annotations

import re
from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import CHANCE_CUES, ActionAnswer
from actions.common import FEEDBACK_BUTTONS, caveat, current_region, join_lines, kb, latest_text, vocabulary
from actions.facts import facts_in_message
from actions.helpdesk import ActionCreateTicket, log_fallback
from nlu.question import analyse
from policy_kb.answering import TASK_REPLY, TASK_REQUEST
from policy_kb.search import search

MAX_QUOTE_CHARS = 160


def best_clause_answer(dispatcher: CollectingDispatcher, tracker: Tracker, region: Optional[str]) -> List[EventType]:
    """Quote the best-matching clause; say what the bot can do when nothing matches."""
    # the national digest's clauses are notes in English: quoted to a user they would read as gibberish;
    # a message with no Chinese in it ("<script>…", "asdf") matches no clause it means
    said = latest_text(tracker)
    hits = [hit for hit in search(said, region=region, k=5, kb=kb()) if _mostly_chinese(hit.text)] \
        if re.search(r"[\u4e00-\u9fff]", said) else []
    if not hits:
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
    hit = hits[0]
    quote = hit.text if len(hit.text) <= MAX_QUOTE_CHARS else hit.text[:MAX_QUOTE_CHARS] + "……"
    lines = ["政策原文中最相关的是：", quote, f"依据：《{hit.document}》{hit.clause}"]
    note, events = caveat(tracker, [kb().document(hit.document_id).status])
    dispatcher.utter_message(text=join_lines(lines + [note]), buttons=FEEDBACK_BUTTONS)
    return events


def _mostly_chinese(text: str) -> bool:
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return han >= 0.5 * max(1, sum(1 for ch in text if not ch.isspace()))


class ActionSearchAnswer(Action):
    def name(self) -> Text:
        return "action_search_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return best_clause_answer(dispatcher, tracker, current_region(tracker))


class ActionFallback(Action):
    """Low NLU confidence: answer from search; the second time in a row, open a ticket."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.active_loop_name == "eligibility_form":
            facts = facts_in_message(tracker)
            if facts:
                # “备案也办好了” inside the check: an answer to it, however unsure the NLU was; the
                # form resumes with these facts and asks what is still open.
                return [SlotSet(slot, value) for slot, value in facts.items()]
        log_fallback(tracker.sender_id, latest_text(tracker))  # the list policy staff improve the KB from
        if previous_turn_was_unsure(tracker):
            return ActionCreateTicket().run(dispatcher, tracker, domain)
        question = analyse(latest_text(tracker), vocabulary())
        if question.asks_person:  # "你这说了等于没说，帮我转人工": a person was asked for
            return ActionCreateTicket().run(dispatcher, tracker, domain)
        # "那如果这设备两年后租给别的厂用呢": a what-if on the answer before
        what_if = question.text.startswith(("那", "如果", "要是", "假如", "那如果", "那要是")) or question.text.rstrip("？?。 ").endswith("呢")
        follow_up = bool(tracker.get_slot("answer_context")) and bool(question.aspects or question.yes_no or what_if
                                                                      or question.details)
        status = question.high_tech or question.not_high_tech or question.small_profit or question.industry \
            or question.ic_or_machine_tool  # "对了我们在集成电路企业清单里": a status that changes the answer before
        chance = bool(CHANCE_CUES.search(question.text)) and tracker.get_slot("region") is not None  # "还有戏吗" after a verdict
        if question.topics or question.tax_facts() or tracker.latest_message.get("entities") or follow_up or status \
                or question.other_places or chance or question.details:
            # "我们在湖南，有没有类似的技改政策": the honest not-covered answer; "用电能不能享受电价优惠":
            # a detail the sources leave open, said so (not the nearest clause quoted as if it answered)
            # A question the planner recognises, or a statement of facts (“我们刚被认定六安市级
            # 智能工厂”, “批发收入大概占七成”) that the answer in context uses.
            return await ActionAnswer().run(dispatcher, tracker, domain)
        if TASK_REQUEST.search(question.text):
            dispatcher.utter_message(text=TASK_REPLY)
            return []
        return best_clause_answer(dispatcher, tracker, current_region(tracker))


def previous_turn_was_unsure(tracker: Tracker) -> bool:
    """True when the user message before this one also fell back and did not get a ticket."""
    users_seen, answered_with = 0, []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users_seen += 1
            if users_seen == 2:
                intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
                return intent == "nlu_fallback" and "action_create_ticket" not in answered_with
        elif event.get("event") == "action" and users_seen == 1:
            answered_with.append(event.get("name"))
    return False
