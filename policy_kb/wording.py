"""Chinese wording of the rules engine's decisions.

Explanations of single checks (threshold, the firm's value, the clause), the advice that
says what would make a failed check pass (computed from the condition: "今年完成投资达到
900万元（30%）即可满足"), and the number formatting they share. The per-firm 政策告知书 is
`policy_kb.firm_notice`.
No policy figure is written here: every number comes from the condition being explained.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Dict, Iterable, List, Optional, Sequence

from policy_kb.conditions import fails, outcome
from policy_kb.profile import FIELDS
from policy_kb.rules_schema import AllOf, AnyOf, Comparison, Condition, Ratio

_OP_WORD = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于"}
_FIX_WORD = {">=": "达到", ">": "高于", "<=": "不超过", "<": "低于"}
_VERDICT = {True: "符合", False: "不符合", None: "待确认"}
DRAFT_STATUS = "征求意见稿"


# ---------------------------------------------------------------------------
# Number and label formatting
# ---------------------------------------------------------------------------
def exact_to_thousandths(x: float) -> bool:
    """0.125 is; 26.6666… is not (a computed 万元 figure exact to 10元 keeps its third decimal)."""
    return round(x, 3) == round(x, 6)


def fmt_number(x: Any) -> str:
    """200.0 -> '200', 26.666 -> '26.67', 0.125 -> '0.125' (exact to the third decimal)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    text = (f"{x:.3f}" if exact_to_thousandths(x) else f"{x:.2f}").rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def fmt_pct(fraction: float) -> str:
    """0.3 -> '30%'."""
    return fmt_number(fraction * 100) + "%"


_CN_SMALL = "零一二三四五六七八九十"


def fraction_words(x: float) -> str:
    """0.666667 -> '三分之二', 0.5 -> '二分之一': the simple fraction (denominator up to 十) that
    reads as the same percentage; the percentage when there is none."""
    for den in range(2, len(_CN_SMALL)):
        top = round(x * den)
        if 0 < top < den and fmt_pct(top / den) == fmt_pct(x):
            return f"{_CN_SMALL[den]}分之{_CN_SMALL[top]}"
    return fmt_pct(x)


def share_pct(fraction: float, required: float) -> str:
    """26.666…% → '26.7%' (as docs/product.md §3 writes it); two decimals where one would round across
    the requirement (29.99% must not read as 30.0%)."""
    # half up, as people round (900÷8000 = 11.25% → 11.3%, not the float's banker's 11.2%)
    one = float(Decimal(repr(round(fraction * 100, 9))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    if (one >= required * 100) != (fraction >= required):
        return fmt_number(math.floor(fraction * 100 * 100) / 100) + "%"
    return f"{one:.1f}".rstrip("0").rstrip(".") + "%"


def ceil_money(x: float) -> float:
    """Round an amount up to 0.01 万元, so that reaching it really satisfies the threshold."""
    return math.ceil(round(x * 100, 6)) / 100


def label(name: str) -> str:
    spec = FIELDS.get(name)
    return spec.label if spec else name


def labels(names: Iterable[str]) -> str:
    return "、".join(label(n) for n in dict.fromkeys(names))


def clause_display(clause_id: str) -> str:
    """'三.（四）' -> '三（四）' (the dot is only an id separator)."""
    return clause_id.replace(".", "")


def _amount(name: str, value: Any) -> str:
    return f"{fmt_number(value)}{FIELDS[name].unit}" if name in FIELDS else fmt_number(value)


# ---------------------------------------------------------------------------
# Describing a condition for a firm
# ---------------------------------------------------------------------------
def describe(cond: Condition, p: Dict[str, Any]) -> str:
    """The firm's facts against the requirement, e.g. '项目固定资产投资150万元（要求不低于200万元）'."""
    if isinstance(cond, Comparison):
        return _describe_comparison(cond, p)
    if isinstance(cond, Ratio):
        return _describe_ratio(cond, p)
    if isinstance(cond, AllOf):  # a failing check names what fails ("不具有独立法人资格"), not a yes/no met beside it
        shown = [c for c in cond.all if not (outcome(cond, p) is False and outcome(c, p) is True and _is_flag(c))]
        return "；".join(describe(c, p) for c in shown)
    return "；".join(describe(c, p) for c in _relevant_alternatives(cond, p))


def _is_flag(cond: Condition) -> bool:
    return isinstance(cond, Comparison) and cond.field in FIELDS and FIELDS[cond.field].kind == "bool"


def _relevant_alternatives(cond: AnyOf, p: Dict[str, Any]) -> List[Condition]:
    """The alternatives worth describing: the passing one(s), else those the firm could still meet."""
    passing = [c for c in cond.any if outcome(c, p) is True]
    if passing:
        return passing
    open_ = [c for c in cond.any if outcome(c, p) is None or fix(c, p)]
    return open_ or list(cond.any)


def _describe_comparison(cond: Comparison, p: Dict[str, Any]) -> str:
    name, actual = cond.field, p.get(cond.field)
    spec = FIELDS.get(name)
    if spec is not None and spec.kind == "bool":
        if actual is None:
            return f"未说明是否{spec.yes}"
        return spec.yes if actual else spec.no
    if actual is None:
        return f"未提供{label(name)}（要求{requirement(cond)}）"
    on_the_line = cond.op in (">=", "<=") and isinstance(actual, (int, float)) and actual == cond.value
    # "固定资产投资正好200万，算不算200万元以上": the figure itself counts (以上、以下含本数)
    line = f"；正好等于，“以上”包括{_amount(name, actual)}本身，达到要求" if on_the_line and cond.op == ">=" else \
        f"；正好等于，“以下”包括{_amount(name, actual)}本身，符合要求" if on_the_line else ""
    return f"{label(name)}为{_amount(name, actual)}（要求{requirement(cond)}{line}）"


def _describe_ratio(cond: Ratio, p: Dict[str, Any]) -> str:
    num, den = cond.ratio
    a, b = p.get(num), p.get(den)
    if a is None or b is None:
        # "投资三千万的项目，今年要完成多少": the amount the share asks for, from the total said
        needed = f"，即{fmt_number(b)}×{fmt_pct(cond.value)}={_amount(num, b * cond.value)}" if a is None and b else ""
        return f"未提供{labels(n for n, v in ((num, a), (den, b)) if v is None)}（要求{requirement(cond)}{needed}）"
    share = f"{fmt_number(a)}÷{fmt_number(b)}={share_pct(a / b, cond.value)}" if b else "—"
    # the amount the share asks for, computed: "即6000×10%=600万元"
    needed = f"，即{fmt_number(b)}×{fmt_pct(cond.value)}={_amount(num, b * cond.value)}" if b else ""
    exact = "；正好等于，“以上”含本数，达到要求" if b and cond.op == ">=" and abs(a / b - cond.value) < 1e-9 else ""
    return f"{label(num)}{_amount(num, a)}，占{label(den)}的{share}（要求{requirement(cond)}{needed}{exact}）"


def requirement(cond: Condition) -> str:
    """The requirement alone, e.g. '不低于500万元', '属于鼓励类或允许类'."""
    if isinstance(cond, Ratio):
        return f"{label(cond.ratio[0])}占{label(cond.ratio[1])}{_OP_WORD.get(cond.op, cond.op)}{fmt_pct(cond.value)}"
    if isinstance(cond, (AllOf, AnyOf)):
        glue, parts = ("且", cond.all) if isinstance(cond, AllOf) else ("或", cond.any)
        return glue.join(requirement(c) for c in parts)
    spec = FIELDS.get(cond.field)
    if cond.op in _OP_WORD:
        return f"{_OP_WORD[cond.op]}{_amount(cond.field, cond.value)}"
    if spec is not None and spec.kind == "bool":
        return spec.yes if bool(cond.value) == (cond.op == "==") else spec.no
    if cond.op in ("in", "not_in"):
        return ("属于" if cond.op == "in" else "不属于") + "或".join(cond.value)
    return f"{label(cond.field)}{'为' if cond.op == '==' else '不为'}{cond.value}"


def fix(cond: Condition, p: Dict[str, Any]) -> Optional[str]:
    """What would make a *failed* condition pass, computed from it; None if nothing sensible."""
    if isinstance(cond, Ratio):
        return _fix_ratio(cond, p)
    if isinstance(cond, AllOf):
        fixes = [fix(c, p) for c in cond.all if fails(c, p)]
        return None if not fixes or None in fixes else "，并且".join(fixes)
    if isinstance(cond, AnyOf):
        fixes = [f for f in (fix(c, p) for c in cond.any) if f]
        return "，或".join(fixes) if fixes else None
    return _fix_comparison(cond)


def _fix_comparison(cond: Comparison) -> Optional[str]:
    spec = FIELDS.get(cond.field)
    if cond.op in _FIX_WORD:
        return f"{label(cond.field)}{_FIX_WORD[cond.op]}{_amount(cond.field, cond.value)}"
    if spec is not None and spec.kind == "bool":
        wants_true = bool(cond.value) == (cond.op == "==")
        return spec.todo if wants_true else None
    return f"{label(cond.field)}{requirement(cond)}"


def _fix_ratio(cond: Ratio, p: Dict[str, Any]) -> Optional[str]:
    num, den = cond.ratio
    base = p.get(den)
    if not base:
        return None
    needed = ceil_money(cond.value * base)
    return f"{label(num)}{_FIX_WORD.get(cond.op, '达到')}{_amount(num, needed)}（{fmt_pct(cond.value)}）"


# ---------------------------------------------------------------------------
# Check explanations and programme advice
# ---------------------------------------------------------------------------
_FIX_CACHE: Dict[Any, str] = {}
_FIX_CACHE_SIZE = 50_000


def fix_sentence(cc, p: Dict[str, Any]) -> str:
    """'固定资产投资达到200万元（改造方向为信息化、创新化的项目不受此限）即可满足'.

    Cached on the values of the fields the check reads: the batch matcher words the same
    failure for many firms.
    """
    key = (id(cc), *(p.get(f) for f in cc.fields))
    text = _FIX_CACHE.get(key)
    if text is None:
        if len(_FIX_CACHE) >= _FIX_CACHE_SIZE:
            _FIX_CACHE.clear()
        text = _FIX_CACHE[key] = _fix_sentence(cc, p)
    return text


def _fix_sentence(cc, p: Dict[str, Any]) -> str:
    check = cc.check
    text = fix(check.condition, p) or f"满足“{check.label}”"
    if check.unless is not None and cc.unless(p)[0] is None:
        text += f"（{_exemption(check.unless)}的项目不受此限）"
    return text + "即可满足"


def _exemption(cond: Condition) -> str:
    if isinstance(cond, Comparison) and cond.op == "in":
        return f"{label(cond.field)}为{'、'.join(cond.value)}"
    return requirement(cond)


def explain_check(cc, ok: Optional[bool], missing: Sequence[str], p: Dict[str, Any], document: str,
                  with_citation: bool = True) -> str:
    """One check in Chinese: verdict, the firm's facts vs the threshold, the clause, the fix.

    `with_citation=False` leaves the clause out (the chat shows it on its own line).
    """
    check = cc.check
    cite = f"依据《{document}》{clause_display(check.clause)}：“{check.quote}”。" if with_citation else ""
    if ok is None and cc.when is not None and cc.when(p)[0] is None:
        return f"{_VERDICT[None]}：{check.label}。需先知道{labels(missing)}，才能确定适用的要求。{cite}"
    body = describe(check.condition, p)
    text = f"{_VERDICT[ok]}：{check.label}。{body}。{cite}"
    if ok is False:
        text += fix_sentence(cc, p) + "。"
    elif ok is None:
        text += f"尚缺：{labels(missing)}"
        if check.unless is not None and cc.unless(p)[0] is None:
            text += f"（{_exemption(check.unless)}的项目不受此限）"
        text += "。"
    elif check.unless is not None and cc.unless(p)[0]:
        text += f"{_exemption(check.unless)}的项目不受此限（此项不限定）。"
    if check.note:
        text += check.note
    return text


def advice(cp, decision, document: str, document_status: Optional[str]) -> List[str]:
    """What the firm should do next, then notes the programme carries (obligations, priority, draft)."""
    program, p = cp.program, decision.profile
    out: List[str] = []
    if decision.status == "ineligible":
        out += [f"{cc.check.label}：{fix_sentence(cc, p)}。" for cc, ok, _ in decision.outcomes if ok is False]
        passed = [cc.check.label for cc, ok, _ in decision.outcomes if ok is True]
        if passed:
            out.append(f"其他条件（{'；'.join(passed)}）已满足。")
    elif decision.status == "needs_info":
        out.append(f"请补充：{labels(decision.missing)}。")
    else:
        out.append(f"符合《{document}》{program.name}的各项条件，可按要求申报。")
    out += [f"{n.label}：{n.text}（{clause_display(n.clause)}）" for n in program.not_modelled]
    out += [f"优先支持：{pr.label}（{clause_display(pr.clause)}）。" for pr in program.priority]
    out += list(program.notes)
    if document_status == DRAFT_STATUS:
        out.append(f"《{document}》为征求意见稿，以正式发布文件为准。")
    return out
