"""Rules name the figures they use (after OpenFisca's parameters).

A threshold in a programme's rule is written `value: {figure: guangxi-band-mid-share}`: the
number lives once, in the source's `figures` (value, unit, clause, quote), and the loader puts
it into the rule, converted to what the rule compares (a ratio takes a fraction: 30 % → 0.3;
an amount takes 万元: 1 亿元 → 10000), and keeps the figure's id beside it. A number written
straight into a rule is an error that names the rule.

    {ratio: [investment_this_year_wan, fixed_asset_investment_wan], op: ">=", value: {figure: guangxi-band-mid-share}}
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from policy_kb.errors import SourceError
from policy_kb.rules_schema import NUMERIC_OPS

FRACTION = "比例"
# unit of the figure → (unit the rule compares, factor)
_CONVERSIONS = {("%", FRACTION): 0.01, ("亿元", "万元"): 10000.0}


def resolve_figures(data: Dict[str, Any], file: str) -> None:
    """Replace every `{figure: id}` in the programmes of a raw source (in place)."""
    figures = {f.get("id"): f for f in data.get("figures") or [] if isinstance(f, dict)}
    for i, program in enumerate(data.get("programs") or []):
        for j, check in enumerate((program or {}).get("checks") or [] if isinstance(program, dict) else []):
            for key in ("condition", "when", "unless"):
                if isinstance(check, dict) and isinstance(check.get(key), dict):
                    _resolve(check[key], f"programs[{i}].checks[{j}].{key}", figures, file)


def _resolve(cond: Dict[str, Any], path: str, figures: Dict[str, Any], file: str) -> None:
    for glue in ("all", "any"):
        if isinstance(cond.get(glue), list):
            for k, part in enumerate(cond[glue]):
                if isinstance(part, dict):
                    _resolve(part, f"{path}.{glue}[{k}]", figures, file)
            return
    target = FRACTION if "ratio" in cond else cond.get("unit")
    value = cond.get("value")
    if isinstance(value, dict) and set(value) == {"figure"}:
        cond["value"] = _converted(figures, value["figure"], target, f"{path}.value", file)
        cond["figure"] = value["figure"]
    elif _is_number(value) and ("ratio" in cond or cond.get("op") in NUMERIC_OPS):
        raise SourceError(file, f"{path}.value", f"规则中的数字 {value} 没有引用 figures 中的数值，"
                          "应写作 value: {figure: <id>} (a rule's threshold must name its figure)")


def _converted(figures: Dict[str, Any], figure_id: Any, target: Optional[str], path: str, file: str) -> Any:
    figure = figures.get(figure_id)
    if figure is None:
        raise SourceError(file, f"{path}.figure", f"figures 中没有 “{figure_id}” (no such figure)")
    value, unit = figure.get("value"), figure.get("unit")
    if not _is_number(value):
        raise SourceError(file, f"{path}.figure", f"figure “{figure_id}” 没有数值 (the figure has no value)")
    if unit == target:
        return value
    factor = _CONVERSIONS.get((unit, target))
    if factor is None:
        raise SourceError(file, f"{path}.figure",
                          f"figure “{figure_id}” 的单位 {unit} 不能用于要求 {target} 的规则 (unit mismatch)")
    return round(value * factor, 12)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
