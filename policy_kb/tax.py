"""Tax estimates for the national incentives (docs/api.md §6 `/api/tax/estimate`).

Every rate, cap and date comes from `kb.parameter(incentive_id, name)`; this module only
combines them. Each item carries the formula in words with the numbers, and a citation
with the figure's status (verified / secondary) and 文号.

    >>> estimate({"rd_expense_wan": 800}).total_tax_saving_wan
    200.0
"""

from __future__ import annotations

import datetime as dt
import math
import string
from typing import Any, List, Optional, Tuple

from pydantic import BaseModel, Extra, Field, ValidationError, validator

from policy_kb.errors import NotFoundError
from policy_kb.rules_schema import TaxRequestError
from policy_kb.store import or_default
from policy_kb.wording import exact_to_thousandths, fraction_words
from policy_kb.wording import fmt_number as num
from policy_kb.wording import fmt_pct as pct

RD, EQUIP, SPECIAL, TRANSFER = (
    "rd-super-deduction", "equipment-one-time-deduction", "special-equipment-credit", "tech-transfer-exemption",
)
RATES, ACCEL = "high-tech-rate", "accelerated-depreciation"


# ---------------------------------------------------------------------------
# Request and result shapes
# ---------------------------------------------------------------------------
def _non_negative(value, field):
    if value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{field.field_info.description or field.name}应为数字")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{field.field_info.description or field.name}应为数字，收到“{value}”") from None
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise ValueError(f"{field.field_info.description or field.name}不能为负数或非数字，收到{value}")
    return number


class Equipment(BaseModel):
    """一台（套）设备。"""

    class Config:
        extra = Extra.forbid

    value_wan: float = Field(..., description="单位价值（万元）", example=300)
    purchase_date: dt.date = Field(..., description="购置日期（YYYY-MM-DD）", example="2025-03-01")
    special_purpose: Optional[str] = Field(
        None, description="专用设备类别：环境保护|节能节水|安全生产（不是专用设备则不填）", example="环境保护")

    _value = validator("value_wan", pre=True, allow_reuse=True)(_non_negative)

    @validator("purchase_date", pre=True)
    def _date(cls, value):
        if isinstance(value, (dt.date, dt.datetime)):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(f"购置日期应为 YYYY-MM-DD 格式，收到“{value}”") from None

    @validator("special_purpose", pre=True)
    def _blank_is_none(cls, value):
        return None if value in ("", None) else str(value).strip()


class TaxRequest(BaseModel):
    """税收优惠测算请求（金额单位：万元）。"""

    class Config:
        extra = Extra.forbid

    income_tax_rate: Optional[float] = Field(
        None, description="企业所得税税率（小数，如 0.25；不填按法定税率；高新技术企业 0.15）", example=0.25)
    industry: Optional[str] = Field(None, description="所属行业（用于判断研发费用加计扣除负面清单）", example="制造业")
    rd_expense_wan: Optional[float] = Field(None, description="费用化研发支出（万元）", example=800)
    rd_intangible_wan: Optional[float] = Field(None, description="形成无形资产的研发成本（万元）", example=0)
    rd_commissioned_domestic_wan: Optional[float] = Field(None, description="委托境内机构研发的费用（万元）", example=0)
    rd_commissioned_foreign_wan: Optional[float] = Field(None, description="委托境外机构研发的费用（万元）", example=0)
    ic_or_machine_tool: bool = Field(False, description="列入清单的集成电路或工业母机企业（研发加计比例另行规定）")
    equipment: List[Equipment] = Field([], description="新购设备清单")
    tech_transfer_income_wan: Optional[float] = Field(None, description="技术转让所得（万元）", example=600)

    _amounts = validator("rd_expense_wan", "rd_intangible_wan", "rd_commissioned_domestic_wan",
                         "rd_commissioned_foreign_wan", "tech_transfer_income_wan",
                         pre=True, allow_reuse=True)(_non_negative)

    @validator("income_tax_rate", pre=True)
    def _rate(cls, value):
        if value is None:
            return None
        try:
            rate = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"企业所得税税率应为0到1之间的小数，收到“{value}”") from None
        if isinstance(value, bool) or not 0 <= rate < 1:
            raise ValueError(f"企业所得税税率应为0到1之间的小数（如0.25），收到{value}")
        return rate

    @validator("equipment", pre=True)
    def _equipment_list(cls, value):
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValueError("equipment 应为设备列表")
        return value


class TaxCitation(BaseModel):
    document: str
    clause: str
    quote: str
    status: str
    basis: Optional[str] = None


class TaxItem(BaseModel):
    incentive_id: str
    name: str
    base_wan: float
    deduction_wan: Optional[float] = None
    credit_wan: Optional[float] = None
    tax_wan: Optional[float] = None
    tax_saving_wan: float
    included_in_total: bool = True
    explanation: str
    citation: TaxCitation


class TaxResult(BaseModel):
    items: List[TaxItem]
    total_tax_saving_wan: float
    notes: List[str]


# ---------------------------------------------------------------------------
# Parameters from the knowledge base
# ---------------------------------------------------------------------------
class _Params:
    """Reads parameters once and remembers whether any of them is only secondary."""

    def __init__(self, kb):
        self.kb = kb
        self.secondary: List[str] = []

    def get(self, incentive_id: str, name: str, on: Optional[dt.date] = None) -> Any:
        found = self.kb.parameter(incentive_id, name, on=on)
        value = found.value
        if found.status == "secondary":
            self.secondary.append(f"{incentive_id}.{name}")
        return _as_date(value) if name.startswith("purchase_") else value

    def sentence(self, incentive_id: str, key: str) -> str:
        """The incentive's sentence `key` (national.yaml `sentences`), its parameters filled in."""
        inc = self.kb.incentive(incentive_id)
        try:
            template = inc.sentences[key]
        except KeyError:
            raise NotFoundError(f"优惠政策 {incentive_id} 没有说明 {key}") from None
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f and f != "name"}
        return template.format(name=inc.name, **{n: self._formatted(incentive_id, n) for n in names})

    def _formatted(self, incentive_id: str, name: str) -> str:
        value = self.get(incentive_id, name)
        unit = self.kb.parameter(incentive_id, name).unit
        return pct(value) if unit == "比例" else num(value)

    def citation(self, incentive_id: str) -> Tuple[str, TaxCitation]:
        inc = self.kb.incentive(incentive_id)
        return inc.name, TaxCitation(document=inc.citation.document, clause=str(inc.clause), quote=inc.quote,
                                     status=inc.status or "verified", basis=inc.basis)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def money(x: float) -> float:
    """Round 万元 to 2 decimals (half up, as a person would on paper); a figure exact to 10元 keeps
    its third decimal (1万 × 12.5% = 0.125万, not 0.13万)."""
    if exact_to_thousandths(x):
        return round(x, 3)
    return math.floor(x * 100 + 0.5 + 1e-9) / 100


# ---------------------------------------------------------------------------
# Formulas (pure; shared by `estimate` and the batch matcher's `fast_total`)
# ---------------------------------------------------------------------------
def in_negative_list(industry: Optional[str], negative_list: Any) -> bool:
    """Whether the firm's industry is one on the list: '零售业', '批发' or '批发和零售业' match the
    entry 批发和零售业, '卷烟的烟草制造业' matches 烟草制造业; '制造业' matches none (it is not
    烟草制造业, although the entry contains the word)."""
    name = (industry or "").strip()
    return bool(name) and any(stem in name for item in negative_list for stem in industry_stems(str(item)))


def industry_stems(entry: str) -> List[str]:
    """The industries an entry names, without their 业: 批发和零售业 → 批发, 零售, 批发和零售."""
    parts = [part for part in entry.split("和") if part]
    stems = [part[:-1] if part.endswith("业") else part for part in parts]
    whole = entry[:-1] if entry.endswith("业") else entry
    return [stem for stem in dict.fromkeys([whole, *stems]) if stem]


def rd_extra_deduction(expensed: float, intangible: float, extra_rate: float, amortisation_rate: float) -> float:
    """Extra deduction: expensed R&D × extra rate, plus what amortising at e.g. 200% adds over cost."""
    return expensed * extra_rate + intangible * (amortisation_rate - 1)


def halved_rate(rate: float, factor: float, excess_rate: float) -> float:
    """Rate on the halved part: half the statutory rate even for a 高新技术企业 (国税函〔2010〕157号),
    never more than the firm's own rate halved when that is higher."""
    return max(rate * factor, excess_rate) if rate * factor <= excess_rate <= rate else rate * factor


def equipment_deductible(value: float, bought: dt.date, cap: float, start: dt.date, end: dt.date) -> bool:
    """Unit value not exceeding the cap (不超过 includes it), bought within the window."""
    return value <= cap and start <= bought <= end


# ---------------------------------------------------------------------------
# The four estimates
# ---------------------------------------------------------------------------
def _rd_item(req: TaxRequest, rate: float, p: _Params, notes: List[str]) -> Optional[TaxItem]:
    own, intangible = req.rd_expense_wan or 0.0, req.rd_intangible_wan or 0.0
    domestic, foreign = req.rd_commissioned_domestic_wan or 0.0, req.rd_commissioned_foreign_wan or 0.0
    if all(v is None for v in (req.rd_expense_wan, req.rd_intangible_wan, req.rd_commissioned_domestic_wan,
                               req.rd_commissioned_foreign_wan)):
        return None
    name, cite = p.citation(RD)
    if in_negative_list(req.industry, p.get(RD, "negative_list")):
        notes.append(f"{req.industry}属于研发费用加计扣除负面清单行业，不能享受{name}。")
        return TaxItem(incentive_id=RD, name=name, base_wan=money(own + intangible), deduction_wan=0.0,
                       tax_saving_wan=0.0, explanation=f"{req.industry}属于负面清单行业，不适用{name}。",
                       citation=cite)
    prefix = "ic_" if req.ic_or_machine_tool else ""
    extra, amort = p.get(RD, f"{prefix}extra_rate"), p.get(RD, f"{prefix}intangible_amortisation_rate")
    parts, expensed = [], own
    if domestic or foreign:
        expensed, commissioned = _commissioned_base(own, domestic, foreign, p, parts)
    deduction = rd_extra_deduction(expensed, intangible, extra, amort)
    if expensed or req.rd_expense_wan is not None:
        parts.append(f"费用化研发支出{num(money(expensed))}万元×加计比例{pct(extra)}={num(money(expensed * extra))}万元")
    if intangible:
        parts.append(f"形成无形资产的研发成本{num(intangible)}万元按{pct(amort)}摊销，共可摊销 {num(intangible)} × "
                     f"{pct(amort)} = {num(money(intangible * amort))}万元，比不加计多摊销"
                     f"{num(money(intangible * (amort - 1)))}万元（在摊销年限内分年扣除）")
    saving = deduction * rate
    text = "；".join(parts) + f"。加计扣除合计{num(money(deduction))}万元×企业所得税税率{pct(rate)}=少缴企业所得税{num(money(saving))}万元。"
    return TaxItem(incentive_id=RD, name=name, base_wan=money(expensed + intangible), deduction_wan=money(deduction),
                   tax_saving_wan=money(saving), explanation=text, citation=cite)


def _commissioned_base(own: float, domestic: float, foreign: float, p: _Params, parts: List[str]) -> Tuple[float, float]:
    """Own R&D plus the countable share of commissioned R&D; the foreign share is capped."""
    share, cap_ratio = p.get(RD, "commissioned_share"), p.get(RD, "foreign_cap_ratio")
    domestic_part = domestic * share
    base = own + domestic_part
    if domestic:
        parts.append(f"委托境内研发{num(domestic)}万元×{pct(share)}={num(money(domestic_part))}万元")
    foreign_part = 0.0
    if foreign:
        cap = base * cap_ratio
        foreign_part = min(foreign * share, cap)
        parts.append(f"委托境外研发{num(foreign)}万元×{pct(share)}={num(money(foreign * share))}万元，"
                     f"不超过境内研发费用{num(money(base))}万元的{fraction_words(cap_ratio)}（{num(money(cap))}万元），"
                     f"计入{num(money(foreign_part))}万元")
    return base + foreign_part, domestic_part + foreign_part


def _equipment_item(req: TaxRequest, rate: float, p: _Params, notes: List[str]) -> Optional[TaxItem]:
    if not req.equipment:
        return None
    name, cite = p.citation(EQUIP)
    start, end = p.get(EQUIP, "purchase_from"), p.get(EQUIP, "purchase_to")
    cap = p.get(EQUIP, "unit_value_cap_wan", on=start)  # the cap of the purchase window, not of today
    eligible = [e for e in req.equipment if equipment_deductible(e.value_wan, e.purchase_date, cap, start, end)]
    over_cap = [e for e in req.equipment if e.value_wan > cap]
    out_of_period = [e for e in req.equipment if not start <= e.purchase_date <= end]
    if over_cap:
        notes.append(f"单位价值超过{num(cap)}万元的设备（{'、'.join(num(e.value_wan) + '万元' for e in over_cap)}）"
                     f"不能一次性扣除；{p.sentence(ACCEL, 'over_cap')}")
    if out_of_period:
        notes.append(f"购置日期不在{start}至{end}之间的设备不适用现行的一次性扣除规定。")
    if not eligible:
        return None
    base = sum(e.value_wan for e in eligible)
    saving = base * rate
    # several units: each one's figure too ("480万的一台…200万的一台…各能少交多少")
    each = ("（" + "；".join(f"{num(e.value_wan)} × {pct(rate)} = {num(money(e.value_wan * rate))}万元" for e in eligible) + "）"
            if len(eligible) > 1 else "")
    text = (f"符合条件的设备（单位价值不超过{num(cap)}万元、{start}至{end}购置）共{num(money(base))}万元，"
            f"可一次性在税前扣除；×企业所得税税率{pct(rate)}=首年少缴（递延）企业所得税{num(money(saving))}万元{each}。"
            + p.sentence(EQUIP, "deferral"))
    notes.append(p.sentence(EQUIP, "deferral_note"))
    return TaxItem(incentive_id=EQUIP, name=name, base_wan=money(base), deduction_wan=money(base),
                   tax_saving_wan=money(saving), included_in_total=False, explanation=text, citation=cite)


def _special_item(req: TaxRequest, p: _Params, notes: List[str]) -> Optional[TaxItem]:
    special = [e for e in req.equipment if e.special_purpose]
    if not special:
        return None
    name, cite = p.citation(SPECIAL)
    purposes, rate = p.get(SPECIAL, "special_purposes"), p.get(SPECIAL, "credit_rate")
    unknown = sorted({e.special_purpose for e in special if e.special_purpose not in purposes})
    if unknown:
        notes.append(f"专用设备类别“{'、'.join(unknown)}”不在{'、'.join(purposes)}目录内，未计入{name}。")
    base = sum(e.value_wan for e in special if e.special_purpose in purposes)
    credit = base * rate
    text = (f"{'、'.join(purposes)}专用设备投资额{num(money(base))}万元×抵免比例{pct(rate)}="
            f"可抵免企业所得税{num(money(credit))}万元；{p.sentence(SPECIAL, 'carry_forward')}")
    notes.append(p.sentence(SPECIAL, "obligations"))
    return TaxItem(incentive_id=SPECIAL, name=name, base_wan=money(base), credit_wan=money(credit),
                   tax_saving_wan=money(credit), explanation=text, citation=cite)


def _transfer_item(req: TaxRequest, rate: float, p: _Params) -> Optional[TaxItem]:
    income = req.tech_transfer_income_wan
    if income is None:
        return None
    name, cite = p.citation(TRANSFER)
    threshold, factor = p.get(TRANSFER, "exempt_threshold_wan"), p.get(TRANSFER, "reduced_rate_factor")
    excess = max(0.0, income - threshold)
    excess_rate = halved_rate(rate, factor, p.get(TRANSFER, "excess_rate"))
    reduced_tax, full_tax = excess * excess_rate, income * rate
    text = (f"技术转让所得{num(income)}万元：不超过{num(threshold)}万元的部分免税，超过部分（{num(money(excess))}万元）"
            f"减半征收，按{pct(excess_rate)}计税：{num(money(excess))}×{pct(excess_rate)}=应纳{num(money(reduced_tax))}万元；"
            f"全额征税应纳{num(money(full_tax))}万元，少缴{num(money(full_tax - reduced_tax))}万元。")
    if excess <= 0:  # "所得500万": all of it exempt, nothing halved
        text = (f"技术转让所得{num(income)}万元，未超过{num(threshold)}万元，全部免征企业所得税（应纳税额=0万元）；"
                f"全额征税应纳{num(income)}×{pct(rate)}={num(money(full_tax))}万元，少缴{num(money(full_tax))}万元。")
    return TaxItem(incentive_id=TRANSFER, name=name, base_wan=money(income),
                   deduction_wan=money(min(income, threshold) + excess * (1 - factor)), tax_wan=money(reduced_tax),
                   tax_saving_wan=money(full_tax - reduced_tax), explanation=text, citation=cite)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------
def parse_request(request: Any) -> TaxRequest:
    """Validate a request dict; TaxRequestError (Chinese, naming the field) when it is wrong."""
    if isinstance(request, TaxRequest):
        return request
    try:
        return TaxRequest.parse_obj(request or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(x) for x in first["loc"])
        raise TaxRequestError(f"{field}：{first['msg']}", field=field) from None


def estimate(request: Any, kb=None) -> TaxResult:
    """Estimate the tax effect of each incentive the request gives figures for.

    `total_tax_saving_wan` leaves out the one-time equipment deduction (a deferral).
    """
    kb, req = or_default(kb), parse_request(request)
    p, notes = _Params(kb), []
    rate = req.income_tax_rate if req.income_tax_rate is not None else p.get(RATES, "standard_cit_rate")
    if req.income_tax_rate is None:
        notes.append(f"未提供企业所得税税率，按法定税率{pct(rate)}测算。")
    try:
        items = [i for i in (
            _rd_item(req, rate, p, notes), _equipment_item(req, rate, p, notes),
            _special_item(req, p, notes), _transfer_item(req, rate, p),
        ) if i is not None]
    except OverflowError:
        raise TaxRequestError("金额过大，无法估算，请检查输入的金额（单位：万元）", field="") from None
    if p.secondary:
        names = sorted({kb.incentive(key.split(".")[0]).name for key in p.secondary})
        notes.append(f"部分数字（{'、'.join(names)}）仅见于二手来源，请以官方原文为准。")
    total = sum(i.tax_saving_wan for i in items if i.included_in_total)
    notes.append("以上为估算，实际以税务机关认定和企业汇算清缴为准。")
    return TaxResult(items=items, total_tax_saving_wan=money(total), notes=notes)


# ---------------------------------------------------------------------------
# Batch fast path: the total only, parameters read once
# ---------------------------------------------------------------------------
class FastTax:
    """`total(...)` = `estimate(...).total_tax_saving_wan`, without pydantic or SQLite per call."""

    def __init__(self, kb=None):
        p = _Params(or_default(kb))
        self.standard_rate = p.get(RATES, "standard_cit_rate")
        self.negative_list = frozenset(p.get(RD, "negative_list"))
        self.extra, self.amort = p.get(RD, "extra_rate"), p.get(RD, "intangible_amortisation_rate")
        self.purposes = frozenset(p.get(SPECIAL, "special_purposes"))
        self.credit_rate = p.get(SPECIAL, "credit_rate")
        self.threshold, self.factor = p.get(TRANSFER, "exempt_threshold_wan"), p.get(TRANSFER, "reduced_rate_factor")
        self.excess_rate = p.get(TRANSFER, "excess_rate")

    def total(self, rate: Optional[float], industry: Optional[str], rd: Optional[float], intangible: Optional[float],
              equipment: List[Tuple[float, dt.date, Optional[str]]], transfer: Optional[float]) -> float:
        """Permanent tax saving in 万元 (the one-time equipment deduction is a deferral: left out)."""
        rate = self.standard_rate if rate is None else rate
        saving = 0.0
        if (rd or intangible) and not in_negative_list(industry, self.negative_list):
            saving += money(rd_extra_deduction(rd or 0.0, intangible or 0.0, self.extra, self.amort) * rate)
        special = sum(v for v, _, purpose in equipment if purpose in self.purposes)
        if special:
            saving += money(special * self.credit_rate)
        if transfer is not None:
            excess = max(0.0, transfer - self.threshold)
            saving += money(transfer * rate - excess * halved_rate(rate, self.factor, self.excess_rate))
        return money(saving)
