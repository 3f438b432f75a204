"""Tax estimator: figures come from the knowledge base, the batch fast path agrees with
`estimate`, and secondary figures are flagged."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
import yaml

from policy_kb import tax
from policy_kb.batch import parse_equipment
from policy_kb.compiler import build
from policy_kb.paths import SOURCES_DIR
from policy_kb.store import open_kb

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "tax.yaml").read_text(encoding="utf-8"))["cases"]
RULE_MODULES = ["tax.py", "eligibility.py", "awards.py", "wording.py", "conditions.py", "firm_notice.py", "batch.py", "profile.py"]
# Numbers the rule modules may contain: none of them is a policy figure.
ALLOWED_NUMBERS = {0, 1, 2, 3, 6, 9, 16, 40, 100, 50_000, 0.5, 1e-9}  # regex groups, rounding, formatting, cache sizes


@pytest.mark.parametrize("case", [c for c in CASES if "error" not in c["expected"]], ids=lambda c: c["name"])
def test_fast_total_agrees_with_estimate(case, kb):
    request = case["input"]
    equipment = ";".join(f"{e['value_wan']}@{e['purchase_date']}" + (f"@{e['special_purpose']}" if e.get("special_purpose") else "")
                         for e in request.get("equipment", []))
    fast = tax.FastTax(kb).total(request.get("income_tax_rate"), request.get("industry"), request.get("rd_expense_wan"),
                                 request.get("rd_intangible_wan"), parse_equipment(equipment),
                                 request.get("tech_transfer_income_wan"))
    assert fast == tax.estimate(request, kb=kb).total_tax_saving_wan


def test_every_item_cites_a_real_clause_with_status_and_basis(kb):
    result = tax.estimate({"rd_expense_wan": 1, "tech_transfer_income_wan": 1,
                           "equipment": [{"value_wan": 1, "purchase_date": "2025-01-01", "special_purpose": "安全生产"}]}, kb=kb)
    assert len(result.items) == 4
    for item in result.items:
        assert item.citation.quote in kb.clause("national", item.citation.clause).text
        assert item.citation.status in ("verified", "secondary") and item.citation.basis


def test_secondary_figure_adds_a_check_the_official_text_note(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, sources)
    national = sources / "national.yaml"
    text = national.read_text(encoding="utf-8")
    marker = "{value: 500, unit: 万元, effective_from: 2008-01-01, basis: 企业所得税法实施条例第九十条, status: verified"
    assert marker in text
    national.write_text(text.replace(marker, marker.replace("status: verified", "status: secondary")), encoding="utf-8")
    db = tmp_path / "kb.sqlite"
    build(sources, db, userdict_path=None, lookups_path=None)
    result = tax.estimate({"tech_transfer_income_wan": 600}, kb=open_kb(db))
    assert any("二手来源" in n and "技术转让所得减免" in n for n in result.notes)  # named as users know it


@pytest.mark.parametrize("module", RULE_MODULES)
def test_no_policy_figure_is_typed_in_python(module):
    tree = ast.parse((SOURCES_DIR.parent / module).read_text(encoding="utf-8"))
    examples = {id(n) for kw in ast.walk(tree) if isinstance(kw, ast.keyword) and kw.arg == "example"
                for n in ast.walk(kw.value)}  # sample inputs shown in the OpenAPI docs
    numbers = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in examples
               and isinstance(n.value, (int, float)) and not isinstance(n.value, bool)}
    assert numbers <= ALLOWED_NUMBERS, numbers - ALLOWED_NUMBERS


@pytest.mark.parametrize("industry, excluded", [
    ("零售业", True), ("批发", True), ("批发和零售业", True), ("烟草制造业", True), ("住宿业", True),
    ("餐饮", True), ("房地产开发", True), ("娱乐业", True),
    ("制造业", False), ("通用设备制造业", False), ("软件和信息技术服务业", False), ("", False),
])
def test_the_negative_list_names_whole_industries(kb, industry, excluded):
    """财税〔2015〕119号's list: 制造业 is not 烟草制造业 although the entry contains the word."""
    negative = kb.parameter("rd-super-deduction", "negative_list").value
    assert tax.in_negative_list(industry, negative) is excluded
