"""The eligibility form's questions. Each turn first shows what is already decided
(✓ passed, ✗ failed, ? still open), then asks the one fact that decides next."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import citation_line, join_lines, kb
from actions.facts import profile_from
from policy_kb import eligibility
from policy_kb.errors import PolicyKBError


def _inform(entity: str, value: str) -> str:
    return f'/inform{{"{entity}": "{value}"}}'


Buttons = List[Dict[str, str]]
# slot → (question, buttons). Wording only: the thresholds are in the checks shown above it.
QUESTIONS: Dict[str, Tuple[str, Buttons]] = {
    "region": ("请问您的企业在哪个地区？", [
        {"title": "六安市", "payload": _inform("region", "六安市")},
        {"title": "广西", "payload": _inform("region", "广西壮族自治区")}]),
    "above_designated_size": ("贵企业目前是规模以上工业企业（规上企业）吗？", [
        {"title": "是，规上企业", "payload": _inform("scale", "规上")},
        {"title": "还不是规上", "payload": _inform("scale", "规下")}]),
    "above_size_after_project": ("项目实施后，企业能达到规模以上工业企业标准吗？", [
        {"title": "能达到", "payload": "/affirm"}, {"title": "达不到", "payload": "/deny"}]),
    "direction": ("这个技改项目主要属于哪个方向？", [
        {"title": name, "payload": _inform("direction", name)}
        for name in ("智能化", "自动化", "绿色化", "信息化", "创新化", "高端化")]),
    "fixed_asset_investment_wan": ("项目的固定资产投资总额是多少？（例如：3000万）", []),
    "investment_this_year_wan": ("今年（年度内）预计能完成多少投资？", []),
    "filed_or_approved": ("项目已经办理备案（或核准）手续了吗？", [
        {"title": "已备案", "payload": _inform("filing", "已备案")},
        {"title": "还没有", "payload": _inform("filing", "未备案")}]),
    "completes_this_year": ("项目能在今年年度内竣工投产吗？", [
        {"title": "能", "payload": _inform("completion", "年内竣工")},
        {"title": "不能", "payload": _inform("completion", "年内不能竣工")}]),
    "output_growth_pct": ("改造后企业年度工业总产值预计比改造前增长百分之多少？如果是节能技改或安全性能提升项目，请直接说明。", [
        {"title": "节能技改项目", "payload": _inform("project_type", "节能技改")},
        {"title": "安全性能提升项目", "payload": _inform("project_type", "安全性能提升")}]),
    "industry_catalog": ("项目属于《产业结构调整指导目录》的哪一类？", [
        {"title": kind, "payload": _inform("catalog", kind)} for kind in ("鼓励类", "允许类", "限制类")]),
}


def decided_so_far(tracker: Tracker) -> Optional[str]:
    """“目前已满足一项，还有两项要确认：✓ … ? …” for the region's programme, None before any fact."""
    region = tracker.get_slot("region")
    if not region:
        return None
    try:
        results = eligibility.evaluate(profile_from(tracker, region), kb=kb())
    except PolicyKBError:
        return None
    lines: List[str] = []
    for result in results:
        passed = [c for c in result.checks if c.passed is True and not _assumed(c, result.assumptions)]
        failed = [c for c in result.checks if c.passed is False]
        open_ = [c for c in result.checks if c.passed is None]
        if not passed and not failed:
            continue
        head = f"【{result.program_name}】目前已满足{len(passed)}项" + (f"，{len(failed)}项不满足" if failed else "")
        lines.append(head + (f"，还有{len(open_)}项要确认：" if open_ else "："))
        lines += [f"✓ {_detail(c.brief)}" for c in passed]
        lines += [f"✗ {_detail(c.brief)}" for c in failed]
        lines += [f"? {c.label}" for c in open_]
        lines.append(citation_line(result.checks[0].citation.dict(), with_quote=False))
    return join_lines(lines) or None


def _assumed(check: Any, assumptions: List[str]) -> bool:
    """A check passed only by an assumption (独立法人、允许类) is not shown as decided."""
    return bool(assumptions) and check.id in ("legal-person", "industry-catalog")


def _detail(brief: Optional[str]) -> str:
    """`符合：标题。固定资产投资为260万元（要求不低于200万元）。` → the sentence with the figures."""
    text = (brief or "").split("：", 1)[-1]
    sentences = [s for s in text.split("。") if s]
    return (sentences[1] if len(sentences) > 1 else sentences[0] if sentences else text).strip()


class AskSlot(Action):
    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        question, buttons = QUESTIONS[self.slot]
        decided = decided_so_far(tracker)
        text = join_lines([decided, f"请问：{question}" if decided else question])
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


def _ask_action(slot: str) -> type:
    return type(f"Ask_{slot}", (AskSlot,), {"slot": slot})


ASK_ACTIONS = [_ask_action(slot) for slot in QUESTIONS]
