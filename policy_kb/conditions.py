"""Three-valued evaluation of one condition tree over a flat profile.

`compile_condition(cond)` turns a `rules_schema` condition into a function
profile -> (True|False|None, missing fields); `outcome(cond, p)` evaluates a condition
once compiled (cached per condition object). Both the engine (`policy_kb.eligibility`)
and the wording of its decisions (`policy_kb.wording`) build on this module, which
imports neither of them.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

from policy_kb.rules_schema import AllOf, Comparison, Condition, Ratio

Outcome = Tuple[Optional[bool], Tuple[str, ...]]  # (passed?, missing fields when unknown)
Evaluator = Callable[[Dict[str, Any]], Outcome]

_NUMERIC = {
    ">=": lambda a, b: a >= b, ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b, "<": lambda a, b: a < b,
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
    "in": lambda a, b: a in b, "not_in": lambda a, b: a not in b,
}


def compile_condition(cond: Condition) -> Evaluator:
    """Turn a condition tree into a function profile -> (True|False|None, missing fields)."""
    if isinstance(cond, Comparison):
        return _compile_comparison(cond)
    if isinstance(cond, Ratio):
        return _compile_ratio(cond)
    parts = [compile_condition(c) for c in (cond.all if isinstance(cond, AllOf) else cond.any)]
    return _compile_all(parts) if isinstance(cond, AllOf) else _compile_any(parts)


def _compile_comparison(cond: Comparison) -> Evaluator:
    name, test = cond.field, _NUMERIC[cond.op]
    value = tuple(cond.value) if isinstance(cond.value, list) else cond.value
    missing = (name,)

    def run(p: Dict[str, Any]) -> Outcome:
        actual = p.get(name)
        if actual is None:
            return None, missing
        return test(actual, value), ()
    return run


def _compile_ratio(cond: Ratio) -> Evaluator:
    num, den = cond.ratio
    test, value = _NUMERIC[cond.op], cond.value

    def run(p: Dict[str, Any]) -> Outcome:
        a, b = p.get(num), p.get(den)
        if a is None or b is None:
            return None, tuple(f for f, v in ((den, b), (num, a)) if v is None)
        # Compare a - value*b with 0 (rounded), so 600.15 / 2000.5 meets 30% exactly.
        return (b > 0 and test(round(a - value * b, 9), 0.0)), ()
    return run


def _compile_all(parts: List[Evaluator]) -> Evaluator:
    def run(p: Dict[str, Any]) -> Outcome:
        missing: Tuple[str, ...] = ()
        for part in parts:
            ok, miss = part(p)
            if ok is False:
                return False, ()
            if ok is None:
                missing += miss
        return (None, missing) if missing else (True, ())
    return run


def _compile_any(parts: List[Evaluator]) -> Evaluator:
    def run(p: Dict[str, Any]) -> Outcome:
        missing: Tuple[str, ...] = ()
        for part in parts:
            ok, miss = part(p)
            if ok:
                return True, ()
            if ok is None:
                missing += miss
        return (None, missing) if missing else (False, ())
    return run


def condition_fields(cond: Optional[Condition]) -> List[str]:
    """Profile fields a condition reads, in order."""
    if cond is None:
        return []
    if isinstance(cond, Comparison):
        return [cond.field]
    if isinstance(cond, Ratio):
        return list(cond.ratio)
    return [f for c in (cond.all if isinstance(cond, AllOf) else cond.any) for f in condition_fields(c)]


_EVALUATORS: Dict[int, Tuple[Condition, Evaluator]] = {}


def outcome(cond: Condition, p: Dict[str, Any]) -> Optional[bool]:
    """True / False / None (unknown) of `cond` for profile `p`, compiled once per condition."""
    run = _EVALUATORS.get(id(cond))
    if run is None or run[0] is not cond:
        run = _EVALUATORS[id(cond)] = (cond, compile_condition(cond))
    return run[1](p)[0]


def fails(cond: Condition, p: Dict[str, Any]) -> bool:
    return outcome(cond, p) is False
