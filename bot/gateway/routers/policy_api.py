"""Policy API (docs/api.md §4–7): eligibility, awards, tax estimates and clause search over HTTP.

Thin: each route validates its request (Chinese, field-level 422), calls `policy_kb`, and
turns the library's named errors into status codes. Never a 500: a missing knowledge
base is a 503.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from fastapi import APIRouter, Body, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, validator

from bot.gateway.deps import KB
from bot.gateway.errors import validation_error_response
from policy_kb import awards, eligibility, tax
from policy_kb.errors import KBNotBuiltError, PolicyKBError
from policy_kb.profile import Profile
from policy_kb.rules_schema import RulesError
from policy_kb.tax import TaxRequest


class _ChineseErrorsRoute(APIRoute):
    """Answer bad input with field-level Chinese 422s, whatever app includes this router."""

    def get_route_handler(self) -> Callable:
        original = super().get_route_handler()

        async def handler(request: Request):
            try:
                return await original(request)
            except RequestValidationError as exc:
                return validation_error_response(exc.errors())
            except RulesError as exc:
                return _error(422, exc.field or "body", str(exc))
            except KBNotBuiltError as exc:
                return _error(503, "kb", str(exc))
            except PolicyKBError as exc:
                return _error(503, "kb", f"知识库暂不可用：{exc}")
        return handler


router = APIRouter(prefix="/api", tags=["政策接口"], route_class=_ChineseErrorsRoute)


def _error(status: int, field: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": [{"field": field, "message": message}]})


# ---------------------------------------------------------------------------
# Request and response models
# ---------------------------------------------------------------------------
class EligibilityResponse(BaseModel):
    results: List[eligibility.ProgramResult] = Field(..., description="该地区每个项目（政策）一条结果")


class SubsidyRequest(BaseModel):
    region: str = Field(..., description="地区：六安/六安市/广西/广西壮族自治区", example="六安")
    honors: List[str] = Field(..., description="新认定的称号（可用简称；同一称号出现两次计两次）",
                              example=["省级智能工厂", "市级绿色工厂"])

    @validator("honors", pre=True)
    def _honors_list(cls, value):
        if not isinstance(value, list) or not all(isinstance(h, str) and h.strip() for h in value):
            raise ValueError("honors 应为称号文字的列表，如 [\"省级智能工厂\"]")
        return value


class SearchHit(BaseModel):
    document_id: str
    document: str
    clause: str
    heading: Optional[str] = None
    text: str
    score: float


class SearchResponse(BaseModel):
    results: List[SearchHit]


_TAX_EXAMPLE = {
    "income_tax_rate": 0.25, "rd_expense_wan": 800,
    "equipment": [{"value_wan": 300, "purchase_date": "2025-03-01", "special_purpose": "环境保护"}],
    "tech_transfer_income_wan": 600,
}
_ELIGIBILITY_EXAMPLE = {
    "region": "广西",
    "enterprise": {"above_designated_size": True},
    "project": {"fixed_asset_investment_wan": 3000, "filed_or_approved": True, "investment_this_year_wan": 800},
}


# ---------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------
@router.post("/eligibility", response_model=EligibilityResponse, summary="技改项目入库/入选资格判断")
def post_eligibility(kb: KB, profile: Profile = Body(..., openapi_examples={"广西3000万项目": {"value": _ELIGIBILITY_EXAMPLE}})) -> Dict[str, Any]:
    """逐项判断该地区每个项目（六安市级技改项目库、广西“千企技改”）的条件：通过、不通过或待确认，
    每项附条款依据；不通过的条件给出达到要求所需的数值。"""
    results = eligibility.evaluate(_profile_dict(profile), kb=kb)
    return {"results": [r.dict() for r in results]}


@router.post("/subsidy", response_model=awards.AwardResult, summary="称号奖补金额测算")
def post_subsidy(request: SubsidyRequest, kb: KB) -> Dict[str, Any]:
    """按新认定称号计算奖励（同一称号出现两次计两次；“一事一议”项目无固定金额）。"""
    return awards.calculate(request.region, request.honors, kb=kb).dict()


@router.post("/tax/estimate", response_model=tax.TaxResult, summary="税收优惠测算")
def post_tax_estimate(kb: KB, request: TaxRequest = Body(..., openapi_examples={"综合测算": {"value": _TAX_EXAMPLE}})) -> Dict[str, Any]:
    """研发费用加计扣除、设备一次性扣除（递延，不计入合计）、专用设备投资抵免、技术转让所得减免的估算。"""
    return tax.estimate(request, kb=kb).dict()


@router.get("/search", response_model=SearchResponse, summary="政策条款检索")
def get_search(
    kb: KB,
    q: str = Query(..., min_length=1, max_length=200, description="检索词，如“备案”“千企技改 投资额”"),
    region: Optional[str] = Query(None, description="地区：六安/广西（不填则全部）"),
    k: int = Query(5, ge=1, le=50, description="返回条数"),
) -> Dict[str, Any]:
    """按相关度返回条款：文件、条款编号、条款原文。"""
    from policy_kb.search import search  # owned by the knowledge-base module

    if region is not None and region.strip():
        region = eligibility.resolve_region(region, kb)
    hits = search(q, region=region or None, k=k, kb=kb)
    return {"results": [_hit_dict(h) for h in hits]}


def _profile_dict(profile: Profile) -> Dict[str, Any]:
    return {"region": profile.region, **profile.flat()}


def _hit_dict(hit: Any) -> Dict[str, Any]:
    if isinstance(hit, dict):
        return hit
    if hasattr(hit, "_asdict"):
        return hit._asdict()
    return dict(vars(hit))
