"""Procedures, policy overview, the two regions compared, and document status."""

from __future__ import annotations

from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    FEEDBACK_BUTTONS,
    caveat,
    citation_line,
    current_region,
    join_lines,
    kb,
    latest_text,
)
from actions.search import best_clause_answer
from policy_kb.store import NATIONAL_REGION, Document, Procedure


def _documents_of(region: Optional[str]) -> List[Document]:
    return [d for d in kb().documents() if region is None or d.region == region]


class ActionAnswerProcedure(Action):
    """备案/入统/审批: the procedure whose name the question mentions, else the best clause."""

    def name(self) -> Text:
        return "action_answer_procedure"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        region = current_region(tracker)
        text = latest_text(tracker)
        matches = [p for p in kb().procedures(region) if _mentions(text, p)]
        if not matches:
            return best_clause_answer(dispatcher, tracker, region)
        lines = []
        for procedure in matches[:2]:
            lines.append(f"【{procedure.name}】{procedure.description}")
            if procedure.department:
                lines.append(f"负责部门：{procedure.department}")
            lines.append(citation_line(procedure.citation))
        note, events = caveat(tracker, [p.citation.status for p in matches])
        dispatcher.utter_message(text=join_lines(lines + [note]), buttons=FEEDBACK_BUTTONS)
        return events


def _mentions(text: str, procedure: Procedure) -> bool:
    return procedure.name in text or any(part in text for part in procedure.name.split("/"))


class ActionAnswerOverview(Action):
    """Directions and goals of the region's policy."""

    def name(self) -> Text:
        return "action_answer_overview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        region = current_region(tracker)
        documents = [d for d in _documents_of(region) if d.region != NATIONAL_REGION]
        lines, statuses = [], []
        for document in documents[:2]:
            directions = kb().directions(document.region)
            targets = kb().targets(document.region)
            lines.append(f"《{document.title}》")
            if directions:
                lines.append("重点方向：" + "、".join(d.name for d in directions))
            lines += [f"• {t.name}：{t.quote}" for t in targets[:3]]
            clauses = sorted({d.clause for d in directions} | {t.clause for t in targets[:3]})
            lines.append(f"依据：《{document.title}》" + "、".join(clauses))
            statuses.append(document.status)
        note, events = caveat(tracker, statuses)
        dispatcher.utter_message(text=join_lines(lines + [note]), buttons=FEEDBACK_BUTTONS)
        return events


class ActionCompareRegions(Action):
    """The two programmes side by side: who may apply and the investment thresholds."""

    def name(self) -> Text:
        return "action_compare_regions"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        lines, statuses = [], []
        for program in kb().programs():
            document = kb().program_document(program.id)
            lines.append(f"【{program.name}】（{program.region}）")
            lines += [f"• {check.label}：{check.quote}" for check in program.checks[:5]]
            lines.append(citation_line(kb().citation(document.id, program.clause), with_quote=False))
            statuses.append(document.status)
        note, events = caveat(tracker, statuses)
        lines.append("奖补：" + "；".join(_award_summary(p.region) for p in kb().programs()))
        dispatcher.utter_message(text=join_lines(lines + [note]), buttons=FEEDBACK_BUTTONS)
        return events


def _award_summary(region: str) -> str:
    """How a region awards money, from its award schedule or, without one, its award note."""
    schedule = kb().awards(region)
    if schedule:
        return f"{region}按新认定称号给予奖励（{len(schedule)} 类称号，问“{region}奖补标准”查看）"
    notes = kb().award_notes(region)
    return notes[0].text if notes else f"{region}的文件未列出奖补标准"


class ActionDocumentStatus(Action):
    def name(self) -> Text:
        return "action_document_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        region = current_region(tracker)
        lines = []
        for document in _documents_of(region):
            if document.region == NATIONAL_REGION:
                continue
            lines.append(f"《{document.title}》：{document.status}（发文：{document.issuer}）")
        if any("征求意见稿" in line for line in lines):
            lines.append("征求意见稿尚未正式生效，具体条件和金额以正式发布文件为准。")
        dispatcher.utter_message(text=join_lines(lines))
        return []
