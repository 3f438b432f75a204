"""Suggest a ticket's category, responsible department and urgency, and say why (in Chinese).

Rules, in order: the words of the message, then the NLU intent. The department comes from
the knowledge base (`policy_kb.store.open_kb(path).departments(region)`: the departments the
policies name and what each handles), so a department added in a policy YAML is picked up
without code changes. Staff can change every suggestion in the console.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

logger = logging.getLogger(__name__)

# Checked top to bottom; the first row whose words occur in the message decides the category.
CATEGORY_KEYWORDS: Sequence[Tuple[str, Tuple[str, ...]]] = (
    ("投诉", ("投诉", "举报", "太差", "不满", "没人管", "没人理", "不作为", "态度差", "推诿")),
    ("资金拨付", ("到账", "拨付", "打款", "兑现", "奖补资金", "补贴款", "奖励资金", "资金", "钱什么时候", "没收到钱")),
    ("申报", ("审核", "申报", "进度", "材料", "备案", "核准", "入库", "评审", "审批", "受理", "公示", "认定")),
)

# When no word decides, the intent does.
INTENT_CATEGORY: Dict[str, str] = {
    "complain": "投诉",
    "ask_payment_status": "资金拨付",
    "ask_eligibility": "咨询",
    "ask_award": "咨询",
    "ask_tax_incentive": "咨询",
    "ask_procedure": "申报",
    "ask_policy_overview": "咨询",
    "compare_regions": "咨询",
    "ask_document_status": "咨询",
    "inform": "咨询",
}

# What a department must handle to own a category (matched against the KB's `handles`).
CATEGORY_TOPICS: Dict[str, Tuple[str, ...]] = {
    "资金拨付": ("奖补", "拨付", "资金", "兑现", "财政"),
    "申报": ("项目库", "入库", "申报", "备案", "核准", "审批", "项目计划", "遴选", "调度"),
    "投诉": ("调度", "管理", "督办", "监督", "项目库"),
    "咨询": ("政策", "项目库", "调度", "管理", "宣传"),
    "其他": (),
}

# Words in the message that point at a department's field, whatever the category.
TOPIC_WORDS: Tuple[str, ...] = (
    "税", "统计", "入统", "基金", "贷款", "信贷", "金融", "备案", "核准", "审批", "奖补", "项目库", "示范",
)

# When no department handles the category, the one running the programme takes it first.
LEAD_TOPICS: Tuple[str, ...] = ("项目库", "调度", "组织实施", "管理")

BASE_URGENCY: Dict[str, str] = {"投诉": "高", "资金拨付": "中", "申报": "中", "咨询": "低", "其他": "低"}
ESCALATING_WORDS: Tuple[str, ...] = ("急", "尽快", "马上", "多次", "好几次", "一直", "迟迟", "拖了", "还没", "至今")
URGENCY_LEVELS: Tuple[str, ...] = ("低", "中", "高")

# What the user is told about when to expect an answer (a service promise, not a policy figure).
RESPONSE_TIME: Dict[str, str] = {"高": "当天（工作时间内）", "中": "1个工作日内", "低": "2个工作日内"}


@dataclass
class DepartmentInfo:
    """A department the policies name, what it handles, and where the policy says so."""

    name: str
    handles: List[str] = field(default_factory=list)
    clause: Optional[str] = None
    document: Optional[str] = None


@dataclass
class Triage:
    """The suggestion shown to staff: category, department, urgency and why."""

    category: str
    department: Optional[str]
    urgency: str
    reasons: List[str] = field(default_factory=list)

    @property
    def explanation(self) -> str:
        return "；".join(self.reasons) + "。"


def suggest(intent: Optional[str], text: str, region: Optional[str],
            departments: Iterable[DepartmentInfo]) -> Triage:
    """Triage one request, e.g. ``suggest("ask_payment_status", "奖补资金什么时候到账", "六安市", depts)``."""
    text = text or ""
    category, why_category = _category(intent, text)
    department, why_department = _department(category, text, region, list(departments))
    urgency, why_urgency = _urgency(category, text)
    return Triage(category, department, urgency, [why_category, why_department, why_urgency])


def _category(intent: Optional[str], text: str) -> Tuple[str, str]:
    for category, words in CATEGORY_KEYWORDS:
        hits = [w for w in words if w in text]
        if hits:
            return category, f"类别“{category}”：消息提到“{'”“'.join(hits)}”"
    if intent in INTENT_CATEGORY:
        category = INTENT_CATEGORY[intent]
        return category, f"类别“{category}”：识别到的意图为 {intent}"
    return "其他", f"类别“其他”：消息中没有可判断类别的关键词（意图 {intent or '未知'}）"


def _department(category: str, text: str, region: Optional[str],
                departments: List[DepartmentInfo]) -> Tuple[Optional[str], str]:
    if not region:
        return None, "部门未定：不知道企业所在地区，请人工分派"
    if not departments:
        return None, f"部门未定：知识库中没有{region}的部门信息，请人工分派"
    asked = {w for w in TOPIC_WORDS if w in text}
    best, matched = _best(departments, asked, set(CATEGORY_TOPICS.get(category, ())))
    if best is not None:
        return best.name, f"部门“{best.name}”：知识库中该部门负责“{'、'.join(matched)}”{_source(best)}"
    best, matched = _best(departments, set(), set(LEAD_TOPICS))
    if best is not None:
        return best.name, (f"部门“{best.name}”：知识库未写明谁负责{category}事项，"
                           f"由主管“{'、'.join(matched)}”的部门先行受理{_source(best)}")
    return None, f"部门未定：知识库中{region}没有负责此类事项的部门，请人工分派"


def _best(departments: List[DepartmentInfo], asked: set, topics: set) -> Tuple[Optional[DepartmentInfo], List[str]]:
    """The department matching most of the user's own words, then most of the category's topics."""
    ranked = []
    for order, department in enumerate(departments):
        duties = department.handles or [department.name]
        asked_hits = sum(1 for w in asked if any(w in d for d in duties))
        topic_hits = sum(1 for w in topics if any(w in d for d in duties))
        ranked.append(((asked_hits, topic_hits, -order), department, duties))
    score, department, duties = max(ranked, key=lambda item: item[0])
    if score[0] + score[1] == 0:
        return None, []
    wanted = asked | topics
    return department, [d for d in duties if any(w in d for w in wanted)]


def _source(department: DepartmentInfo) -> str:
    if not department.clause:
        return ""
    return f"（{department.document + ' ' if department.document else ''}{department.clause}）"


def _urgency(category: str, text: str) -> Tuple[str, str]:
    level = BASE_URGENCY[category]
    hits = [w for w in ESCALATING_WORDS if w in text]
    if not hits or level == "高":
        return level, f"紧急程度“{level}”：{category}类默认为{level}"
    raised = URGENCY_LEVELS[URGENCY_LEVELS.index(level) + 1]
    return raised, f"紧急程度“{raised}”：{category}类默认为{level}，消息提到“{'”“'.join(hits)}”，提高一级"


# -- the knowledge base as the source of departments and regions ---------------------------

def _kb(kb_path: Optional[Path]):
    from policy_kb.store import open_kb

    return open_kb(kb_path)


def departments_for(region: Optional[str], kb_path: Optional[Path] = None) -> List[DepartmentInfo]:
    """The departments the KB names for `region`; empty when the KB is not available."""
    if not region:
        return []
    from policy_kb.errors import PolicyKBError

    try:
        records = _kb(kb_path).departments(region)
    except (PolicyKBError, sqlite3.Error, OSError) as err:
        logger.warning("triage without departments: knowledge base unavailable (%s)", err)
        return []
    return _merge_by_name([_department_info(record) for record in records])


def region_in_text(text: str, kb_path: Optional[Path] = None) -> Optional[str]:
    """The canonical region whose alias occurs in `text` (longest alias wins), from the KB's aliases."""
    from policy_kb.errors import PolicyKBError

    try:
        aliases = _kb(kb_path).aliases("region")
    except (PolicyKBError, sqlite3.Error, OSError) as err:
        logger.warning("no region aliases: knowledge base unavailable (%s)", err)
        return None
    found = [alias for alias in aliases if alias and alias in (text or "")]
    return aliases[max(found, key=len)] if found else None


def _department_info(record) -> DepartmentInfo:
    """The KB's `Department` record as triage uses it."""
    return DepartmentInfo(name=record.name, handles=list(record.handles), clause=record.clause,
                          document=record.citation.document)


def _merge_by_name(departments: List[DepartmentInfo]) -> List[DepartmentInfo]:
    """One entry per department (the KB lists a department once per clause naming it), first clause kept."""
    merged: Dict[str, DepartmentInfo] = {}
    for department in departments:
        if department.name in merged:
            merged[department.name].handles.extend(department.handles)
        else:
            merged[department.name] = department
    return list(merged.values())
