"""The hand-written sources hold every sentence of the seeds and every figure of docs/rules.md §2–4."""

import datetime as dt
import functools
import re

import pytest

from policy_kb.loader import load_source, normalise_space
from policy_kb.paths import SEEDS_DIR, SOURCES_DIR

SEEDS = {"luan": "000_f5ae60ac880c7b77.txt", "guangxi": "002_7da2e5160545b03b.txt"}


@functools.lru_cache(maxsize=None)
def source(doc_id):
    return load_source(SOURCES_DIR / f"{doc_id}.yaml")


def seed_sentences(doc_id):
    raw = (SEEDS_DIR / SEEDS[doc_id]).read_text(encoding="utf-8").replace("[bookmark: _GoBack]", "")
    return [s.strip() for s in re.split(r"[。；！？\n]", raw) if s.strip()]


@pytest.mark.parametrize("doc_id", SEEDS)
def test_every_seed_sentence_is_in_a_clause(doc_id):
    texts = [normalise_space(c.text) for c in source(doc_id).clauses]
    sentences = seed_sentences(doc_id)
    assert len(sentences) > 40
    missing = [s for s in sentences if not any(normalise_space(s) in t for t in texts)]
    assert missing == []


@pytest.mark.parametrize("doc_id", SEEDS)
def test_seed_is_reproduced_in_order(doc_id):
    raw = (SEEDS_DIR / SEEDS[doc_id]).read_text(encoding="utf-8").replace("[bookmark: _GoBack]", "")
    joined = "".join(c.text for c in source(doc_id).clauses)
    assert normalise_space(joined) == normalise_space(raw)


def test_metadata_of_seed_documents():
    luan, gx = source("luan"), source("guangxi")
    assert (luan.region, luan.status) == ("六安市", "征求意见稿")
    assert (gx.region, gx.status) == ("广西壮族自治区", "征求意见稿")
    assert isinstance(luan.as_of, dt.date)


def clause_ids(doc_id):
    return [c.id for c in source(doc_id).clauses]


def test_clause_ids_follow_the_heading_scheme():
    assert clause_ids("luan")[:4] == ["标题", "序言", "一", "二"]
    assert {"三.（一）", "三.（二）", "三.（五）", "二.（六）"} <= set(clause_ids("luan"))
    assert {"三.（四）", "三.（五）", "三.末段", "五.（四）"} <= set(clause_ids("guangxi"))


def test_luan_awards_of_spec_section_4():
    awards = {a.honor: a for a in source("luan").awards}
    expected = {
        "市级技改示范项目": 50, "省级智能工厂": 50, "省级绿色工厂": 20, "省级数字化车间": 20,
        "市级智能工厂": 20, "市级绿色工厂": 10, "市级数字化车间": 10, "省级企业技术中心": 20,
        "省级工业设计中心": 20, "市级企业技术中心": 10, "市级工业设计中心": 10,
    }
    for honor, amount in expected.items():
        assert awards[honor].amount_wan == amount
        assert awards[honor].unit == "万元"
        assert awards[honor].clause == "三.（二）"
    chain = awards["高端化改造强链项目"]
    assert chain.amount_wan is None and chain.basis == "一事一议" and chain.clause == "二.（一）"
    assert "市中小企业（民营经济）发展专项资金" in chain.funding


def figure(doc_id, value, unit, clause):
    items = [*source(doc_id).figures, *source(doc_id).targets]
    return [f for f in items if f.value == value and f.unit == unit and f.clause == clause]


def test_luan_project_library_threshold():
    [found] = figure("luan", 200, "万元", "三.（一）")
    assert found.comparison == "以上" and "信息化、创新化改造项目不限定投资额" in found.quote


@pytest.mark.parametrize("value,unit,clause,comparison", [
    (500, "万元", "三.（四）", "以上"),
    (2000, "万元", "三.（四）", "高于"),
    (30, "%", "三.（四）", "以上"),
    (5000, "万元", "三.（四）", "以上"),
    (10, "%", "三.（四）", "以上"),
    (15, "%", "三.（五）", "以上"),
])
def test_guangxi_figures_of_spec_section_4(value, unit, clause, comparison):
    assert [f for f in figure("guangxi", value, unit, clause) if f.comparison == comparison]


def test_guangxi_has_no_award_amounts_and_says_so():
    gx = source("guangxi")
    assert gx.awards == []
    assert gx.award_notes and "未规定固定的奖补金额" in gx.award_notes[0].text


@pytest.mark.parametrize("doc_id,value,unit,clause", [
    ("luan", 300, "个", "一"), ("luan", 10, "%", "一"), ("luan", 3, "年", "一"),
    ("luan", 500, "台（套）", "二.（四）"), ("guangxi", 1000, "个", "一"),
    ("guangxi", 600, "项", "四.（二）"), ("guangxi", 10, "%", "四.（二）"),
])
def test_targets(doc_id, value, unit, clause):
    assert figure(doc_id, value, unit, clause)


def test_departments_and_procedures():
    luan_depts = {d.name: d for d in source("luan").departments}
    assert {"市经信局", "市统计局", "县区主管部门", "市产投公司", "税务部门"} <= set(luan_depts)
    assert luan_depts["县区主管部门"].clause == "三.（四）" and "备案" in luan_depts["县区主管部门"].handles
    gx_depts = {d.name for d in source("guangxi").departments}
    assert {"自治区工业和信息化厅", "自治区制造强区建设领导小组办公室"} <= gx_depts
    names = {p.name for p in source("luan").procedures}
    assert {"备案（核准）", "入统", "审批"} <= names


def test_six_directions_of_luan():
    assert [d.name for d in source("luan").directions] == ["高端化", "智能化", "信息化", "自动化", "绿色化", "创新化"]


def test_aliases_cover_the_fixed_identifiers():
    aliases = {(a.alias, a.canonical) for s in ("luan", "guangxi") for a in source(s).aliases}
    assert {("六安", "六安市"), ("皖西", "六安市"), ("广西", "广西壮族自治区"), ("桂", "广西壮族自治区"),
            ("省智能工厂", "省级智能工厂"), ("省级的智能工厂", "省级智能工厂"), ("规上", "规模以上"),
            ("机器换人", "自动化")} <= aliases


def params(incentive_id):
    [inc] = [i for i in source("national").incentives if i.id == incentive_id]
    return inc.parameters


@pytest.mark.parametrize("incentive_id,name,value,unit", [
    ("rd-super-deduction", "extra_rate", 1.00, "比例"),
    ("rd-super-deduction", "intangible_amortisation_rate", 2.00, "比例"),
    ("rd-super-deduction", "ic_extra_rate", 1.20, "比例"),
    ("rd-super-deduction", "ic_intangible_amortisation_rate", 2.20, "比例"),
    ("equipment-one-time-deduction", "unit_value_cap_wan", 500, "万元"),
    ("equipment-one-time-deduction", "purchase_from", dt.date(2024, 1, 1), "日期"),
    ("equipment-one-time-deduction", "purchase_to", dt.date(2027, 12, 31), "日期"),
    ("special-equipment-credit", "credit_rate", 0.10, "比例"),
    ("special-equipment-credit", "carry_forward_years", 5, "年"),
    ("tech-transfer-exemption", "exempt_threshold_wan", 500, "万元"),
    ("tech-transfer-exemption", "reduced_rate_factor", 0.5, "比例"),
    ("high-tech-rate", "high_tech_cit_rate", 0.15, "比例"),
    ("high-tech-rate", "standard_cit_rate", 0.25, "比例"),
])
def test_national_parameters(incentive_id, name, value, unit):
    [first, *_] = params(incentive_id)[name]
    assert (first.value, first.unit, first.status) == (value, unit, "verified")
    assert first.basis


def test_special_purposes_and_secondary_extension():
    credit = params("special-equipment-credit")
    assert credit["special_purposes"][0].value == ["环境保护", "节能节水", "安全生产"]
    ext = credit["digital_upgrade_credit_rate"][0]
    assert ext.status == "secondary" and ext.basis == "财政部 税务总局公告2024年第9号"
    assert (ext.effective_from, ext.effective_to) == (dt.date(2024, 1, 1), dt.date(2027, 12, 31))


def test_all_incentive_ids_of_the_design():
    ids = {i.id for i in source("national").incentives}
    assert ids == {
        "rd-super-deduction", "equipment-one-time-deduction", "special-equipment-credit", "tech-transfer-exemption",
        "advanced-manufacturing-vat-credit", "imported-equipment-tariff-exemption", "accelerated-depreciation",
        "high-tech-rate", "small-low-profit-rate", "tech-renovation-relending", "equipment-loan-interest-subsidy",
    }


def test_relending_rate_is_keyed_by_date():
    rates = params("tech-renovation-relending")["relending_rate"]
    assert [(r.value, r.effective_from) for r in rates] == [(0.0175, dt.date(2024, 4, 7)), (0.0125, dt.date(2026, 1, 19))]


def _comparisons(cond):
    from policy_kb.rules_schema import Comparison

    if isinstance(cond, Comparison):
        yield cond
    for part in getattr(cond, "all", None) or getattr(cond, "any", None) or []:
        yield from _comparisons(part)


@pytest.mark.parametrize("doc_id", SEEDS)
def test_programme_thresholds_agree_with_figures(doc_id):
    """A threshold typed in a rule must equal a figure of the same clause (no silent divergence)."""
    src = source(doc_id)
    figures = {(f.clause, f.value, f.unit) for f in src.figures}
    for program in src.programs:
        for check in program.checks:
            for cond in (check.condition, check.when, check.unless):
                for comp in _comparisons(cond):
                    if comp.unit:
                        assert (check.clause, comp.value, comp.unit) in figures, (program.id, check.id, comp)


def test_national_points_are_short_cited_and_honest_about_open_facts():
    """A point is one or two sentences with its 文号 and status; a fact the in-depth file could not
    confirm says so and sends the user to the office that can (docs: tax_incentives_in_depth.md)."""
    points = source("national").points
    for point in points:
        assert len(point.text) <= 160, point.id
        assert point.basis and point.status in ("verified", "secondary"), point.id
        if point.clause == "深度未确认":
            assert point.status == "secondary", point.id
            assert any(m in point.text for m in ("未经确认", "尚未确认", "没有核实", "没有载明", "无法告诉")), point.id
            assert any(office in point.text for office in ("主管税务机关", "海关")), point.id
    # 融资租入 is the in-depth file's `unclear` fact: the sources disagree, lean no, ask the bureau
    [lease] = [p for p in points if p.topic == "equipment-one-time-deduction" and "融资租入" in p.text]
    assert lease.status == "secondary" and "说法不一" in lease.text and "请向主管税务机关确认" in lease.text
