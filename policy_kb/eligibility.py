"""Eligibility engine: three-valued evaluation of a programme's checks over a firm's profile.

The programmes (checks, thresholds, clauses) come from the knowledge base
(`kb.programs(region)`, see `policy_kb.rules_schema`); this module is generic. Each
programme is compiled once into closures (`CompiledProgram`) so the batch matcher can
evaluate 100,000 firms without touching SQLite or pydantic per row; `evaluate()` adds the
Chinese explanations and citations of docs/api.md §4 on top of the same decisions.

    >>> results = evaluate({"region": "广西", "project": {"fixed_asset_investment_wan": 3000}})
    >>> results[0].status
    'needs_info'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from pydantic import BaseModel

from policy_kb import wording
from policy_kb.conditions import Evaluator, compile_condition, condition_fields
from policy_kb.profile import Profile, flatten  # noqa: F401  (Profile re-exported for callers)
from policy_kb.rules_schema import (
    AllOf,
    Check,
    Comparison,
    Condition,
    Program,
    Ratio,
    UnknownRegionError,
)
from policy_kb.store import or_default

NOT_APPLICABLE = "n/a"


# ---------------------------------------------------------------------------
# Result shape (docs/api.md §4)
# ---------------------------------------------------------------------------
class Citation(BaseModel):
    document: str
    clause: str
    quote: str


class CheckResult(BaseModel):
    id: str
    passed: Optional[bool]
    explanation: str
    citation: Citation
    # Extensions of the original shape (docs/api.md §4): the check's name, and the explanation without the clause.
    label: str = ""
    brief: str = ""


class ProgramResult(BaseModel):
    program_id: str
    program_name: str
    region: str
    status: str  # eligible | ineligible | needs_info
    checks: List[CheckResult]
    missing: List[str]
    assumptions: List[str]
    advice: List[str]


# ---------------------------------------------------------------------------
# Compiled programmes and their decisions (no text: the batch fast path)
# ---------------------------------------------------------------------------
@dataclass
class CompiledCheck:
    check: Check
    condition: Evaluator
    when: Optional[Evaluator]
    unless: Optional[Evaluator]
    fields: Tuple[str, ...] = ()  # every field the check reads (keys the wording cache)
    fast: Optional[Callable[[Dict[str, Any]], Tuple[Any, Tuple[str, ...], bool]]] = None  # generated `run`

    def run(self, p: Dict[str, Any]) -> Tuple[Any, Tuple[str, ...], bool]:
        """(True/False/None or NOT_APPLICABLE, missing fields when unknown, is `when` unknown)."""
        if self.when is not None:
            applies, miss = self.when(p)
            if applies is False:
                return NOT_APPLICABLE, (), False
            if applies is None:
                return None, miss, True
        ok, miss = self.condition(p)
        if ok is True or self.unless is None:
            return ok, miss, False
        exempt, exempt_miss = self.unless(p)
        if exempt:
            return True, (), False
        # An exemption the firm may still claim keeps a failed check open; while the
        # condition itself is open, its own fields are asked first.
        return ((None, exempt_miss, False) if (ok is False and exempt is None) else (ok, miss, False))


@dataclass
class Decision:
    """What a programme decided for one firm; `outcomes` pairs each reported check with its result."""

    status: str
    outcomes: List[Tuple[CompiledCheck, Optional[bool], Tuple[str, ...]]]
    missing: List[str]
    assumptions: List[str]
    profile: Dict[str, Any]  # the profile with assumed values filled in


@dataclass
class CompiledProgram:
    program: Program
    checks: List[CompiledCheck]
    assumptions: List[Tuple[str, Any, str]]
    question_rank: Dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._groups = [(cc, cc.check.group) for cc in self.checks]

    def decide(self, flat: Dict[str, Any]) -> Decision:
        """Evaluate every check (assumed values filled in for fields the firm did not give)."""
        p, used = self._with_assumptions(flat)
        outcomes = self._reported(p)
        results = [ok for _, ok, _ in outcomes]
        failed = False in results
        unknown = None in results
        missing = self._missing(outcomes) if unknown and not failed else []
        status = "ineligible" if failed else ("needs_info" if unknown else "eligible")
        return Decision(status, outcomes, missing, used, p)

    def _with_assumptions(self, flat: Dict[str, Any]) -> Tuple[Dict[str, Any], List[str]]:
        if not self.assumptions:
            return flat, []
        p, used = dict(flat), []
        for name, value, text in self.assumptions:
            if p.get(name) is None:
                p[name] = value
                used.append(text)
        return p, used

    def _reported(self, p: Dict[str, Any]) -> List[Tuple[CompiledCheck, Optional[bool], Tuple[str, ...]]]:
        """Run the checks in order; of a group of alternatives report the one that applies.

        While it is not yet known which alternative applies (its `when` is unknown), the
        group's first alternative holds the place, saying which facts are needed first.
        """
        out: List[Tuple[CompiledCheck, Optional[bool], Tuple[str, ...]]] = []
        placeholder: Dict[str, int] = {}
        done = set()
        for cc, group in self._groups:
            if group is not None and group in done:
                continue
            ok, miss, open_when = cc.fast(p)
            if ok is NOT_APPLICABLE:
                continue
            if group is None:
                out.append((cc, ok, miss))
            elif open_when:
                if group not in placeholder:
                    placeholder[group] = len(out)
                    out.append((cc, ok, miss))
            elif group in placeholder:
                out[placeholder[group]] = (cc, ok, miss)
                done.add(group)
            else:
                out.append((cc, ok, miss))
                done.add(group)
        return out

    def _missing(self, outcomes) -> List[str]:
        seen: Dict[str, int] = {}
        for _, ok, miss in outcomes:
            if ok is None:
                for f in miss:
                    seen.setdefault(f, len(seen))
        if len(seen) < 2:
            return list(seen)
        last = len(self.question_rank)
        return sorted(seen, key=lambda f: (self.question_rank.get(f, last), seen[f]))


# ---------------------------------------------------------------------------
# Generated check functions: the same logic as `CompiledCheck.run`, as straight-line
# Python, for the batch matcher (one function call per check instead of a closure tree).
# tests/policy_kb/test_rules.py checks both agree.
# ---------------------------------------------------------------------------
_PY_OP = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "==": "==", "!=": "!=", "in": "in", "not_in": "not in"}


class _CodeGen:
    def __init__(self) -> None:
        self.lines: List[str] = []
        self.consts: Dict[str, Any] = {}
        self.n = 0

    def var(self) -> int:
        self.n += 1
        return self.n

    def const(self, value: Any) -> str:
        name = f"c{len(self.consts)}"
        self.consts[name] = tuple(value) if isinstance(value, list) else value
        return name

    def emit(self, cond: Condition, ind: str) -> int:
        """Emit code setting r<i> (True/False/None) and m<i> (missing fields); returns i."""
        i = self.var()
        if isinstance(cond, Comparison):
            f, c = self.const(cond.field), self.const(cond.value)
            self.lines += [f"{ind}v = g({f})", f"{ind}if v is None: r{i} = None; m{i} = ({f},)",
                           f"{ind}else: r{i} = v {_PY_OP[cond.op]} {c}; m{i} = ()"]
        elif isinstance(cond, Ratio):
            a, b, c = self.const(cond.ratio[0]), self.const(cond.ratio[1]), self.const(cond.value)
            self.lines += [f"{ind}a = g({a}); b = g({b})",
                           f"{ind}if a is None or b is None: r{i} = None; "
                           f"m{i} = tuple(x for x, y in (({b}, b), ({a}, a)) if y is None)",
                           f"{ind}else: r{i} = b > 0 and round(a - {c} * b, 9) {_PY_OP[cond.op]} 0.0; m{i} = ()"]
        else:
            parts = [self.emit(c, ind) for c in (cond.all if isinstance(cond, AllOf) else cond.any)]
            rs = ", ".join(f"r{j}" for j in parts)
            ms = " + ".join(f"(m{j} if r{j} is None else ())" for j in parts)
            decided, other = ("False", "True") if isinstance(cond, AllOf) else ("True", "False")
            self.lines += [f"{ind}rs = ({rs},)",
                           f"{ind}if {decided} in rs: r{i} = {decided}; m{i} = ()",
                           f"{ind}elif None in rs: r{i} = None; m{i} = {ms}",
                           f"{ind}else: r{i} = {other}; m{i} = ()"]
        return i


def generate_check(check: Check) -> Callable[[Dict[str, Any]], Tuple[Any, Tuple[str, ...], bool]]:
    """Compile a check to one Python function returning what `CompiledCheck.run` returns."""
    gen = _CodeGen()
    gen.lines.append("def run(p):")
    gen.lines.append("    g = p.get")
    if check.when is not None:
        w = gen.emit(check.when, "    ")
        gen.lines += [f"    if r{w} is False: return NA, (), False", f"    if r{w} is None: return None, m{w}, True"]
    c = gen.emit(check.condition, "    ")
    if check.unless is None:
        gen.lines.append(f"    return r{c}, m{c}, False")
    else:
        gen.lines.append(f"    if r{c} is True: return True, (), False")
        u = gen.emit(check.unless, "    ")
        gen.lines += [f"    if r{u}: return True, (), False",
                      f"    if r{c} is False and r{u} is None: return None, m{u}, False",
                      f"    return r{c}, m{c}, False"]
    namespace: Dict[str, Any] = {"NA": NOT_APPLICABLE, **gen.consts}
    exec(compile("\n".join(gen.lines), f"<check {check.id}>", "exec"), namespace)  # noqa: S102 - our own code
    return namespace["run"]


def compile_program(program: Program) -> CompiledProgram:
    """Compile a programme's conditions once."""
    checks = [
        CompiledCheck(
            c, compile_condition(c.condition),
            compile_condition(c.when) if c.when is not None else None,
            compile_condition(c.unless) if c.unless is not None else None,
            tuple(dict.fromkeys(condition_fields(c.condition) + condition_fields(c.unless))),
            generate_check(c),
        )
        for c in program.checks
    ]
    assumptions = [(a.field, a.value, a.text) for c in program.checks for a in c.assume]
    rank = {name: i for i, name in enumerate(program.questions)}
    return CompiledProgram(program, checks, assumptions, rank)


# ---------------------------------------------------------------------------
# Knowledge base access (cached per kb object and region)
# ---------------------------------------------------------------------------
_COMPILED: Dict[Tuple[int, str], Tuple[Any, List[CompiledProgram]]] = {}
_CACHE_SIZE = 16


def resolve_region(text: Any, kb=None) -> str:
    """Canonical region name for `text` (六安 → 六安市); UnknownRegionError otherwise."""
    kb = or_default(kb)
    if not isinstance(text, str) or not text.strip():
        raise UnknownRegionError(f"请提供地区：{'或'.join(kb.listed_regions())}", field="region")
    region = kb.resolve_region(text.strip())
    if not region:
        raise UnknownRegionError(f"未知地区“{text}”：{supported_regions(kb)}", field="region")
    return region


def supported_regions(kb=None) -> str:
    """'目前支持六安市、广西壮族自治区' (the regions the sources list, in their order)."""
    return "目前支持" + "、".join(or_default(kb).listed_regions())


def compiled_programs(region: str, kb=None) -> List[CompiledProgram]:
    """The compiled programmes of a canonical region (compiled once per kb object)."""
    kb = or_default(kb)
    key = (id(kb), region)
    hit = _COMPILED.get(key)
    if hit is not None and hit[0] is kb:
        return hit[1]
    programs = [compile_program(p) for p in kb.programs(region)]
    if len(_COMPILED) >= _CACHE_SIZE:
        _COMPILED.pop(next(iter(_COMPILED)))
    _COMPILED[key] = (kb, programs)
    return programs


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------
def evaluate(profile: Dict[str, Any], kb=None) -> List[ProgramResult]:
    """Evaluate every programme of the profile's region.

    `profile` is the `/api/eligibility` request (`region`, `enterprise`, `project`) or
    the same fields flat. Raises UnknownRegionError, ProfileError.
    """
    kb = or_default(kb)
    flat = flatten(profile)
    region = resolve_region(profile.get("region"), kb)
    return [program_result(cp, cp.decide(flat), region, kb) for cp in compiled_programs(region, kb)]


def program_result(cp: CompiledProgram, decision: Decision, region: str, kb) -> ProgramResult:
    """The docs/api.md §4 result of one programme, with explanations and citations."""
    program = cp.program
    document = document_title(kb, program.document)
    checks = [
        CheckResult(
            id=cc.check.id, passed=ok,
            explanation=wording.explain_check(cc, ok, miss, decision.profile, document),
            citation=Citation(document=document, clause=cc.check.clause, quote=cc.check.quote),
            label=cc.check.label,
            brief=wording.explain_check(cc, ok, miss, decision.profile, document, with_citation=False),
        )
        for cc, ok, miss in decision.outcomes
    ]
    return ProgramResult(
        program_id=program.id, program_name=program.name, region=region, status=decision.status,
        checks=checks, missing=decision.missing, assumptions=decision.assumptions,
        advice=wording.advice(cp, decision, document, document_status(kb, program.document)),
    )


def next_questions(profile: Dict[str, Any], region: Optional[str] = None, kb=None) -> List[str]:
    """Missing fields that still decide the outcome, in the order to ask them.

    Empty once any check has failed (the answer is already "no") or nothing is missing.
    """
    kb = or_default(kb)
    flat = flatten(profile)
    region = resolve_region(region or profile.get("region"), kb)
    decisions = [cp.decide(flat) for cp in compiled_programs(region, kb)]
    if any(d.status == "ineligible" for d in decisions):
        return []
    asked: List[str] = []
    for d in decisions:
        asked.extend(f for f in d.missing if f not in asked)
    return asked


def document_title(kb, doc_id: Optional[str]) -> str:
    """Title of a document for citations (the id itself if the store has no title)."""
    if not doc_id:
        return ""
    return kb.document(doc_id).title or doc_id


def document_status(kb, doc_id: Optional[str]) -> Optional[str]:
    """Status of a document (征求意见稿 / 正式 …), None when unknown."""
    if not doc_id:
        return None
    return kb.document(doc_id).status
