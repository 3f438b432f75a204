"""A third region is one more source file: built beside the real sources into a temporary
knowledge base, 青山市 (tests/policy_kb/fixtures/third.yaml, an invented document) is found
by search, checked, listed among the covered regions and answered in the chat, with no code
change. Figures are literals worked out by hand from the fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.answer import ActionAnswer, region_buttons
from actions.awards import ActionAnswerAward
from actions.eligibility import ActionCheckEligibility
from bot.settings import get_settings
from policy_kb import awards, eligibility
from policy_kb.compiler import build
from policy_kb.generated import regions_domain_text
from policy_kb.loader import load_files
from policy_kb.paths import SOURCES_DIR
from policy_kb.search import search
from policy_kb.store import open_kb
from tests.actions.test_policy_actions import entity, run, text_of, tracker

THIRD = Path(__file__).parents[1] / "policy_kb" / "fixtures" / "third.yaml"


@pytest.fixture(scope="module")
def kb_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("third") / "policy_kb.sqlite"
    build(SOURCES_DIR, path, extra_files=[THIRD], userdict_path=None, lookups_path=None)
    return path


@pytest.fixture(autouse=True)
def third_kb(kb_path, monkeypatch):
    monkeypatch.setenv("POLICYBOT_KB_PATH", str(kb_path))
    get_settings.cache_clear()
    yield open_kb(kb_path)
    get_settings.cache_clear()


def test_search_finds_the_new_clause(third_kb):
    hits = search("青山设备投资额不低于多少才能申报", region="青山", k=3, kb=third_kb)
    assert ("qingshan", "一.（二）") in {(h.document_id, h.clause) for h in hits}


def test_eligibility_of_the_new_programme(third_kb):
    met = eligibility.evaluate({"region": "青山", "enterprise": {"above_designated_size": True},
                                "project": {"fixed_asset_investment_wan": 100}}, kb=third_kb)
    assert [(r.program_id, r.status) for r in met] == [("qingshan-equipment-subsidy", "eligible")]  # 100 ≥ 100
    short = eligibility.evaluate({"region": "青山市", "above_designated_size": True, "fixed_asset_investment_wan": 99},
                                 kb=third_kb)[0]
    assert short.status == "ineligible"
    assert "固定资产投资达到100万元即可满足" in short.advice[0]
    assert short.checks[1].citation.clause == "一.（二）"


def test_the_new_region_is_listed_and_named(third_kb):
    with pytest.raises(eligibility.UnknownRegionError, match="目前支持六安市、广西壮族自治区、青山市"):
        eligibility.resolve_region("上海", third_kb)
    assert [b["title"] for b in region_buttons()] == ["六安市", "广西", "青山"]
    domain = regions_domain_text(load_files([*sorted(SOURCES_DIR.glob("*.yaml")), THIRD]))
    assert "initial_value: 六安市、广西、青山" in domain and "- 青山市" in domain


def test_awards_without_a_schedule_say_so(third_kb):
    result = awards.calculate("青山", [], kb=third_kb)
    assert result.total_wan == 0 and "单个企业最高80万元" in result.notes[-1]
    reply = text_of(run(ActionAnswerAward(), tracker("青山奖补标准", "ask_award", [entity("region", "青山")]))[0])
    assert "青山市的政策文件没有规定固定的奖补金额" in reply


def test_the_verdict_in_the_chat():
    messages, _ = run(ActionCheckEligibility(), tracker(
        "设备投资150万", "inform", slots={"region": "青山市", "above_designated_size": True,
                                           "fixed_asset_investment_wan": 150}))
    assert "【青山市设备更新补助】符合条件" in text_of(messages)  # 规上, 150 ≥ 100


def test_a_chat_question_is_answered_from_the_new_source():
    messages, _ = run(ActionAnswer(), tracker("青山的设备更新补助能给多少钱", "ask_award", [entity("region", "青山")]))
    text = text_of(messages)
    assert "按设备投资额的8%给予补助，单个企业最高80万元" in text and "一：" in text
    messages, _ = run(ActionAnswer(), tracker("青山的设备更新补助有什么条件", "ask_eligibility", [entity("region", "青山")]))
    text = text_of(messages)
    assert "1. 规模以上工业企业" in text and "2. 项目设备投资额不低于100万元" in text
