"""Rules name the figures they use: one edit of a figure changes the rule's verdict and its
wording; a number typed straight into a rule is refused, naming the rule."""

from __future__ import annotations

import pytest
import yaml

from policy_kb import eligibility
from policy_kb.compiler import build
from policy_kb.errors import SourceError
from policy_kb.loader import load_source
from policy_kb.paths import SOURCES_DIR
from policy_kb.store import open_kb

GUANGXI = SOURCES_DIR / "guangxi.yaml"
# 3000万 in total, 1000万 this year: 33.3%, above the 30% of 三.（四） (and filed, 规上, growth 20%).
PROFILE = {"region": "广西", "enterprise": {"independent_legal_person": True, "operating_normally": True,
                                           "above_designated_size": True},
           "project": {"fixed_asset_investment_wan": 3000, "investment_this_year_wan": 1000,
                       "filed_or_approved": True, "output_growth_pct": 20, "industry_catalog": "鼓励类"}}


def guangxi_with(tmp_path, edit) -> dict:
    data = yaml.safe_load(GUANGXI.read_text(encoding="utf-8"))
    edit(data)
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / "guangxi.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return data


def figure(data: dict, figure_id: str) -> dict:
    return next(f for f in data["figures"] if f["id"] == figure_id)


def schedule_check(kb_path):
    result = eligibility.evaluate(PROFILE, kb=open_kb(kb_path))[0]
    return result, next(c for c in result.checks if c.id == "schedule-above-2000")


def test_the_rule_takes_its_value_from_the_figure():
    program = load_source(GUANGXI).programs[0]
    ratio = next(c for c in program.checks if c.id == "schedule-above-2000").condition.all[1]
    assert (ratio.value, ratio.figure) == (0.3, "guangxi-band-mid-share")  # 30 % as a fraction


def test_changing_the_figure_changes_the_verdict(tmp_path):
    guangxi_with(tmp_path, lambda data: None)
    build(tmp_path / "sources", tmp_path / "before.sqlite", userdict_path=None, lookups_path=None)
    result, check = schedule_check(tmp_path / "before.sqlite")
    assert result.status == "eligible" and check.passed is True  # 1000 ÷ 3000 = 33.3% ≥ 30%

    guangxi_with(tmp_path, lambda data: figure(data, "guangxi-band-mid-share").update(value=40))
    build(tmp_path / "sources", tmp_path / "after.sqlite", userdict_path=None, lookups_path=None)
    result, check = schedule_check(tmp_path / "after.sqlite")
    assert result.status == "ineligible" and check.passed is False  # 33.3% < 40%
    assert "不低于40%" in check.explanation and "今年完成投资达到1200万元（40%）即可满足" in check.explanation  # 3000 × 40%


def test_a_number_typed_into_a_rule_is_refused(tmp_path):
    def literal(data):
        check = next(c for c in data["programs"][0]["checks"] if c["id"] == "schedule-above-2000")
        check["condition"]["all"][1]["value"] = 0.30
    guangxi_with(tmp_path, literal)
    with pytest.raises(SourceError) as info:
        load_source(tmp_path / "sources" / "guangxi.yaml")
    assert info.value.path == "programs[0].checks[5].condition.all[1].value"
    assert "0.3" in str(info.value) and "figure" in str(info.value)


@pytest.mark.parametrize("figure_id,problem", [("no-such-figure", "no such figure"),
                                               ("guangxi-min-investment", "unit mismatch")])
def test_a_reference_must_name_a_figure_of_the_right_unit(tmp_path, figure_id, problem):
    def refer(data):
        check = next(c for c in data["programs"][0]["checks"] if c["id"] == "schedule-above-2000")
        check["condition"]["all"][1]["value"] = {"figure": figure_id}
    guangxi_with(tmp_path, refer)
    with pytest.raises(SourceError) as info:
        load_source(tmp_path / "sources" / "guangxi.yaml")
    assert info.value.path == "programs[0].checks[5].condition.all[1].value.figure" and problem in str(info.value)
