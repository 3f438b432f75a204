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
    assert generated.PROFILE_VOCABULARY.read_text(encoding="utf-8") == generated.profile_vocabulary_text(sources)


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


def test_the_profile_takes_its_directions_and_catalogue_classes_from_the_sources():
    from policy_kb.profile import CATALOGS, DIRECTIONS

    assert DIRECTIONS == ("高端化", "智能化", "信息化", "自动化", "绿色化", "创新化")  # 六安 二（一）…（六）
    assert CATALOGS == ("鼓励类", "允许类", "限制类", "淘汰类")  # 广西 三（二）'s 指导目录 classes
