"""The read-only store: the API others call, caching and pick-up of a rebuilt file."""

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from policy_kb.compiler import build
from policy_kb.errors import KBNotBuiltError, NotFoundError
from policy_kb.paths import SOURCES_DIR
from policy_kb.rules_schema import Program
from policy_kb.store import Citation, open_kb

THIRD = Path(__file__).parent / "fixtures" / "third.yaml"


def test_documents_and_clauses(kb_path):
    kb = open_kb(kb_path)
    assert [d.id for d in kb.documents()] == ["guangxi", "luan", "national"]
    assert kb.document("luan").status == "征求意见稿"
    clause = kb.clause("guangxi", "三.（四）")
    assert "年度内预期完成投资额的30%以上" in clause.text
    assert clause.heading_path[0] == "三、遴选条件" and clause.document.startswith("广西")
    assert [c.clause for c in kb.clauses("luan")][:3] == ["标题", "序言", "一"]
    with pytest.raises(NotFoundError):
        kb.clause("luan", "九")
    with pytest.raises(NotFoundError):
        kb.document("nowhere")


def test_awards_by_region_alias(kb_path):
    kb = open_kb(kb_path)
    awards = {a.honor: a for a in kb.awards("六安")}
    assert awards["省级智能工厂"].amount_wan == 50
    assert awards["省级智能工厂"].citation == Citation(
        document="六安市规模工业企业技术改造提升行动（征求意见稿）", clause="三.（二）",
        quote="新认定的省级智能工厂、绿色工厂、数字化车间分别奖励50万元、20万元、20万元",
        document_id="luan", status="征求意见稿")
    assert awards["高端化改造强链项目"].amount_wan is None
    assert kb.awards("广西") == []
    assert "未规定固定的奖补金额" in kb.award_notes("广西")[0].text


def test_programs_are_rule_schema_objects(kb_path):
    kb = open_kb(kb_path)
    programs = kb.programs()
    assert all(isinstance(p, Program) for p in programs)
    assert {p.id for p in kb.programs("广西壮族自治区")} <= {"guangxi-qianqi-jigai"}
    assert {p.region for p in kb.programs("桂")} <= {"广西壮族自治区"}


def test_parameter_by_date(kb_path):
    kb = open_kb(kb_path)
    assert kb.parameter("rd-super-deduction", "extra_rate").value == 1.0
    assert kb.parameter("tech-renovation-relending", "relending_rate", on="2025-06-01").value == 0.0175
    assert kb.parameter("tech-renovation-relending", "relending_rate", on=dt.date(2026, 2, 1)).value == 0.0125
    cap = kb.parameter("equipment-one-time-deduction", "unit_value_cap_wan", on="2025-03-01")
    assert (cap.value, cap.unit, cap.citation.clause) == (500, "万元", "2")
    with pytest.raises(NotFoundError):
        kb.parameter("equipment-one-time-deduction", "unit_value_cap_wan", on="2023-06-01")
    with pytest.raises(NotFoundError):
        kb.parameter("rd-super-deduction", "no_such_name")
    ext = kb.parameter("special-equipment-credit", "digital_upgrade_credit_rate", on="2025-01-01")
    assert ext.status == "secondary" and ext.citation.status == "secondary"


def test_incentives(kb_path):
    kb = open_kb(kb_path)
    assert len(kb.incentives()) == 11
    inc = kb.incentive("special-equipment-credit")
    assert inc.name == "专用设备投资抵免" and "credit_rate" in inc.parameters
    with pytest.raises(NotFoundError):
        kb.incentive("nope")


def test_aliases_and_resolvers(kb_path):
    kb = open_kb(kb_path)
    assert kb.aliases("region")["皖西"] == "六安市"
    assert kb.aliases("honor")["省级的智能工厂"] == "省级智能工厂"
    for text, region in [("六安", "六安市"), ("六安市", "六安市"), ("广西", "广西壮族自治区"),
                         ("广西壮族自治区", "广西壮族自治区"), ("桂", "广西壮族自治区"), ("上海", None)]:
        assert kb.resolve_region(text) == region
    assert kb.resolve_honor("省智能工厂") == "省级智能工厂"
    assert kb.resolve_honor("市级绿色工厂") == "市级绿色工厂"
    assert kb.resolve_honor("国家级绿色工厂") is None


def test_departments_and_targets(kb_path):
    kb = open_kb(kb_path)
    depts = kb.departments("六安市")
    county = [d for d in depts if d.name == "县区主管部门"][0]
    assert county.handles == ("备案",) and county.citation.clause == "三.（四）"
    assert {t.value for t in kb.targets("广西")} == {1000, 600, 10}


def test_read_only_connection(kb_path):
    kb = open_kb(kb_path)
    with pytest.raises(sqlite3.OperationalError):
        kb.conn.execute("DELETE FROM awards")


def test_cached_and_reopened_after_rebuild(tmp_path):
    path = tmp_path / "kb.sqlite"
    build(SOURCES_DIR, path, userdict_path=None, lookups_path=None)
    kb = open_kb(path)
    assert open_kb(path) is kb
    build(SOURCES_DIR, path, extra_files=[THIRD], userdict_path=None, lookups_path=None)
    fresh = open_kb(path)
    assert fresh is not kb
    assert fresh.resolve_region("青山") == "青山市"


def test_missing_database(tmp_path):
    with pytest.raises(KBNotBuiltError):
        open_kb(tmp_path / "absent.sqlite")


def test_programmes_are_parsed_once_per_file(kb):
    first, again = kb.programs("广西"), kb.programs("广西壮族自治区")
    assert [p.id for p in first] == ["guangxi-qianqi-jigai"] and first[0] is again[0]
    assert {p.id for p in kb.programs()} == {"guangxi-qianqi-jigai", "luan-city-project-library"}
