"""National tax incentives: explain one, or estimate when the user gives an amount."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import FEEDBACK_BUTTONS, citation_line, entity_values, join_lines, kb, latest_text, wan
from policy_kb import tax
from policy_kb.errors import PolicyKBError


def _cued_value(text: str) -> Optional[Tuple[str, str]]:
    """(value, incentive id) of the first value cue in `text` (环保 → 环境保护 of the special-equipment credit)."""
    return next(((value, incentive) for cue, value, incentive in kb().value_cues() if cue in text), None)


def _special_purpose(text: str) -> Optional[str]:
    cued = _cued_value(text)
    return cued[0] if cued else None


def _answered_incentives() -> Dict[str, str]:
    """Incentive name (the canonical entity value) → id, for the measures answered on their own."""
    return {incentive.name: incentive.id for incentive in kb().incentives() if not incentive.firm_rate}


def estimate_request(incentive_id: str, amount: float, text: str) -> Optional[Dict[str, Any]]:
    """The /api/tax/estimate request a sentence like “研发投了800万能省多少税” stands for."""
    request: Dict[str, Any] = {}
    if "高新" in text:
        request["income_tax_rate"] = kb().parameter("high-tech-rate", "high_tech_cit_rate").value
    today = dt.date.today().isoformat()
    if incentive_id == "rd-super-deduction":
        request["rd_expense_wan"] = amount
    elif incentive_id == "tech-transfer-exemption":
        request["tech_transfer_income_wan"] = amount
    elif incentive_id in ("equipment-one-time-deduction", "special-equipment-credit"):
        equipment = {"value_wan": amount, "purchase_date": today}
        purpose = _special_purpose(text)
        if purpose:
            equipment["special_purpose"] = purpose
        request["equipment"] = [equipment]
    else:
        return None
    return request


def _incentive_for(tracker: Tracker) -> Optional[str]:
    named = entity_values(tracker, "incentive") or ([tracker.get_slot("incentive")] if tracker.get_slot("incentive") else [])
    answered = _answered_incentives()
    for value in named:
        canonical = kb().aliases("incentive").get(value, value)
        if canonical in answered:
            return answered[canonical]
    text = latest_text(tracker)
    cued = _cued_value(text)
    if cued and "设备" in text:
        return cued[1]
    return None


class ActionAnswerTax(Action):
    def name(self) -> Text:
        return "action_answer_tax"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        incentive_id = _incentive_for(tracker)
        amounts = entity_values(tracker, "amount") or entity_values(tracker, "investment")
        if incentive_id is None:
            dispatcher.utter_message(text=overview_text(), buttons=_incentive_buttons())
            return []
        request = estimate_request(incentive_id, float(amounts[0]), latest_text(tracker)) if amounts else None
        try:
            text = estimate_text(request, incentive_id) if request else explain_text(incentive_id)
        except PolicyKBError as error:
            text = f"暂时无法计算：{error}"
        dispatcher.utter_message(text=text, buttons=FEEDBACK_BUTTONS)
        return []


def explain_text(incentive_id: str) -> str:
    incentive = kb().incentive(incentive_id)
    lines = [f"【{incentive.name}】", incentive.summary]
    if incentive.status == "secondary":
        lines.append("（部分内容来自二手资料，请以官方原文为准）")
    lines.append(citation_line(incentive.citation))
    return join_lines(lines)


def estimate_text(request: Dict[str, Any], incentive_id: str) -> str:
    result = tax.estimate(request, kb=kb())
    asked = [item for item in result.items if item.incentive_id == incentive_id]
    lines = []
    for item in asked or result.items:
        lines.append(f"【{item.name}】{item.explanation}")
        lines.append(f"估算节税：{wan(item.tax_saving_wan)}")
        lines.append(citation_line(item.citation))
    lines.extend(result.notes[:2])
    return join_lines(lines) or explain_text(incentive_id)


def overview_text() -> str:
    names = [incentive.name for incentive in kb().incentives() if incentive.kind == "tax"]
    return join_lines([
        "技改企业可以关注这些国家税收优惠：" + "、".join(names) + "。",
        "告诉我具体项目和金额（例如“研发费用800万能省多少税”），我可以帮您估算。",
    ])


INCENTIVE_BUTTONS = 3  # the first incentives the assistant estimates, as buttons


def _incentive_buttons() -> List[Dict[str, str]]:
    """Buttons for the first incentives the knowledge base can estimate (in its order)."""
    estimated = [i for i in kb().incentives() if i.kind == "tax" and i.estimated][:INCENTIVE_BUTTONS]
    return [{"title": i.name, "payload": "/ask_tax_incentive" + json.dumps({"incentive": i.name}, ensure_ascii=False)}
            for i in estimated]

