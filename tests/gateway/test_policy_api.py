"""The policy API over HTTP (docs/api.md): shapes, figures, and bad input → Chinese 422, never 500."""

from __future__ import annotations

import pytest

# The typical conversation of docs/product.md §3 as one request (docs/api.md §4).
SPEC_EXAMPLE = {
    "region": "广西",
    "enterprise": {"above_designated_size": True},
    "project": {"fixed_asset_investment_wan": 3000, "filed_or_approved": True, "investment_this_year_wan": 800},
}


def _detail(response):
    assert response.status_code == 422, response.text
    return {d["field"]: d["message"] for d in response.json()["detail"]}


# --- /api/eligibility --------------------------------------------------------------
def test_eligibility_spec_conversation(policy_client):
    response = policy_client.post("/api/eligibility", json=SPEC_EXAMPLE)
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert set(result) == {"program_id", "program_name", "region", "status", "checks", "missing", "assumptions", "advice"}
    assert result["program_id"] == "guangxi-qianqi-jigai"
    assert result["region"] == "广西壮族自治区"
    assert result["status"] == "ineligible"
    failed = [c for c in result["checks"] if c["passed"] is False]
    assert [c["id"] for c in failed] == ["schedule-above-2000"]
    assert set(failed[0]["citation"]) == {"document", "clause", "quote"}
    assert failed[0]["citation"]["clause"] == "三.（四）"
    assert any("今年完成投资达到900万元（30%）即可满足" in a for a in result["advice"])


def test_eligibility_luan_needs_info_lists_missing(policy_client):
    response = policy_client.post("/api/eligibility", json={"region": "六安", "project": {"fixed_asset_investment_wan": 300}})
    [result] = response.json()["results"]
    assert result["program_id"] == "luan-city-project-library"
    assert result["status"] == "needs_info"
    assert result["missing"] == ["above_designated_size", "filed_or_approved"]
    assert [c["passed"] for c in result["checks"]] == [None, True, None]


def test_eligibility_empty_body_parts_are_optional(policy_client):
    response = policy_client.post("/api/eligibility", json={"region": "六安市"})
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "needs_info"


@pytest.mark.parametrize("body,field,words", [
    ({"region": "北京"}, "region", "未知地区"),
    ({"enterprise": {}}, "region", "缺少"),
    ({"region": "广西", "project": {"fixed_asset_investment_wan": -100}}, "project.fixed_asset_investment_wan", "不能为负数"),
    ({"region": "广西", "project": {"fixed_asset_investment_wan": "三千"}}, "project.fixed_asset_investment_wan", "应为数字"),
    ({"region": "广西", "project": {"direction": "数字化升级"}}, "project.direction", "高端化"),
    ({"region": "广西", "project": {"industry_catalog": "普通类"}}, "project.industry_catalog", "鼓励类"),
    ({"region": "广西", "enterprise": {"above_designated_size": "也许"}}, "enterprise.above_designated_size", "是/否"),
    ({"region": "广西", "project": "3000万"}, "project", "对象"),
    ({"region": 12}, "region", "地区"),
])
def test_eligibility_bad_input_is_422_with_chinese_field_message(policy_client, body, field, words):
    detail = _detail(policy_client.post("/api/eligibility", json=body))
    assert field in detail, detail
    assert words in detail[field]


def test_eligibility_invalid_json_is_422(policy_client):
    response = policy_client.post("/api/eligibility", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


# --- /api/subsidy ------------------------------------------------------------------
def test_subsidy_luan_with_alias_and_repeat(policy_client):
    response = policy_client.post("/api/subsidy", json={"region": "六安", "honors": ["省智能工厂", "省级智能工厂", "市级绿色工厂"]})
    assert response.status_code == 200
    body = response.json()
    assert body["total_wan"] == 110
    assert [i["amount_wan"] for i in body["items"]] == [50, 50, 10]
    assert body["items"][0]["honor"] == "省级智能工厂"
    assert body["items"][0]["citation"]["clause"] == "三.（二）"


def test_subsidy_one_case_at_a_time_has_no_amount(policy_client):
    body = policy_client.post("/api/subsidy", json={"region": "六安", "honors": ["高端化改造强链项目"]}).json()
    assert body["items"][0]["amount_wan"] is None
    assert body["total_wan"] == 0
    assert any("一事一议" in n for n in body["notes"])


def test_subsidy_guangxi_invents_no_amount(policy_client):
    body = policy_client.post("/api/subsidy", json={"region": "广西", "honors": ["省级智能工厂"]}).json()
    assert body["total_wan"] == 0
    assert body["items"][0]["amount_wan"] is None
    assert any("没有规定固定的奖补金额" in n for n in body["notes"])


def test_subsidy_unknown_honour_is_422_naming_it(policy_client):
    detail = _detail(policy_client.post("/api/subsidy", json={"region": "六安", "honors": ["省级智能工厂", "宇宙工厂"]}))
    assert "宇宙工厂" in detail["honors[1]"]


@pytest.mark.parametrize("body,field", [
    ({"region": "火星", "honors": ["省级智能工厂"]}, "region"),
    ({"region": "六安", "honors": "省级智能工厂"}, "honors"),
    ({"region": "六安"}, "honors"),
])
def test_subsidy_bad_input_is_422(policy_client, body, field):
    assert field in _detail(policy_client.post("/api/subsidy", json=body))


# --- /api/tax/estimate -------------------------------------------------------------
def test_tax_estimate_worked_examples(policy_client):
    body = policy_client.post("/api/tax/estimate", json={
        "income_tax_rate": 0.25, "rd_expense_wan": 800, "tech_transfer_income_wan": 600,
        "equipment": [{"value_wan": 300, "purchase_date": "2025-03-01", "special_purpose": "环境保护"}],
    }).json()
    items = {i["incentive_id"]: i for i in body["items"]}
    assert items["rd-super-deduction"]["tax_saving_wan"] == 200
    assert items["special-equipment-credit"]["credit_wan"] == 30
    assert items["tech-transfer-exemption"]["tax_saving_wan"] == 137.5
    assert items["equipment-one-time-deduction"]["tax_saving_wan"] == 75
    assert body["total_tax_saving_wan"] == 367.5  # the 75 deferral is not added
    citation = items["rd-super-deduction"]["citation"]
    assert citation["status"] == "verified" and "2023年第7号" in citation["basis"]


@pytest.mark.parametrize("body,field", [
    ({"rd_expense_wan": -800}, "rd_expense_wan"),
    ({"rd_expense_wan": "很多"}, "rd_expense_wan"),
    ({"income_tax_rate": 25}, "income_tax_rate"),
    ({"equipment": [{"value_wan": 100, "purchase_date": "去年"}]}, "equipment.0.purchase_date"),
    ({"equipment": [{"value_wan": -1, "purchase_date": "2025-01-01"}]}, "equipment.0.value_wan"),
    ({"equipment": "一台"}, "equipment"),
])
def test_tax_bad_input_is_422(policy_client, body, field):
    detail = _detail(policy_client.post("/api/tax/estimate", json=body))
    assert field in detail, detail


# --- /api/search -------------------------------------------------------------------
def test_search_finds_the_guangxi_schedule_clause(policy_client):
    response = policy_client.get("/api/search", params={"q": "千企技改 固定资产投资 年度内完成", "region": "广西", "k": 3})
    assert response.status_code == 200
    hits = response.json()["results"]
    assert 1 <= len(hits) <= 3
    assert {"document", "clause", "text"} <= set(hits[0])
    assert any(h["clause"] == "三.（四）" for h in hits)


@pytest.mark.parametrize("params,field", [
    ({"q": "备案", "region": "火星"}, "region"),
    ({"q": ""}, "q"),
    ({"q": "备案", "k": 0}, "k"),
    ({"q": "备案", "k": "many"}, "k"),
])
def test_search_bad_input_is_422(policy_client, params, field):
    detail = _detail(policy_client.get("/api/search", params=params))
    assert any(field in key for key in detail), detail


# --- documentation -----------------------------------------------------------------
def test_openapi_documents_fields_in_chinese(policy_client):
    schema = policy_client.get("/openapi.json").json()
    assert {"/api/eligibility", "/api/subsidy", "/api/tax/estimate", "/api/search"} <= set(schema["paths"])
    project = schema["components"]["schemas"]["Project"]["properties"]
    assert project["fixed_asset_investment_wan"]["description"] == "固定资产投资（万元）"
    assert "鼓励类" in project["industry_catalog"]["description"]
