"""The held-out answer set through the real stack: every number in every reply comes from the
knowledge base, the user's own words or a computation the reply shows (zero exceptions)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.dev.answer_eval import load_cases, run_all, score, unsourced_numbers

pytestmark = pytest.mark.stack


def test_scoring_needs_every_must_item_and_an_honest_deferral():
    case = {"kind": "deferral", "must": ["12366", ["税务", "税局"]], "must_not": ["75万"]}
    assert score(case, "文件没有规定，请咨询主管税务机关或12366。") == []
    assert score(case, "请咨询税务机关或12366。") == ["没有如实说明文件未规定"]
    assert score(case, "文件没有规定，可少缴75万元，请问12366税务") == ["不应出现：75万"]


def test_a_number_from_nowhere_is_caught():
    known = {"500", "25"}
    assert unsourced_numbers(["少缴137.5万元"], ["技术转让所得600万"], known) == ["137.5（少缴137.5万元）"]
    assert unsourced_numbers(["100×25%=25万元", "600万元"], ["所得600万"], known) == []
    # a result shown computed may be said again after it, not before it
    assert unsourced_numbers(["增长 = (2500 − 1500) ÷ 1500 = 66.7%。\n✓ 预期增长为66.7%"], ["从1500万涨到2500万"], known) == []
    assert unsourced_numbers(["预期增长为66.7%\n增长 = (2500 − 1500) ÷ 1500 = 66.7%"], ["从1500万涨到2500万"], known) != []
    # a count said in words is the user's number; one never said is not
    assert unsourced_numbers(["✗ 从业人数320人"], ["员工三百二十人"], known) == []
    assert unsourced_numbers(["✗ 从业人数320人"], ["员工三百人"], known) != []


@pytest.mark.parametrize("name", ["dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev12", "dev13", "dev14", "dev15", "dev16", "dev17", "dev18", "dev19", "dev20", "dev21", "dev22", "dev23", "dev24", "dev25", "dev27", "dev28", "dev29", "dev30", "dev31", "dev32", "dev33", "dev34", "dev35", "dev36", "dev37", "dev38", "dev39", "dev40", "heldout"])
def test_every_answer_set_is_well_formed(name):
    """Unique ids, a known kind, at least one turn, and must/must_not lists of strings or alternatives."""
    cases = load_cases(name)
    ids = [case["id"] for case in cases]
    assert len(ids) == len(set(ids)) and len(cases) >= 80
    for case in cases:
        assert case["kind"] in ("answer", "deferral", "ask") and case["turns"] and case.get("group"), case["id"]
        for item in [*(case.get("must") or []), *(case.get("must_not") or [])]:
            assert isinstance(item, (str, list)) and item, case["id"]


@pytest.fixture(scope="module")
def heldout_results(live_stack, kb_path):
    from bot.dev.answer_eval import kb_numbers

    cases = load_cases("heldout")
    return asyncio.run(run_all(live_stack, cases, kb_numbers(Path(kb_path)), concurrency=2, pause_s=0.15))


def test_every_number_in_every_reply_has_a_source(heldout_results):
    unsourced = {r.case["id"]: r.unsourced for r in heldout_results if r.unsourced}
    assert unsourced == {}


def test_every_case_gets_a_reply(heldout_results):
    empty = {r.case["id"]: [reply[:60] for reply in r.replies if not reply.strip() or reply.startswith("<HTTP")]
             for r in heldout_results}
    assert {case: replies for case, replies in empty.items() if replies} == {}
