"""The firm's facts that the eligibility rules read (docs/api.md §4 `/api/eligibility`).

`FIELDS` is the vocabulary: each field's Chinese label, kind and allowed values, and the
phrases used to explain a check ("已完成备案（核准）") or to say what would make it pass
("完成项目备案（核准）手续"). These are the words of the API contract, not policy figures:
thresholds live in the programme YAML.

`Profile` (pydantic v1) validates a request with Chinese messages; `flatten()` turns the
nested request (`enterprise`, `project`) into the flat dict the engine evaluates.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from pydantic import BaseModel, Extra, Field, validator

from policy_kb.rules_schema import ProfileError


@dataclass(frozen=True)
class FieldSpec:
    """How a profile field is named, typed and spoken about in Chinese."""

    label: str
    kind: str  # "bool" | "number" | "enum"
    section: str  # "enterprise" | "project"
    unit: str = ""
    choices: Tuple[str, ...] = ()
    yes: str = ""  # said when the value is true
    no: str = ""  # said when the value is false
    todo: str = ""  # what the firm would have to do for the value to become true


def _vocabulary() -> Dict[str, Any]:
    """The regions, directions and catalogue classes the sources name (written by `policybot kb build`:
    policy_kb/profile_vocabulary_generated.json; checked against the sources by a test)."""
    path = Path(__file__).resolve().parent / "profile_vocabulary_generated.json"
    return json.loads(path.read_text(encoding="utf-8"))


_VOCABULARY = _vocabulary()
DIRECTIONS: Tuple[str, ...] = tuple(_VOCABULARY["directions"])  # 高端化 … 创新化 (六化)
CATALOGS: Tuple[str, ...] = tuple(_VOCABULARY["catalogs"])  # 鼓励类 … 淘汰类
# The covered regions in their listed order, and their short names (六安市 → 六安).
REGIONS: Tuple[str, ...] = tuple(r["region"] for r in _VOCABULARY["regions"])
REGION_SHORT: Dict[str, str] = {r["region"]: r["short"] for r in _VOCABULARY["regions"]}

FIELDS: Dict[str, FieldSpec] = {
    "independent_legal_person": FieldSpec(
        "独立法人资格", "bool", "enterprise",
        yes="具有独立法人资格", no="不具有独立法人资格", todo="由具有独立法人资格的企业实施"),
    "operating_normally": FieldSpec(
        "生产经营正常", "bool", "enterprise",
        yes="生产经营正常", no="生产经营不正常", todo="企业恢复正常生产经营"),
    "above_designated_size": FieldSpec(
        "规模以上工业企业", "bool", "enterprise",
        yes="属于规模以上工业企业", no="不属于规模以上工业企业", todo="企业达到规模以上"),
    "above_size_after_project": FieldSpec(
        "改造后达到规模以上", "bool", "enterprise",
        yes="改造后可达到规模以上", no="改造后不能达到规模以上", todo="改造后可新增成为规模以上工业企业"),
    "direction": FieldSpec("改造方向", "enum", "project", choices=DIRECTIONS),
    "fixed_asset_investment_wan": FieldSpec("固定资产投资", "number", "project", unit="万元"),
    "investment_this_year_wan": FieldSpec("今年完成投资", "number", "project", unit="万元"),
    "output_growth_pct": FieldSpec("改造后工业总产值预期增长", "number", "project", unit="%"),
    "filed_or_approved": FieldSpec(
        "项目备案（核准）", "bool", "project",
        yes="已完成备案（核准）", no="未完成备案（核准）", todo="完成项目备案（核准）手续"),
    "completes_this_year": FieldSpec(
        "年度内竣工投产", "bool", "project",
        yes="年度内可竣工投产", no="年度内不能竣工投产", todo="项目在年度内竣工投产"),
    "energy_saving_or_safety": FieldSpec(
        "节能技改或安全性能提升项目", "bool", "project",
        yes="属于节能技改或安全性能提升项目", no="不属于节能技改或安全性能提升项目",
        todo="属于节能技改或安全性能提升项目"),
    "industry_catalog": FieldSpec("《产业结构调整指导目录》类别", "enum", "project", choices=CATALOGS),
}

TRUE_WORDS = {"true", "1", "yes", "y", "是", "有", "已", "对"}
FALSE_WORDS = {"false", "0", "no", "n", "否", "无", "未", "不是", ""}


def coerce(name: str, raw: Any) -> Any:
    """Return `raw` converted to field `name`'s type; None stays None.

    Raises ProfileError (Chinese message) for a wrong type, a negative amount, NaN,
    or a value outside the field's choices.
    """
    spec = FIELDS[name]
    if raw is None:
        return None
    if spec.kind == "bool":
        return _coerce_bool(spec, raw)
    if spec.kind == "number":
        return _coerce_number(spec, raw)
    return _coerce_enum(spec, raw)


def _coerce_bool(spec: FieldSpec, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS and text:
        return False
    raise ProfileError(f"{spec.label}应为是/否（true/false），收到“{raw}”")


def _coerce_number(spec: FieldSpec, raw: Any) -> float:
    if isinstance(raw, bool):
        raise ProfileError(f"{spec.label}应为数字（单位{spec.unit}），收到“{raw}”")
    try:
        value = float(str(raw).replace(",", "").strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise ProfileError(f"{spec.label}应为数字（单位{spec.unit}），收到“{raw}”") from None
    if math.isnan(value) or math.isinf(value):
        raise ProfileError(f"{spec.label}应为有限的数字，收到“{raw}”")
    if value < 0 and spec.unit == "万元":
        raise ProfileError(f"{spec.label}不能为负数，收到{raw}")
    return value


def _coerce_enum(spec: FieldSpec, raw: Any) -> str:
    text = str(raw).strip()
    if text not in spec.choices:
        raise ProfileError(f"{spec.label}应为{'、'.join(spec.choices)}之一，收到“{raw}”")
    return text


def flatten(profile: Dict[str, Any]) -> Dict[str, Any]:
    """Merge `enterprise` and `project` sub-dicts into one flat dict (flat keys also accepted).

    Unknown keys are ignored; empty strings count as not given.

    >>> flatten({"region": "广西", "project": {"fixed_asset_investment_wan": "800"}})["fixed_asset_investment_wan"]
    800.0
    """
    merged: Dict[str, Any] = {}
    for part in ("enterprise", "project"):
        sub = profile.get(part) or {}
        if not isinstance(sub, dict):
            raise ProfileError(f"{part} 应为对象（字典），收到“{sub}”", field=part)
        merged.update(sub)
    merged.update({k: v for k, v in profile.items() if k in FIELDS})
    flat = {"region": profile.get("region")}
    for name in FIELDS:
        raw = merged.get(name)
        try:
            flat[name] = coerce(name, None if raw == "" else raw)
        except ProfileError as exc:
            raise ProfileError(str(exc), field=name) from None
    return flat


def _field(name: str, example: Any = None) -> Any:
    spec = FIELDS[name]
    desc = spec.label + (f"（{spec.unit}）" if spec.unit else "")
    if spec.choices:
        desc += "：" + "|".join(spec.choices)
    return Field(None, description=desc, example=example)


class _Section(BaseModel):
    """Coerces every field with the Chinese messages of `coerce` (before pydantic's own)."""

    class Config:
        extra = Extra.ignore

    @validator("*", pre=True, allow_reuse=True)
    def _coerce(cls, value, field):
        try:
            return coerce(field.name, value)
        except ProfileError as exc:
            raise ValueError(str(exc)) from None


class Enterprise(_Section):
    """企业情况。"""

    independent_legal_person: Optional[bool] = _field("independent_legal_person", example=True)
    operating_normally: Optional[bool] = _field("operating_normally", example=True)
    above_designated_size: Optional[bool] = _field("above_designated_size", example=True)
    above_size_after_project: Optional[bool] = _field("above_size_after_project")


class Project(_Section):
    """项目情况。"""

    direction: Optional[str] = _field("direction", example="智能化")
    fixed_asset_investment_wan: Optional[float] = _field("fixed_asset_investment_wan", example=3000)
    investment_this_year_wan: Optional[float] = _field("investment_this_year_wan", example=800)
    output_growth_pct: Optional[float] = _field("output_growth_pct", example=20)
    filed_or_approved: Optional[bool] = _field("filed_or_approved", example=True)
    completes_this_year: Optional[bool] = _field("completes_this_year")
    energy_saving_or_safety: Optional[bool] = _field("energy_saving_or_safety", example=False)
    industry_catalog: Optional[str] = _field("industry_catalog", example="鼓励类")


class Profile(BaseModel):
    """企业与项目情况（所有字段可选；缺少的关键字段会在结果的 missing 中列出）。"""

    region: str = Field(..., description="地区：六安/六安市/广西/广西壮族自治区", example="广西")
    enterprise: Enterprise = Field(default_factory=Enterprise, description="企业情况")
    project: Project = Field(default_factory=Project, description="项目情况")

    @validator("region", pre=True)
    def _region_text(cls, value):
        if not isinstance(value, str) or not value.strip():
            raise ValueError("地区（region）应为文字，如“六安市”或“广西”")
        return value.strip()

    @validator("enterprise", "project", pre=True)
    def _section_is_object(cls, value, field):
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError(f"{field.name} 应为对象（字典）")
        return value

    def flat(self) -> Dict[str, Any]:
        """The flat dict `eligibility.evaluate` reads."""
        flat: Dict[str, Any] = {"region": self.region}
        flat.update(self.enterprise.dict())
        flat.update(self.project.dict())
        return flat
