"""The files `policybot kb build` writes for the assistant are checked in: they must be what the
sources generate (run `policybot kb build` after editing a source)."""

from __future__ import annotations

import yaml

from policy_kb import generated
from policy_kb.loader import load_sources


def test_checked_in_files_match_the_sources():
    sources = load_sources()
    assert generated.HONORS_TABLE.read_text(encoding="utf-8") == generated.honors_text(sources)
    assert generated.REGIONS_DOMAIN.read_text(encoding="utf-8") == generated.regions_domain_text(sources)


def test_regions_domain_lists_the_regions_in_their_order():
    domain = yaml.safe_load(generated.regions_domain_text(load_sources()))
    assert domain["slots"]["region"]["values"] == ["六安市", "广西壮族自治区"]
    assert domain["slots"]["covered_regions"]["initial_value"] == "六安市、广西"
    buttons = domain["responses"]["utter_ask_region"][0]["buttons"]
    assert buttons == [{"title": "六安市", "payload": '/inform{{"region": "六安市"}}'},
                       {"title": "广西", "payload": '/inform{{"region": "广西壮族自治区"}}'}]


def test_honor_titles_are_the_award_schedule():
    lines = [line for line in generated.honors_text(load_sources()).splitlines() if not line.startswith("#")]
    assert lines[0] == "市级技改示范项目" and "省级智能工厂" in lines and len(lines) == 12
