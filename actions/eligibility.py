"""Eligibility: the form that gathers only the decisive facts, and the verdict.

Which facts to ask next comes from the rules engine (`eligibility.next_questions`), so the
form stops asking as soon as a check has failed and never asks what does not matter.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import answer_events, side_answer_events
from actions.common import (
    FEEDBACK_BUTTONS,
    caveat,
    current_region,
    entity_values,
    join_lines,
    kb,
    latest_text,
    said_so_far,
    vocabulary,
)
from actions.facts import (
    FORM_INTENTS,
    adds_to_total,
    derived_lines,
    facts_in_message,
    profile_from,
    verdict_text,
)
from actions.form_questions import decided_so_far
from nlu.question import analyse
from policy_kb import eligibility
from policy_kb.errors import PolicyKBError

NOT_UNDERSTOOD = "抱歉，这句话我没能对应到要确认的情况。可以直接回答下面的问题，或者说“先不判断了”。"


class ValidateEligibilityForm(FormValidationAction):
    """Extracts the facts of each message and asks the engine what is still decisive."""

    def name(self) -> Text:
        return "validate_eligibility_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        region = tracker.get_slot("region")
        if not region:
            return ["region"]
        try:
            return eligibility.next_questions(profile_from(tracker, region), region, kb=kb())
        except PolicyKBError:
            return []

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        resumed = _resumed(tracker)
        set_aside = _set_aside_reason(tracker) if resumed else None
        if set_aside:
            # Ends the form without a verdict: action_check_eligibility (run by the rule for a
            # finished form) sees the slot and says the check is set aside instead.
            return [SlotSet("eligibility_set_aside", set_aside), SlotSet("requested_slot", None), ActiveLoop(None)]
        if not resumed and _activated_this_turn(tracker):
            answered = _rule_question_answer(dispatcher, tracker)
            if answered is not None:
                return answered
        if not resumed and _asks_something_else(tracker):
            # e.g. "六安省级智能工厂奖多少" inside the form: the region it names would otherwise
            # count as an answer; reject so the interruption rules answer it, then resume.
            return [ActionExecutionRejected(self.form_name())]
        events: List[EventType] = []
        region = current_region(tracker)
        if resumed:
            # Back after a side question, which another action answered: its figures and the
            # regions it compared are not answers to the form (“研发费用800万…” is no total).
            region = _region_before(tracker.events, _user_turns(tracker.events)[-1]) or region
        if region and region != tracker.get_slot("region"):
            events.append(SlotSet("region", region))
        if not resumed and _places_firm_elsewhere(tracker):
            # "我们在湖南株洲" inside the check: neither covered region's programme is for the firm
            answered = answer_events(dispatcher, tracker, allow_form=False) or []
            return answered + [SlotSet("eligibility_set_aside", "answered"), SlotSet("requested_slot", None), ActiveLoop(None)]
        if not resumed:
            facts = facts_in_message(tracker)
            if not facts and not events:
                # A question that the NLU filed as a form answer ("柳州市自己有没有配套奖励"):
                # answer it, then the form asks its question again.
                events.extend(side_answer_events(dispatcher, tracker))
            said = analyse(latest_text(tracker), vocabulary()) if not facts and not events else None
            if said and said.output_side == "before" and tracker.get_slot("requested_slot") == "output_growth_pct":
                # "改造前一年产值1个亿": half of the growth; the output after the project makes it
                dispatcher.utter_message(text=f"好的，改造前年产值{said.output_said}。请再告诉我改造后预计的年产值（或预计增长百分之多少）。")
                events.append(SlotSet("region", tracker.get_slot("region")))
            elif not facts and not events and tracker.get_slot("requested_slot"):
                # Nothing in it for the form: say so and ask again. Without a slot event Rasa
                # would reject the form and the fallback would answer nothing at all.
                dispatcher.utter_message(text=NOT_UNDERSTOOD)
                events.append(SlotSet("region", tracker.get_slot("region")))
            events.extend(SlotSet(slot, value) for slot, value in facts.items())
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        if next_slot and next_slot.get("value"):
            # Rasa asks for it next (utter_ask_<slot>): first what is decided so far.
            opening = not resumed and _activated_this_turn(tracker) and not dispatcher.messages
            decided = join_lines([*derived_lines(tracker), decided_so_far(tracker, opening=opening)])
            if decided:
                dispatcher.utter_message(text=decided)
        return events + ([next_slot] if next_slot else [])


def _activated_this_turn(tracker: Tracker) -> bool:
    """The form started on the latest message (it was not running before it)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") == "eligibility_form":
            return True
    return tracker.active_loop_name != "eligibility_form"


def _places_firm_elsewhere(tracker: Tracker) -> bool:
    """The latest message places the firm in a place the sources do not cover (and in no covered one)."""
    q = analyse(latest_text(tracker), vocabulary())
    return bool(q.other_places) and not q.regions and not q.towns_named and (q.firm_elsewhere or len(q.text) <= 14)


def _rule_question_answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[EventType]]:
    """A question about the rule (“项目库对投资额有门槛吗”) gets the rule, not the form: the form
    ends at once and action_check_eligibility (run for a finished form) says nothing more."""
    events = answer_events(dispatcher, tracker, allow_form=True)
    if events is None:
        return None
    return events + [SlotSet("eligibility_set_aside", "answered"), SlotSet("requested_slot", None), ActiveLoop(None)]


def _asks_something_else(tracker: Tracker) -> bool:
    """A question inside the form that the form should not swallow (asked before it resumes).
    A message that answers the form's question ("备案还在走流程，还没批下来，能报上吗") or adds to
    the project's total ("如果我再追加30万的设备投资呢") is an answer, whatever its intent."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if tracker.active_loop_name != "eligibility_form" or intent in FORM_INTENTS:
        return False
    asked = tracker.get_slot("requested_slot")
    facts = facts_in_message(tracker)
    if asked and asked in facts:
        return False
    q = analyse(latest_text(tracker), vocabulary())
    if facts and set(q.topics) <= {"program"} and not (q.details or q.tax_facts() or q.yes_no or q.aspects):
        return False  # "查了下目录，我们这个产品属于限制类": a fact of the project, though not the one asked
    return not (adds_to_total(tracker) and "fixed_asset_investment_wan" in facts)


def _set_aside_reason(tracker: Tracker) -> Optional[str]:
    """Why the form, resuming after another action answered, should stop instead of asking again:
    ``"region:<old region>"`` when that question moved the conversation to another region
    (asking on would check the other region's programme), ``"ignored"`` when the user has
    now stepped outside the form twice in a row. None: ask again."""
    if tracker.active_loop_name != "eligibility_form":
        return None
    turns = _user_turns(tracker.events)
    if not turns:
        return None
    before = _region_before(tracker.events, turns[-1])
    if before and tracker.get_slot("region") and before != tracker.get_slot("region"):
        if before in _regions_named(tracker):
            return None  # e.g. a comparison of both regions: the form goes on with its region
        return f"region:{before}"
    if len(turns) >= 2 and any(
        event.get("event") == "action_execution_rejected" and event.get("name") == "eligibility_form"
        for event in tracker.events[turns[-2]:turns[-1]]
    ):
        return "ignored"
    return None


def _regions_named(tracker: Tracker) -> List[str]:
    return [kb().resolve_region(value) or value for value in entity_values(tracker, "region")]


def _user_turns(events: List[Dict[str, Any]]) -> List[int]:
    return [index for index, event in enumerate(events) if event.get("event") == "user"]


def _region_before(events: List[Dict[str, Any]], end: int) -> Optional[str]:
    """The region slot's value just before event ``end``."""
    for event in reversed(events[:end]):
        if event.get("event") == "slot" and event.get("name") == "region":
            return event.get("value")
    return None


def _resumed(tracker: Tracker) -> bool:
    """True when another action already answered the latest message (the form comes back after it)."""
    bookkeeping = {"action_listen", "action_extract_slots", "eligibility_form", None}
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in bookkeeping:
            return True
    return False


class ActionCheckEligibility(Action):
    """The verdict: failed checks with what would make them pass, then the clause."""

    def name(self) -> Text:
        return "action_check_eligibility"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        set_aside = tracker.get_slot("eligibility_set_aside")
        if set_aside == "answered":  # the form answered a rule question instead of starting
            return [SlotSet("eligibility_set_aside", None)]
        if set_aside:
            _, _, region = set_aside.partition("region:")
            if region:
                dispatcher.utter_message(response="utter_form_set_aside_region", old_region=kb().short_region(region))
            else:
                dispatcher.utter_message(response="utter_form_set_aside")
            return [SlotSet("eligibility_set_aside", None)]
        region = tracker.get_slot("region") or current_region(tracker)
        try:
            results = eligibility.evaluate(profile_from(tracker, region), kb=kb())
        except PolicyKBError as error:
            dispatcher.utter_message(text=f"暂时无法判断：{error}")
            return []
        texts = [*derived_lines(tracker), *(verdict_text(result, said_so_far(dispatcher)) for result in results)]
        statuses = [kb().program_document(result.program_id).status for result in results]
        note, events = caveat(tracker, statuses)
        buttons = [{"title": "税收优惠怎么享受", "payload": "/ask_tax_incentive"}, *FEEDBACK_BUTTONS]
        dispatcher.utter_message(text=join_lines(texts + [note]), buttons=buttons)
        return events + [SlotSet("eligibility_trace", [trace_summary(result) for result in results])]


def trace_summary(result: eligibility.ProgramResult) -> Dict[str, Any]:
    """What staff need from a verdict (ticket facts), small enough to ride in the tracker:
    every later turn sends the tracker to this server, so the full result (explanations,
    quotes) would be serialised again and again."""
    return {
        "program_id": result.program_id, "status": result.status, "missing": result.missing,
        "checks": [{"id": check.id, "passed": check.passed, "brief": check.brief or check.explanation,
                    "clause": check.citation.clause} for check in result.checks],
    }
