"""Award calculator (docs/api.md §5 `/api/subsidy`): honours → amounts with their clause.

Amounts come from the region's award schedule in the knowledge base (`kb.awards(region)`).
A title given twice counts twice; "一事一议" titles are listed with no amount and a note;
a region whose document sets no amounts (广西) lists the titles with no amount and says so
instead of inventing a figure.

    >>> calculate("六安", ["省智能工厂", "市级绿色工厂"]).total_wan
    60.0
"""

from __future__ import annotations

from typing import Dict, List, Optional, Union

from pydantic import BaseModel

from policy_kb.eligibility import resolve_region
from policy_kb.rules_schema import UnknownHonorError
from policy_kb.store import Award, AwardNote, KnowledgeBase, or_default


class AwardCitation(BaseModel):
    document: str
    clause: str
    quote: str


class AwardItem(BaseModel):
    honor: str
    amount_wan: Optional[float]
    citation: Optional[AwardCitation]


class AwardResult(BaseModel):
    items: List[AwardItem]
    total_wan: float
    notes: List[str]


def _schedule(kb: KnowledgeBase, region: str) -> Dict[str, Award]:
    """{canonical honour: award record} of a region."""
    return {a.honor: a for a in kb.awards(region)}


def _resolve(kb: KnowledgeBase, text: str, schedule: Dict[str, Award]) -> Optional[str]:
    name = text.strip()
    if name in schedule:
        return name
    canonical = kb.resolve_honor(name)
    return canonical if canonical in schedule else None


def _citation(record: Union[Award, AwardNote]) -> AwardCitation:
    return AwardCitation(document=record.citation.document, clause=record.clause, quote=record.quote)


def _no_schedule_result(kb: KnowledgeBase, region: str, honors: List[str]) -> AwardResult:
    """Regions whose document fixes no award amounts: list the titles, amount unknown."""
    award_notes = kb.award_notes(region)
    # The clause that says how support is decided stands in for an amount clause.
    citation = _citation(award_notes[0]) if award_notes else None
    items = [AwardItem(honor=kb.resolve_honor(h.strip()) or h.strip(), amount_wan=None, citation=citation)
             for h in honors]
    notes = [f"{region}的政策文件没有规定固定的奖补金额，无法计算奖励；请以当地主管部门发布的扶持政策为准。"]
    notes += [n.text for n in award_notes]
    return AwardResult(items=items, total_wan=0.0, notes=notes)


def calculate(region: str, honors: List[str], kb: Optional[KnowledgeBase] = None) -> AwardResult:
    """Sum the awards for `honors` (canonical names or aliases) in `region`.

    Raises UnknownRegionError for an unknown region and UnknownHonorError (its `field`
    is `honors[i]`) for a title that is not in the region's schedule.
    """
    kb = or_default(kb)
    region = resolve_region(region, kb)
    schedule = _schedule(kb, region)
    if not schedule:
        return _no_schedule_result(kb, region, honors)
    items, notes = [], []
    for i, text in enumerate(honors):
        canonical = _resolve(kb, str(text), schedule) if isinstance(text, str) else None
        if canonical is None:
            known = "、".join(schedule)
            raise UnknownHonorError(f"未知称号“{text}”：{region}可计算的称号有{known}", field=f"honors[{i}]")
        award = schedule[canonical]
        items.append(AwardItem(honor=canonical, amount_wan=award.amount_wan, citation=_citation(award)))
        if award.amount_wan is None:
            notes.append(f"{canonical}：{award.note or '无固定金额（一事一议）'}")
    notes += [n.text for n in kb.award_notes(region)]
    total = sum(item.amount_wan for item in items if item.amount_wan is not None)
    return AwardResult(items=items, total_wan=float(total), notes=list(dict.fromkeys(notes)))
