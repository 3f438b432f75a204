"""The 政策告知书 of the batch matcher: one short text per firm, and a one-page Markdown version.

Built from the decisions' wording (`policy_kb.wording`); no policy figure is written here.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from policy_kb.wording import fix_sentence, fmt_number, labels

_STATUS_WORD = {"eligible": "符合", "ineligible": "暂不符合", "needs_info": "尚需补充信息后判断"}


def status_word(status: str) -> str:
    return _STATUS_WORD.get(status, status)


def program_line(cp, decision) -> str:
    """'六安市级技改项目库：暂不符合（固定资产投资达到200万元即可满足）'."""
    program, p = cp.program, decision.profile
    line = f"{program.name}：{status_word(decision.status)}"
    if decision.status == "ineligible":
        fixes = [fix_sentence(cc, p) for cc, ok, _ in decision.outcomes if ok is False]
        line += "（" + "；".join(fixes) + "）"
    elif decision.status == "needs_info":
        line += f"（请补充：{labels(decision.missing)}）"
    return line


def firm_notice(name: str, lines: Sequence[str], awards_total: Optional[float], tax_saving: Optional[float],
                draft: bool) -> str:
    """The short 政策告知书 put in the batch output."""
    text = f"【政策告知书】{name or '贵企业'}：经初步比对，" + "；".join(lines) + "。"
    if awards_total:
        text += f"按已获称号可申请奖补约{fmt_number(awards_total)}万元。"
    if tax_saving:
        text += f"可享税收优惠估算少缴企业所得税约{fmt_number(tax_saving)}万元。"
    if draft:
        text += "依据文件为征求意见稿，以正式发布文件为准。"
    return text


def firm_notice_markdown(name: str, region: str, results: Sequence[Any], short: str,
                         awards_total: Optional[float], tax_saving: Optional[float]) -> str:
    """A one-page Markdown notice with every check and its clause (written by `match --notices`)."""
    out = [f"# 政策告知书：{name or '贵企业'}", "", f"地区：{region}", "", short, ""]
    for r in results:
        out += [f"## {r.program_name}：{status_word(r.status)}", ""]
        out += [f"- {'✅' if c.passed else ('❌' if c.passed is False else '❔')} {c.explanation}" for c in r.checks]
        if r.assumptions:
            out += ["", "假设：", *[f"- {a}" for a in r.assumptions]]
        out += ["", "建议：", *[f"- {a}" for a in r.advice], ""]
    if awards_total is not None:
        out += [f"奖补估算合计：{fmt_number(awards_total)}万元", ""]
    if tax_saving is not None:
        out += [f"税收优惠估算（不含递延部分）：{fmt_number(tax_saving)}万元", ""]
    return "\n".join(out)
