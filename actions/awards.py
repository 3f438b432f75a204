"""Award amounts for titles (六安市 三（二）; 广西 names none)."""

from __future__ import annotations

from typing import Any, Dict, List, Set, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    FEEDBACK_BUTTONS,
    caveat,
    citation_line,
    current_region,
    entity_values,
    join_lines,
    kb,
    wan,
)
from policy_kb import awards
from policy_kb.errors import PolicyKBError


class ActionAnswerAward(Action):
    def name(self) -> Text:
        return "action_answer_award"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        region = current_region(tracker)
        assumed_region = region is None
        default = kb().default_award_region()  # the sources say which; the reply says it was assumed
        region = region or default
        honors = with_shared_level(entity_values(tracker, "honor"))
        try:
            result = awards.calculate(region, honors, kb=kb()) if honors else None
        except PolicyKBError as error:
            hint = f" 可以说“{kb().short_region(default)}的奖补标准”查看全部称号。" if default else ""
            dispatcher.utter_message(text=f"{error}{hint}")
            return []
        text, statuses = (
            _reply_for(result, region, assumed_region) if result else _schedule(region)
        )
        note, events = caveat(tracker, statuses)
        dispatcher.utter_message(text=join_lines([text, note]), buttons=next_buttons(region) + FEEDBACK_BUTTONS)
        return events


LEVELS = ("国家级", "省级", "市级")


def with_shared_level(honors: List[str]) -> List[str]:
    """“市级绿色工厂和数字化车间” means 市级 for both, as the seed itself writes “市级智能工厂、
    绿色工厂、数字化车间”: a title named without a level takes the level of the title before it."""
    result: List[str] = []
    level = ""
    unlevelled = unlevelled_honors()
    for honor in honors:
        named = next((prefix for prefix in LEVELS if honor.startswith(prefix)), "")
        level = named or level
        result.append(honor if named or not level or honor in unlevelled else level + honor)
    return result


def unlevelled_honors() -> Set[str]:
    """Items of the award schedules that carry no level (高端化改造强链项目): no level is shared onto them."""
    return {award.honor for award in kb().awards(None) if not award.level}


def next_buttons(region: str) -> List[Dict[str, str]]:
    """The likely next question after an award answer: can the project get in at all."""
    return [{"title": "申报条件是什么", "payload": f'/ask_eligibility{{"region": "{region}"}}'}]


def _reply_for(result: awards.AwardResult, region: str, assumed_region: bool):
    items = result.items
    lines = [f"按{region}政策计算（未说明地区，默认{region}）：" if assumed_region else f"{region}奖补："]
    for item in items:
        amount = wan(item.amount_wan) if item.amount_wan is not None else "一事一议，无固定金额"
        lines.append(f"• {item.honor}：{amount}")
    if len(items) > 1 and result.total_wan:
        lines.append(f"合计：{wan(result.total_wan)}")
    lines.extend(result.notes[:2])  # short enough for a phone screen
    citations = {(i.citation.document, i.citation.clause): i.citation for i in items if i.citation}
    lines.extend(citation_line(c, with_quote=len(citations) == 1) for c in citations.values())
    return join_lines(lines), [_region_status(region)]


def _schedule(region: str):
    """No title named: the region's whole schedule, one line per title."""
    schedule = kb().awards(region)
    if not schedule:
        return _no_amounts(region)
    lines = [f"{region}技改奖补标准（每个新认定称号）："]
    for award in schedule:
        amount = wan(award.amount_wan) if award.amount_wan is not None else "一事一议"
        lines.append(f"• {award.honor}：{amount}")
    clauses = sorted({award.clause for award in schedule})
    citation = schedule[0].citation
    lines.append(f"依据：《{citation.document}》{'、'.join(clauses)}")
    return join_lines(lines), [citation.status]


def _no_amounts(region: str):
    result = awards.calculate(region, [], kb=kb())
    lines = [f"{region}的政策文件没有规定固定的奖补金额。"] + result.notes
    return join_lines(lines), [_region_status(region)]


def _region_status(region: str) -> str:
    document = kb().document_of_region(region)
    return document.status if document else ""
