"""Facts about the firm read from a message and the slots, and the wording of a verdict:
shared by the eligibility form, its questions and the question-first answer."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Set

from rasa_sdk import Tracker

from actions.common import citation_line, entity_values, join_lines, kb, latest_text, vocabulary
from nlu.question import Question, analyse, denied_at
from policy_kb.eligibility import CheckResult, ProgramResult
from policy_kb.wording import fmt_number

# Profile fields the conversation can fill (docs/api.md §4 names) → slot of the same name.
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
    text = latest_text(tracker)
    entities = tracker.latest_message.get("entities") or []
    for (entity, value), (slot, flag) in FLAG_ENTITIES.items():
        said = [e for e in entities if e.get("entity") == entity and e.get("value") == value]
        if said and not all(_denied(text, e) for e in said):  # "不是节能也不是安全改造" says neither
            facts[slot] = flag
    for entity, slot in (("direction", "direction"), ("catalog", "industry_catalog")):
        found = [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == entity]
        kept = [e for e in found if not _denied(text, e)]  # "不是信息化的，就是普通设备更新"
        if kept and kept[0].get("value"):
            facts[slot] = kept[0]["value"]

    q = analyse(latest_text(tracker), vocabulary())
    facts.update(_amounts(tracker, q))
    if q.output_wan:  # "改造前年产值1.2亿，改造后1.35亿": output figures, not the investment
        for slot in ("fixed_asset_investment_wan", "investment_this_year_wan"):
            if facts.get(slot) is not None and round(float(facts[slot]), 4) in q.output_wan:
                del facts[slot]
                if q.facts.get(slot) is not None:
                    facts[slot] = q.facts[slot]
    growth = _growth_across_turns(tracker, q)
    if growth and "output_growth_pct" not in facts:
        facts["output_growth_pct"] = growth[0]  # "改造前一年产值1个亿" … "改造后估计1.12亿"
    facts.update(_yes_no(tracker, facts))
    facts.update(_from_question(q, tracker, facts))
    share, total = q.facts.get("this_year_share_pct"), _share_base(tracker, q)
    if share and total and "investment_this_year_wan" not in facts:
        facts["investment_this_year_wan"] = round(float(total) * share / 100, 2)  # "今年能完成八成投资"
    if "above_size_after_project" in q.flags and "above_designated_size" not in q.flags:
        # "改造完应该能进规上": 规上 after the project, not now; "改完之后产值也上不了规上": not now either
        facts.pop("above_designated_size", None)
        if q.flags["above_size_after_project"] is False:
            facts["above_designated_size"] = False
    return facts


def _growth_across_turns(tracker: Tracker, q: Question) -> Optional[tuple]:
    """(growth %, its sum) when the latest message gives the output after the project and an earlier
    one (of the last few) gave the output before it."""
    if q.output_side != "after" or not q.output_wan or "output_growth_pct" in q.facts:
        return None
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"][:-1]
    for text in reversed(texts[-4:]):
        before = analyse(text, vocabulary())
        if before.output_side == "before" and before.output_wan and before.output_wan[0] > 0:
            low, high = before.output_wan[0], q.output_wan[0]
            growth = round((high - low) / low * 100, 1)
            return growth, f"产值预期增长 = ({q.output_said} − {before.output_said}) ÷ {before.output_said} = {growth:g}%。"
    return None


def derived_lines(tracker: Tracker) -> List[str]:
    """The sums behind figures read from the latest message (“产值预期增长 = (1.35亿 − 1.2亿) ÷ 1.2亿 = 12.5%”,
    “今年完成投资 = 2000 × 80% = 1600万元”)."""
    q = analyse(latest_text(tracker), vocabulary())
    lines = list(q.derived)
    growth = _growth_across_turns(tracker, q)
    if growth:
        lines.append(growth[1])
    needed = _output_needed(tracker, q, growth)
    if needed:
        lines.append(needed)
    share, total = q.facts.get("this_year_share_pct"), _share_base(tracker, q)
    if share and total:
        lines.append(f"今年完成投资 = {fmt_number(total)} × {fmt_number(share)}% = {fmt_number(round(total * share / 100, 2))}万元。")
    return lines


def _output_needed(tracker: Tracker, q: Question, growth: Optional[tuple]) -> Optional[str]:
    """“改造前1个亿，改造后1.1个亿”: the growth falls short of the region's required growth, so the
    output the project would need after it (from the required growth's figure)."""
    pct = growth[0] if growth else (q.facts.get("output_growth_pct") if q.derived else None)
    region = tracker.get_slot("region") or q.firm_region
    if pct is None or not region:
        return None
    required = next((f for f in kb().figures(region) if f.unit == "%" and "产值" in f.name and f.value), None)
    if required is None or pct >= required.value:
        return None
    low = q.output_wan[0] if q.derived and q.output_wan else None
    if low is None:
        texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"][:-1]
        earlier = [analyse(t, vocabulary()) for t in reversed(texts[-4:])]
        low = next((b.output_wan[0] for b in earlier if b.output_side == "before" and b.output_wan), None)
    if not low:
        return None
    need = low * (1 + required.value / 100)
    return (f"{fmt_number(pct)}%达不到{fmt_number(required.value)}%的增长要求；"
            f"要达到{fmt_number(required.value)}%的增长，改造后产值需不低于 {_output_words(low)} × "
            f"(1 + {fmt_number(required.value)}%) = {_output_words(need)}。")


def _output_words(wan: float) -> str:
    """An output in 万元 as people say it: 1.15亿, 8000万."""
    return f"{fmt_number(round(wan / 10000, 4))}亿" if wan >= 10000 else f"{fmt_number(round(wan, 2))}万"


def _share_base(tracker: Tracker, q: Question) -> Optional[float]:
    """The project's total a share of this year's investment is of: said now, or before."""
    total = q.facts.get("fixed_asset_investment_wan")
    return float(total) if total is not None else tracker.get_slot("fixed_asset_investment_wan")


def _denied(text: str, entity: Dict[str, Any]) -> bool:
    """The entity's words stand after 不是/并非/也不是 (“不是节能也不是安全改造”, “不是信息化项目”)."""
    start = entity.get("start")
    if start is None:
        value = str(entity.get("value") or "")
        start = text.find(value) if value else -1
    return start >= 0 and denied_at(text, start)


def _from_question(q: Question, tracker: Tracker, facts: Dict[str, Any]) -> Dict[str, Any]:
    """What the question analysis reads where the NLU's entities missed it: yes/no facts said in
    words ("去年已经备案", "年内投产不了") and the project's total ("上了条产线花了1800万")."""
    # a "no" read from the words ("年产值还没够规上") wins over the bare entity inside them (规上)
    found = {slot: value for slot, value in q.flags.items()
             if slot not in facts or slot == "completes_this_year" or value is False}
    asked = tracker.get_slot("requested_slot")
    total = q.facts.get("fixed_asset_investment_wan")
    units = q.facts.get("equipment") or []
    if total is None and len(units) == 1 and q.case_question and any(w in q.text for w in ("总共", "一共", "合计")):
        # "上了条数控生产线总共花了420万…能不能进库": the line is the project; its cost is the total
        total = units[0]["value_wan"]
    if total is not None and "fixed_asset_investment_wan" not in facts and asked != "investment_this_year_wan" \
            and "investment_this_year_wan" not in facts:
        found["fixed_asset_investment_wan"] = total
    return found


def _amounts(tracker: Tracker, q: Question) -> Dict[str, Any]:
    facts: Dict[str, Any] = {}
    asked = tracker.get_slot("requested_slot")
    total = entity_values(tracker, "investment")
    this_year = entity_values(tracker, "investment_this_year")
    other = entity_values(tracker, "amount")
    percent = entity_values(tracker, "percent")
    if this_year and len(total) == 1 and "fixed_asset_investment_wan" not in q.facts \
            and q.facts.get("investment_this_year_wan") == float(total[0]) \
            and any(cue in latest_text(tracker) for cue in CORRECTION_CUES):
        this_year, total = total, []  # "今年计划投1000万，哦不对…是1100万": this year's amount corrected
    bare = total or other
    if asked == "investment_this_year_wan" and bare and not this_year and not _names_total(tracker):
        this_year, total = bare[:1], total[1:]
    elif asked == "fixed_asset_investment_wan" and not total and (other or this_year) and not _names_this_year(tracker) \
            and not ("awards" in q.topics and "fixed_asset_investment_wan" not in q.facts):  # ("…一样50万" is an award)
        total = (other or this_year)[:1]
        this_year = [] if not other else this_year
    before = tracker.get_slot("fixed_asset_investment_wan")
    if this_year and not total and before is None and asked is None and len(this_year) == 1:
        # "今年技改投了三千万，能申报千企技改吗": the one amount of a project not described before is
        # its investment, all of it this year's (the form shows both, so a user can correct them)
        total = this_year[:1]
    if not total and len(other) == 1 and before is not None and asked is None and not this_year \
            and any(cue in latest_text(tracker) for cue in CORRECTION_CUES):
        total = other[:1]  # "不对不对，算错了，是230万": the project's total corrected
    if not total and other and adds_to_total(tracker):
        total = other[:1]
    if total and before is not None and adds_to_total(tracker):
        facts["fixed_asset_investment_wan"] = float(before) + float(total[-1])  # "再追加30万的设备投资"
    elif total:
        facts["fixed_asset_investment_wan"] = float(total[-1])  # the last one wins: "不对，是2500万"
        read = q.facts.get("fixed_asset_investment_wan")
        if len(total) > 1 and read is not None and read in [float(t) for t in total]:
            # "总投资4999万，差一万到5000": the total, not the gap; "总投资是2800万不是1800万": not the one denied
            facts["fixed_asset_investment_wan"] = float(read)
    summed = q.facts.get("fixed_asset_investment_wan")
    if summed is not None and any(line.startswith("固定资产投资 = ") for line in q.derived) and not adds_to_total(tracker):
        facts["fixed_asset_investment_wan"] = float(summed)  # "设备800万，厂房改造400万": both parts, shown summed
    if this_year:
        facts["investment_this_year_wan"] = float(this_year[-1])
    # "增长12%，那个15%的要求有没有弹性": a percentage named as the rule is not the firm's growth
    rule = {m.value for m in q.rule_mentions} | ({q.facts["this_year_share_pct"]} if "this_year_share_pct" in q.facts else set())
    percent = [p for p in percent if float(p) not in rule]  # (nor the share of the total done this year)
    if "output_growth_pct" in q.facts:
        facts["output_growth_pct"] = q.facts["output_growth_pct"]  # "要求15%以上…我们刚好增长15%": the firm's
    elif percent:
        facts["output_growth_pct"] = float(percent[-1])
    return facts


# Words that correct what was said before ("不对，是230万", "搞错了，是省级的").
CORRECTION_CUES = ("不对", "错了", "看错", "打错", "写错", "说错", "算错", "搞错", "更正", "应该是", "其实是", "纠正")
ADDITION_CUES = ("追加", "再加", "再投", "加投", "增加投资", "多投", "再多投", "另外再投", "再增加")


def adds_to_total(tracker: Tracker) -> bool:
    """The message adds an amount to the project said before (“如果我再追加30万的设备投资呢”)."""
    text = latest_text(tracker)
    if re.search(r"(?:总投资|总额|一共|总共|合计)(?:就)?(?:变成|变为|达到|调整为|调整到|增加到|提高到|是)", text) \
            or re.search(r"(?:追加|增加|提高|加)(?:到|至)", text):
        return False  # "追加投资，总投资变成2600万", "投资追加到2100万": the new total, not an addition
    return tracker.get_slot("fixed_asset_investment_wan") is not None and any(cue in text for cue in ADDITION_CUES)


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



VERDICT = {"eligible": "符合条件", "ineligible": "暂不符合", "needs_info": "还需要补充信息才能判断"}


def verdict_text(result: ProgramResult, said: str = "") -> str:
    """Verdict first, then the reasons with what would make them pass, the assumptions, the clause.

    Short enough for a phone: failed checks in full, passed ones by name only (one line each with
    the firm's figures when all passed), assumptions only
    when they matter (an ineligible project fails whatever is assumed).
    """
    checks = result.checks
    failed = [c for c in checks if c.passed is False]
    unknown = [c for c in checks if c.passed is None]
    passed = [c for c in checks if c.passed is True]
    if result.status != "eligible":
        # "已满足" names what the firm said, not what an assumption passed (独立法人, 允许类)
        assumed = _assumed_checks(result)
        passed = [c for c in passed if c.id not in assumed]
    lines = [f"【{result.program_name}】{VERDICT[result.status]}。"]
    lines += [f"✗ {_brief(c)}" for c in failed]
    document = kb().document_of_region(result.region)
    also: List[Any] = []  # the citations of what is said beside the checks
    if any(c.id == "filing" for c in failed):
        # "备案还没办…备案去哪办": where the text says the project is filed, beside what fails
        where = next((p for p in kb().points(result.region, "filing") if p.region == result.region and p.department), None)
        first = where.text.split("；")[0] if where else ""
        if where and first not in said:  # (not again when the answer beside it said it)
            lines.append(first + "。")
            also.append(where.citation)
    if any("适当调整" in _brief(c) for c in failed) and document and document.contact:
        # "制糖行业放宽到多少": the text allows an adjustment by industry and sets none
        lines.append(f"文件没有规定各行业调整后的具体增长率，能否按行业放宽，建议咨询{document.contact}。")
    if result.status != "ineligible":
        lines += [f"? {_brief(c)}" for c in unknown]
    names = "；".join(c.label or c.id for c in passed)
    if passed and (failed or unknown):
        lines.append(f"已满足：{names}。" if len(names) <= 80 else f"其他 {len(passed)} 项条件已满足。")
    elif result.status == "eligible":
        notes = check_notes(result.program_id, result.region)  # "须在节能降碳…产生较大效益": what a passed check still asks of the project
        for c in passed:  # with the firm's figures
            detail, note = check_detail(c.brief), notes.get(c.id, "")
            lines.append(f"✓ {detail}{note if note[1:-1] not in detail else ''}")
    if result.assumptions and result.status != "ineligible":
        lines.append("假定：" + "；".join(a.rstrip("。") for a in result.assumptions) + "。")
    cited = (failed or unknown or passed or [None])[0]
    if cited:
        lines.append(citation_line(cited.citation))
    lines += [citation_line(c) for c in also if not cited or c != cited.citation]
    return join_lines(lines)


def check_notes(program_id: str, region: str) -> Dict[str, str]:
    """The programme's note on a check, said beside a decided one (“此类项目不以产值增长15%为条件，但须
    在节能降碳…产生较大效益”; “文件允许预期增长率要求根据不同行业具体情况适当调整”)."""
    return {check.id: f"（{check.note.rstrip('。')}）" for program in kb().programs(region) if program.id == program_id
            for check in program.checks if getattr(check, "note", None)}


def _assumed_checks(result: ProgramResult) -> Set[str]:
    """Ids of the checks of `result` that passed by one of its assumptions."""
    made = set(result.assumptions)
    return {check.id for program in kb().programs(result.region) if program.id == result.program_id
            for check in program.checks for assumption in check.assume if assumption.text in made}


def _brief(check: CheckResult) -> str:
    text = check.brief or check.explanation
    for verdict in ("不符合：", "待确认：", "符合："):
        if text.startswith(verdict):
            return text[len(verdict):]
    return text


def check_detail(brief: Optional[str]) -> str:
    """`符合：标题。固定资产投资为260万元（要求不低于200万元）。` → the sentence with the figures
    (for a check passed by its exception, the exception: “改造方向为信息化、创新化的项目不受此限”)."""
    text = (brief or "").split("：", 1)[-1]
    sentences = [s for s in text.split("。") if s]
    exception = [s for s in sentences if "不受此限" in s]
    if exception:  # the rule said too: "固定资产投资200万元以上（…）：改造方向为信息化…的项目不受此限"
        return f"{sentences[0].strip()}：{exception[0].strip()}" if len(sentences) > 1 else exception[0].strip()
    return (sentences[1] if len(sentences) > 1 else sentences[0] if sentences else text).strip()
