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

from actions.common import (
    FEEDBACK_BUTTONS,
    caveat,
    citation_line,
    current_region,
    entity_values,
    first_entity,
    join_lines,
    kb,
    latest_text,
)
from policy_kb import eligibility
from policy_kb.errors import PolicyKBError

# Profile fields the conversation can fill (SPEC §5 names) → slot of the same name.
PROFILE_SLOTS = (
    "above_designated_size", "above_size_after_project", "direction", "fixed_asset_investment_wan",
    "investment_this_year_wan", "output_growth_pct", "filed_or_approved", "completes_this_year",
    "energy_saving_or_safety", "industry_catalog", "independent_legal_person", "operating_normally",
)
BOOLEAN_SLOTS = {
    "above_designated_size", "above_size_after_project", "filed_or_approved", "completes_this_year",
    "energy_saving_or_safety", "independent_legal_person", "operating_normally",
}
# Entity value → (slot, value). Values are the normalised entity values of docs/nlu-spec.md.
FLAG_ENTITIES = {
    ("scale", "规上"): ("above_designated_size", True),
    ("scale", "规下"): ("above_designated_size", False),
    ("filing", "已备案"): ("filed_or_approved", True),
    ("filing", "未备案"): ("filed_or_approved", False),
    ("completion", "年内竣工"): ("completes_this_year", True),
    ("completion", "年内不能竣工"): ("completes_this_year", False),
    ("project_type", "节能技改"): ("energy_saving_or_safety", True),
    ("project_type", "安全性能提升"): ("energy_saving_or_safety", True),
}
TOTAL_CUES = ("总投资", "固定资产", "项目投资", "总额", "总共", "一共")
# Messages that answer the form; any other intent is a question that steps outside it.
FORM_INTENTS = {"inform", "affirm", "deny", "ask_eligibility"}


def profile_from(tracker: Tracker, region: Optional[str]) -> Dict[str, Any]:
    profile: Dict[str, Any] = {"region": region}
    profile.update({slot: tracker.get_slot(slot) for slot in PROFILE_SLOTS if tracker.get_slot(slot) is not None})
    return profile


def facts_in_message(tracker: Tracker) -> Dict[str, Any]:
    """Facts stated in the latest message, read from its entities and the question asked."""
    facts: Dict[str, Any] = {}
    for (entity, value), (slot, flag) in FLAG_ENTITIES.items():
        if value in entity_values(tracker, entity):
            facts[slot] = flag
    for entity, slot in (("direction", "direction"), ("catalog", "industry_catalog")):
        value = first_entity(tracker, entity)
        if value:
            facts[slot] = value
    facts.update(_amounts(tracker))
    facts.update(_yes_no(tracker, facts))
    return facts


def _amounts(tracker: Tracker) -> Dict[str, Any]:
    facts: Dict[str, Any] = {}
    asked = tracker.get_slot("requested_slot")
    total = entity_values(tracker, "investment")
    this_year = entity_values(tracker, "investment_this_year")
    other = entity_values(tracker, "amount")
    percent = entity_values(tracker, "percent")
    bare = total or other
    if asked == "investment_this_year_wan" and bare and not this_year and not _names_total(tracker):
        this_year, total = bare[:1], total[1:]
    elif asked == "fixed_asset_investment_wan" and not total and (other or this_year) and not _names_this_year(tracker):
        total = (other or this_year)[:1]
        this_year = [] if not other else this_year
    if total:
        facts["fixed_asset_investment_wan"] = float(total[-1])  # the last one wins: "不对，是2500万"
    if this_year:
        facts["investment_this_year_wan"] = float(this_year[-1])
    if percent:
        facts["output_growth_pct"] = float(percent[-1])
    return facts


def _names_total(tracker: Tracker) -> bool:
    return any(cue in latest_text(tracker) for cue in TOTAL_CUES)


def _names_this_year(tracker: Tracker) -> bool:
    """The message speaks of this year's investment: a year cue outside a completion phrase
    (in “900万，今年能投产” the 今年 is about completion, and 900万 is the total asked for)."""
    text = list(latest_text(tracker))
    for found in tracker.latest_message.get("entities") or []:
        if found.get("entity") == "completion" and found.get("start") is not None:
            text[found["start"]:found["end"]] = " " * (found["end"] - found["start"])
    return any(cue in "".join(text) for cue in ("今年", "年内", "年度", "本年"))


def _yes_no(tracker: Tracker, facts: Dict[str, Any]) -> Dict[str, Any]:
    """A plain 是/不是 answers the yes/no question that was asked."""
    asked = tracker.get_slot("requested_slot")
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if asked in BOOLEAN_SLOTS and not facts and intent in ("affirm", "deny"):
        return {asked: intent == "affirm"}
    return {}


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
        if not resumed:
            events.extend(SlotSet(slot, value) for slot, value in facts_in_message(tracker).items())
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot else [])


def _asks_something_else(tracker: Tracker) -> bool:
    """A question inside the form that the form should not swallow (asked before it resumes)."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return tracker.active_loop_name == "eligibility_form" and intent not in FORM_INTENTS


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
        if set_aside:
            _, _, region = set_aside.partition("region:")
            if region:
                dispatcher.utter_message(response="utter_form_set_aside_region", old_region=_short_region(region))
            else:
                dispatcher.utter_message(response="utter_form_set_aside")
            return [SlotSet("eligibility_set_aside", None)]
        region = tracker.get_slot("region") or current_region(tracker)
        try:
            results = eligibility.evaluate(profile_from(tracker, region), kb=kb())
        except PolicyKBError as error:
            dispatcher.utter_message(text=f"暂时无法判断：{error}")
            return []
        texts = [verdict_text(result.dict()) for result in results]
        statuses = [_status_of(result.dict()) for result in results]
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


def _short_region(region: str) -> str:
    """广西壮族自治区 → 广西 (how users say it; the bot suggests the words to resume with)."""
    return {"广西壮族自治区": "广西"}.get(region, region.removesuffix("市"))


VERDICT = {"eligible": "符合条件", "ineligible": "暂不符合", "needs_info": "还需要补充信息才能判断"}


def verdict_text(result: Dict[str, Any]) -> str:
    """Verdict first, then the reasons with what would make them pass, the assumptions, the clause.

    Short enough for a phone: failed checks in full, passed ones by name only, assumptions only
    when they matter (an ineligible project fails whatever is assumed).
    """
    checks = result["checks"]
    failed = [c for c in checks if c["passed"] is False]
    unknown = [c for c in checks if c["passed"] is None]
    passed = [c for c in checks if c["passed"] is True]
    lines = [f"【{result['program_name']}】{VERDICT[result['status']]}。"]
    lines += [f"✗ {_brief(c)}" for c in failed]
    if result["status"] != "ineligible":
        lines += [f"? {_brief(c)}" for c in unknown]
    names = "；".join(c.get("label") or c["id"] for c in passed)
    if passed and (failed or unknown):
        lines.append(f"已满足：{names}。" if len(names) <= 80 else f"其他 {len(passed)} 项条件已满足。")
    elif result["status"] == "eligible":
        lines.append(f"✓ {names}。")
    if result.get("assumptions") and result["status"] != "ineligible":
        lines.append("假定：" + "；".join(a.rstrip("。") for a in result["assumptions"]) + "。")
    cited = (failed or unknown or passed or [None])[0]
    if cited:
        lines.append(citation_line(cited["citation"]))
    return join_lines(lines)


def _brief(check: Dict[str, Any]) -> str:
    text = check.get("brief") or check["explanation"]
    for verdict in ("不符合：", "待确认：", "符合："):
        if text.startswith(verdict):
            return text[len(verdict):]
    return text


def _status_of(result: Dict[str, Any]) -> str:
    return kb().program_document(result["program_id"]).get("status", "")
