"""What the eligibility form has decided so far (✓ passed, ✗ failed, ? still open).

The form's validation action (`actions.eligibility`) says it whenever it asks for another
fact; the question itself, with its wording and buttons, is the domain's `utter_ask_<slot>`
response, which Rasa utters without a call to the action server."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Set

from rasa_sdk import Tracker

from actions.common import citation_line, join_lines, kb
from actions.facts import check_detail, check_notes, profile_from
from policy_kb import eligibility
from policy_kb.conditions import condition_fields
from policy_kb.errors import PolicyKBError
from policy_kb.rules_schema import AllOf, AnyOf, Condition, Ratio
from policy_kb.wording import fmt_number, fmt_pct


def decided_so_far(tracker: Tracker, opening: bool = False) -> Optional[str]:
    """“目前已满足一项，还有两项要确认：✓ … ? …” for the region's programme, None before any fact
    (`opening`: the check's first question, where nothing is decided yet, lists what it will look at)."""
    region = tracker.get_slot("region")
    if not region:
        return None
    try:
        results = eligibility.evaluate(profile_from(tracker, region), kb=kb())
    except PolicyKBError:
        return None
    lines: List[str] = []
    for result in results:
        assumable = _assumable_checks(result.program_id, region) if result.assumptions else set()
        passed = [c for c in result.checks if c.passed is True and c.id not in assumable]
        failed = [c for c in result.checks if c.passed is False]
        open_ = [c for c in result.checks if c.passed is None]
        if not passed and not failed:
            said = _said_bearing(result, region, profile_from(tracker, region))
            if said:  # "我们还不是规上，能报千企技改吗": nothing decided yet, but what was said still counts
                lines.append(f"【{result.program_name}】您说的情况对应这一条（还未定）：")
                lines += [f"? {c.label}" for c in said]
                lines.append(citation_line(said[0].citation, with_quote=False))
            elif opening:  # "我们是国企，能申报千企技改吗": the checks ahead, before the first question
                lines.append(f"【{result.program_name}】要看以下{len(result.checks)}条，我逐条问您：")
                lines += [f"? {c.label}" for c in result.checks]
                lines.append(citation_line(result.checks[0].citation, with_quote=False))
            continue
        head = f"【{result.program_name}】目前已满足{len(passed)}项" + (f"，{len(failed)}项不满足" if failed else "")
        lines.append(head + (f"，还有{len(open_)}项要确认：" if open_ else "："))
        needs = _ratio_needs(result.program_id, region, profile_from(tracker, region))
        notes = check_notes(result.program_id, region)
        lines += [f"✓ {check_detail(c.brief)}{notes.get(c.id, '')}" for c in passed]
        lines += [f"✗ {check_detail(c.brief)}{notes.get(c.id, '')}" for c in failed]
        lines += [f"? {c.label}{needs.get(c.id, '') or _known_part(c.brief)}" for c in open_]
        lines.append(citation_line(result.checks[0].citation, with_quote=False))
    return join_lines(lines) or None


def _known_part(brief: str) -> str:
    """What an open check already knows (“改造后工业总产值预期增长为12%（要求不低于15%）”, the other
    alternative still open): said, and whether that part falls short."""
    # ("今年完成投资1000万元，占固定资产投资的1000÷2500=40%（要求…不低于30%…）": a share computed)
    known = [part for part in re.split(r"[。；]", brief) if re.search(r"为[\d.]+[%万]|=[\d.]+%（要求", part)]
    if not known:
        return ""
    figure = re.search(r"[为=]([\d.]+)(%|万元)（要求[^）]*?不低于([\d.]+)", known[0])
    short = "，这一部分未达到，要看另一种情况是否满足" if figure and float(figure.group(1)) < float(figure.group(3)) else ""
    said = known[0]
    if figure and not short and "=" in said:  # "…=40%（要求…不低于30%，即…）": met, said without nesting brackets
        said = re.sub(r"（要求[^）]*）", f"，达到{figure.group(3)}{figure.group(2)}的要求", said)
    return f"（已知：{said}{short}）"


def _said_bearing(result, region: str, profile: Dict[str, Any]) -> List[Any]:
    """Open checks whose condition reads a fact the user has given (“还不是规上” for the scale check,
    whose other alternative — 改造后可达到规模以上 — is still open)."""
    given = {name for name, value in profile.items() if value is not None and name != "region"}
    checks = {check.id: check for program in kb().programs(region) if program.id == result.program_id
              for check in program.checks}
    return [c for c in result.checks if c.passed is None and c.id in checks
            and given & set(condition_fields(checks[c.id].condition))]


def _ratio_needs(program_id: str, region: str, profile: Dict[str, Any]) -> Dict[str, str]:
    """For an open share check whose base is known: the amount that meets it, computed
    (“（按3000万元计：3000×30%=900万元以上）”)."""
    needs: Dict[str, str] = {}
    for program in kb().programs(region):
        if program.id != program_id:
            continue
        for check in program.checks:
            for ratio in _ratios(check.condition):
                base = profile.get(ratio.ratio[1])
                if isinstance(base, (int, float)) and profile.get(ratio.ratio[0]) is None:
                    need = fmt_number(base * ratio.value)
                    needs[check.id] = f"（按{fmt_number(base)}万元计：{fmt_number(base)}×{fmt_pct(ratio.value)}={need}万元以上）"
    return needs


def _ratios(condition: Condition) -> List[Ratio]:
    if isinstance(condition, Ratio):
        return [condition]
    parts = condition.all if isinstance(condition, AllOf) else condition.any if isinstance(condition, AnyOf) else []
    return [r for part in parts for r in _ratios(part)]


def _assumable_checks(program_id: str, region: str) -> Set[str]:
    """Checks a firm may pass only by an assumption (独立法人、允许类: the check's `assume` sets a
    field its condition reads); not shown as decided while assumptions were made."""
    return {check.id for program in kb().programs(region) if program.id == program_id for check in program.checks
            if {a.field for a in check.assume} & set(condition_fields(check.condition))}

