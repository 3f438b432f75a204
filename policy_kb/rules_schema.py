"""Schema of the machine-readable eligibility rules inside a policy source.

A programme is a list of checks. Each check tests a *condition* over the firm's
profile (the fields of docs/api.md §4 `/api/eligibility`, flattened). Conditions are small trees:

    {field: fixed_asset_investment_wan, op: ">=", value: {figure: guangxi-min-investment}, unit: 万元}
    {ratio: [investment_this_year_wan, fixed_asset_investment_wan], op: ">=", value: {figure: guangxi-band-mid-share}}
    {field: industry_catalog, op: in, value: [鼓励类, 允许类]}
    {all: [cond, cond]}   {any: [cond, cond]}

A number compared with names the source figure it is (`value: {figure: <id>}`, see
`policy_kb.figure_refs`); the loader fills in the value. `when` (optional) is a condition that decides whether the check applies at all
(e.g. the Guangxi schedule bands); checks sharing a `group` are alternatives of which
at most one applies. `unless` exempts a firm (e.g. 信息化/创新化 projects have no
investment minimum in 六安); an exemption the firm did not claim (field missing) does
not apply, and the advice mentions it. `assume` gives the value a field takes when the
firm did not say, with the sentence that is shown as an assumption.

Evaluation is three-valued (passed / failed / unknown): a comparison on a missing
field is unknown; `all` fails if any part fails, `any` passes if any part passes.
Thresholds follow 民法典第一千二百五十九条: 以上/以下/以内 include the number (>=, <=),
超过/高于/不满/以外 exclude it (>, <).
"""

from __future__ import annotations

from typing import Any, List, Literal, Optional, Union

from pydantic import BaseModel, Extra, Field, root_validator

from policy_kb.errors import PolicyKBError

Op = Literal[">=", ">", "<=", "<", "==", "!=", "in", "not_in"]
NUMERIC_OPS = {">=", ">", "<=", "<"}
# Fields whose name says "amount in 万元" must carry the unit, so a bare number is rejected.
AMOUNT_SUFFIX = "_wan"


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid


class Comparison(_Strict):
    """`field op value`; `unit` is required for amounts (万元) so a bare number is rejected."""

    field: str
    op: Op = "=="
    value: Any
    unit: Optional[str] = None
    figure: Optional[str] = None  # the source figure the value comes from (policy_kb.figure_refs)

    @root_validator(skip_on_failure=True)
    def _amounts_carry_unit(cls, values):
        field, op, unit = values.get("field"), values.get("op"), values.get("unit")
        if field.endswith(AMOUNT_SUFFIX) and op in NUMERIC_OPS and unit != "万元":
            raise ValueError(f"{field}: 金额阈值必须写明 unit: 万元")
        if op in ("in", "not_in") and not isinstance(values.get("value"), list):
            raise ValueError(f"{field}: op {op} 的 value 必须是列表")
        return values


class Ratio(_Strict):
    """`numerator / denominator op value` (value is a fraction, 0.30 for 30%)."""

    ratio: List[str] = Field(..., min_items=2, max_items=2)
    op: Op = ">="
    value: float = Field(..., ge=0, le=1)
    figure: Optional[str] = None


class AllOf(_Strict):
    all: List["Condition"]


class AnyOf(_Strict):
    any: List["Condition"]


Condition = Union[Comparison, Ratio, AllOf, AnyOf]
AllOf.update_forward_refs()
AnyOf.update_forward_refs()


class Assumption(_Strict):
    """Value used when the firm did not give `field`, and the sentence shown to the user."""

    field: str
    value: Any
    text: str


class Check(_Strict):
    """One condition of a programme, with the clause and a quote that occurs in it."""

    id: str
    label: str
    clause: str
    quote: str
    condition: Condition
    when: Optional[Condition] = None
    unless: Optional[Condition] = None
    group: Optional[str] = None
    assume: List[Assumption] = []
    # Shown beside the computed explanation, e.g. what a reviewer still judges by hand.
    note: Optional[str] = None


class Priority(_Strict):
    """Who is preferred (not a condition): shown as advice."""

    label: str
    clause: str
    quote: str


class NotModelled(_Strict):
    """A part of the clause the engine does not compute (an obligation, a judgement)."""

    label: str
    text: str
    clause: str
    quote: str


class Program(_Strict):
    id: str
    name: str
    region: str
    document: Optional[str] = None  # document id (`luan`, `guangxi`); the store may fill it
    clause: str
    quote: str
    checks: List[Check] = Field(..., min_items=1)
    # Order in which missing facts are asked (the conversation asks only decisive ones).
    questions: List[str] = []
    priority: List[Priority] = []
    not_modelled: List[NotModelled] = []
    notes: List[str] = []


# Named errors of the rules engine. They live here (not in policy_kb/errors.py, which the
# KB owner keeps) so every rules module can import them without a cycle.
class RulesError(PolicyKBError):
    """Base of the rules engine's errors; `field` names the input that is wrong."""

    def __init__(self, message: str, field: Optional[str] = None):
        super().__init__(message)
        self.field = field


class ProfileError(RulesError):
    """A profile field has a wrong type or an impossible value."""


class UnknownRegionError(RulesError):
    """The region text names no region of the knowledge base."""


class UnknownHonorError(RulesError):
    """An honour name is not among the region's award titles or their aliases."""


class TaxRequestError(RulesError):
    """A tax estimate request has a wrong type or an impossible value."""
