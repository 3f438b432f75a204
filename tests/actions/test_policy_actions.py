"""Each policy action with a real rasa-sdk Tracker and CollectingDispatcher over the real KB.

Expected figures are literals worked out by hand from the seeds: a wrong knowledge-base
entry must fail these tests.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.awards import ActionAnswerAward
from actions.eligibility import ActionCheckEligibility, ValidateEligibilityForm
from actions.info import (
    ActionAnswerOverview,
    ActionAnswerProcedure,
    ActionCompareRegions,
    ActionDocumentStatus,
)
from actions.search import ActionFallback, ActionSearchAnswer
from actions.tax import ActionAnswerTax

DOMAIN: Dict[str, Any] = {"forms": {"eligibility_form": {"required_slots": ["region"]}}}


def entity(name: str, value: str, start: int = 0) -> Dict[str, Any]:
    return {"entity": name, "value": value, "start": start, "end": start + len(value)}


def tracker(text: str, intent: str, entities: Optional[List[Dict[str, Any]]] = None,
            slots: Optional[Dict[str, Any]] = None, events: Optional[List[Dict[str, Any]]] = None,
            active_loop: Optional[str] = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    return Tracker("tester", slots or {}, latest, events or [], False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def run(action, track: Tracker, domain: Dict[str, Any] = DOMAIN):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, domain))
    return dispatcher.messages, events


def text_of(messages) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


@pytest.fixture(autouse=True)
def built_kb(kb_env):
    return kb_env


def test_award_for_one_title_cites_the_clause_and_adds_the_draft_caveat():
    messages, events = run(ActionAnswerAward(), tracker(
        "六安省级智能工厂奖励多少", "ask_award",
        [entity("region", "六安市"), entity("honor", "省级智能工厂", 2)]))
    reply = text_of(messages)
    assert "省级智能工厂：50万元" in reply
    assert "三.（二）" in reply and "以正式发布文件为准" in reply
    assert SlotSet("caveat_shown", True) in events


def test_award_total_for_several_titles_and_caveat_said_once():
    messages, events = run(ActionAnswerAward(), tracker(
        "市级绿色工厂和市级数字化车间一共多少", "ask_award",
        [entity("honor", "市级绿色工厂"), entity("honor", "市级数字化车间", 6)],
        slots={"region": "六安市", "caveat_shown": True}))
    reply = text_of(messages)
    assert "合计：20万元" in reply
    assert "以正式发布文件为准" not in reply and events == []


def test_award_without_title_lists_the_schedule():
    reply = text_of(run(ActionAnswerAward(), tracker("六安奖补标准", "ask_award", [entity("region", "六安市")]))[0])
    for line in ("市级技改示范项目：50万元", "省级绿色工厂：20万元", "市级智能工厂：20万元",
                 "市级企业技术中心：10万元", "高端化改造强链项目：一事一议"):
        assert line in reply


def test_award_in_guangxi_says_no_amount_is_set():
    reply = text_of(run(ActionAnswerAward(), tracker(
        "广西评上智能工厂给多少钱", "ask_award", [entity("region", "广西壮族自治区")]))[0])
    assert "没有规定固定的奖补金额" in reply
    assert "万元" not in reply


def test_form_asks_the_engine_for_the_next_decisive_fact():
    messages, events = run(ValidateEligibilityForm(), tracker(
        "我们是广西的规上企业，想问问能不能入选千企技改", "ask_eligibility",
        [entity("region", "广西壮族自治区"), entity("scale", "规上", 6)], active_loop="eligibility_form"))
    assert SlotSet("region", "广西壮族自治区") in events
    assert SlotSet("above_designated_size", True) in events
    assert SlotSet("requested_slot", "fixed_asset_investment_wan") in events


def test_bare_amount_answers_the_question_asked():
    slots = {"region": "广西壮族自治区", "above_designated_size": True, "fixed_asset_investment_wan": 3000.0,
             "filed_or_approved": True, "requested_slot": "investment_this_year_wan"}
    _, events = run(ValidateEligibilityForm(), tracker(
        "800万", "inform", [entity("investment", "800")], slots=slots, active_loop="eligibility_form"))
    assert SlotSet("investment_this_year_wan", 800.0) in events
    assert SlotSet("fixed_asset_investment_wan", 800.0) not in events
    # 800 of 3000 is 26.67% < 30%: a check failed, so nothing more is asked.
    assert SlotSet("requested_slot", None) in events


def test_correction_replaces_the_total():
    slots = {"region": "广西壮族自治区", "fixed_asset_investment_wan": 3000.0, "requested_slot": "output_growth_pct"}
    _, events = run(ValidateEligibilityForm(), tracker(
        "不对，总投资是2500万", "inform", [entity("investment", "2500", 6)], slots=slots, active_loop="eligibility_form"))
    assert SlotSet("fixed_asset_investment_wan", 2500.0) in events


def test_yes_answers_the_yes_no_question():
    slots = {"region": "六安市", "above_designated_size": True, "direction": "智能化",
             "fixed_asset_investment_wan": 300.0, "requested_slot": "filed_or_approved"}
    _, events = run(ValidateEligibilityForm(), tracker("是的", "affirm", slots=slots, active_loop="eligibility_form"))
    assert SlotSet("filed_or_approved", True) in events


def test_verdict_for_the_spec_example():
    slots = {"region": "广西壮族自治区", "above_designated_size": True, "fixed_asset_investment_wan": 3000.0,
             "filed_or_approved": True, "investment_this_year_wan": 800.0}
    messages, events = run(ActionCheckEligibility(), tracker("800万", "inform", slots=slots))
    reply = text_of(messages)
    assert reply.startswith("【广西“千企技改”工程项目】暂不符合")
    assert "26.7%" in reply and "900万元（30%）" in reply and "三.（四）" in reply
    trace = next(e for e in events if e.get("name") == "eligibility_trace")["value"]
    assert trace[0]["status"] == "ineligible"
    schedule = next(check for check in trace[0]["checks"] if check["passed"] is False)
    assert schedule["clause"] == "三.（四）" and "900万元" in schedule["brief"]


def test_verdict_eligible_in_luan():
    slots = {"region": "六安市", "above_designated_size": True, "direction": "智能化",
             "fixed_asset_investment_wan": 200.0, "filed_or_approved": True}
    reply = text_of(run(ActionCheckEligibility(), tracker("已备案", "inform", slots=slots))[0])
    assert reply.startswith("【六安市级技改项目库】符合条件")


def test_verdict_luan_below_minimum_says_what_would_pass():
    slots = {"region": "六安市", "above_designated_size": True, "direction": "自动化",
             "fixed_asset_investment_wan": 199.99, "filed_or_approved": True}
    reply = text_of(run(ActionCheckEligibility(), tracker("199.99万", "inform", slots=slots))[0])
    assert "暂不符合" in reply and "200万元" in reply


def test_tax_estimate_for_rd_expense():
    reply = text_of(run(ActionAnswerTax(), tracker(
        "研发费用800万加计扣除能省多少税", "ask_tax_incentive",
        [entity("amount", "800", 2), entity("incentive", "研发费用加计扣除", 8)]))[0])
    assert "200万元" in reply  # 800 × 100% × 25%


def test_tax_estimate_for_high_tech_firm():
    reply = text_of(run(ActionAnswerTax(), tracker(
        "我们是高新技术企业，研发投了1000万，加计扣除能省多少", "ask_tax_incentive",
        [entity("amount", "1000"), entity("incentive", "研发费用加计扣除", 20)]))[0])
    assert "150万元" in reply  # 1000 × 100% × 15%


def test_tax_credit_for_environmental_equipment():
    reply = text_of(run(ActionAnswerTax(), tracker(
        "买了300万的环保设备能抵多少税", "ask_tax_incentive", [entity("amount", "300", 2)]))[0])
    assert "30万元" in reply  # 10% of 300


def test_tax_explanation_without_amount():
    reply = text_of(run(ActionAnswerTax(), tracker(
        "技术转让所得怎么减免", "ask_tax_incentive", [entity("incentive", "技术转让所得减免")]))[0])
    assert "500万元" in reply and "依据" in reply


def test_procedure_names_the_department():
    reply = text_of(run(ActionAnswerProcedure(), tracker(
        "六安的技改项目备案去哪里办", "ask_procedure", [entity("region", "六安市")]))[0])
    assert "县区主管部门" in reply and "依据" in reply


def test_overview_lists_directions_and_targets():
    reply = text_of(run(ActionAnswerOverview(), tracker("六安的技改政策支持哪些方向", "ask_policy_overview",
                                                        [entity("region", "六安市")]))[0])
    assert "智能化" in reply and "300个以上" in reply


def test_compare_regions_covers_both_programmes():
    reply = text_of(run(ActionCompareRegions(), tracker("六安和广西有什么区别", "compare_regions"))[0])
    assert "六安市级技改项目库" in reply and "千企技改" in reply and "200万元" in reply and "500万元" in reply


def test_document_status_says_draft():
    reply = text_of(run(ActionDocumentStatus(), tracker("这个文件正式发布了吗", "ask_document_status"))[0])
    assert reply.count("征求意见稿") >= 2


def test_search_answer_quotes_a_clause():
    reply = text_of(run(ActionSearchAnswer(), tracker("入库项目要按月报送投资统计数据吗", "affirm",
                                                      slots={"region": "六安市"}))[0])
    assert "依据：《六安市" in reply and "三.（一）" in reply


def test_second_unsure_message_in_a_row_opens_a_ticket():
    earlier = [
        {"event": "user", "text": "嗯那个啥", "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "action", "name": "action_fallback"},
        {"event": "user", "text": "就是那个东西", "parse_data": {"intent": {"name": "nlu_fallback"}}},
    ]
    messages, _ = run(ActionFallback(), tracker("就是那个东西", "nlu_fallback", events=earlier))
    assert "T" in text_of(messages) and "工单" in text_of(messages)


def test_a_question_inside_the_form_is_not_taken_as_an_answer():
    slots = {"region": "广西壮族自治区", "requested_slot": "fixed_asset_investment_wan"}
    events_so_far = [{"event": "user", "text": "六安省级智能工厂奖多少"}, {"event": "action", "name": "action_extract_slots"}]
    _, events = run(ValidateEligibilityForm(), tracker(
        "六安省级智能工厂奖多少", "ask_award", [entity("region", "六安市")], slots=slots,
        events=events_so_far, active_loop="eligibility_form"))
    assert events == [ActionExecutionRejected("eligibility_form")]


def test_the_form_resumes_after_the_interruption_was_answered():
    slots = {"region": "广西壮族自治区", "requested_slot": "fixed_asset_investment_wan"}
    events_so_far = [{"event": "user", "text": "六安省级智能工厂奖多少"}, {"event": "action", "name": "action_answer_award"}]
    _, events = run(ValidateEligibilityForm(), tracker(
        "六安省级智能工厂奖多少", "ask_award", slots=slots, events=events_so_far, active_loop="eligibility_form"))
    assert ActionExecutionRejected("eligibility_form") not in events


def test_a_yes_that_states_another_fact_does_not_answer_the_question():
    slots = {"region": "六安市", "fixed_asset_investment_wan": 300.0, "requested_slot": "above_designated_size"}
    _, events = run(ValidateEligibilityForm(), tracker(
        "已经备案了", "affirm", [entity("filing", "已备案")], slots=slots, active_loop="eligibility_form"))
    assert SlotSet("filed_or_approved", True) in events
    assert not any(e.get("name") == "above_designated_size" for e in events)


def form_turn(text: str, intent: str, answered_by: str) -> List[Dict[str, Any]]:
    """One turn inside the form that another action answered (the form is about to resume)."""
    events = [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}]
    if intent not in ("inform", "affirm", "deny", "ask_eligibility"):
        events.append({"event": "action_execution_rejected", "name": "eligibility_form"})
    return events + [{"event": "action", "name": answered_by}]


GUANGXI_FORM_START = [
    {"event": "slot", "name": "region", "value": "广西壮族自治区"},
    {"event": "user", "text": "广西千企技改能不能进", "parse_data": {"intent": {"name": "ask_eligibility"}}},
    {"event": "action", "name": "eligibility_form"},
    {"event": "active_loop", "name": "eligibility_form"},
    {"event": "slot", "name": "requested_slot", "value": "fixed_asset_investment_wan"},
    {"event": "action", "name": "action_listen"},
]


def test_form_resumes_after_one_question_on_the_same_region():
    events = GUANGXI_FORM_START + form_turn("研发费用加计扣除按多少比例", "ask_tax_incentive", "action_answer_tax")
    track = tracker("研发费用加计扣除按多少比例", "ask_tax_incentive", slots={"region": "广西壮族自治区"},
                    events=events, active_loop="eligibility_form")
    messages, result = run(ValidateEligibilityForm(), track)
    assert {"event": "slot", "name": "requested_slot", "value": "fixed_asset_investment_wan",
            "timestamp": None} in result
    assert not any(event.get("name") == "eligibility_set_aside" for event in result)


def test_form_is_set_aside_when_a_question_moves_to_the_other_region_and_says_so():
    user, *rest = form_turn("六安省级智能工厂奖多少", "ask_award", "action_answer_award")
    # The region mapping sets 六安市 from the message's entity, right after the user event.
    events = GUANGXI_FORM_START + [user, {"event": "slot", "name": "region", "value": "六安市"}, *rest]
    track = tracker("六安省级智能工厂奖多少", "ask_award", slots={"region": "六安市"},
                    events=events, active_loop="eligibility_form")
    _, result = run(ValidateEligibilityForm(), track)
    assert SlotSet("eligibility_set_aside", "region:广西壮族自治区") in result
    assert SlotSet("requested_slot", None) in result and {"event": "active_loop", "name": None,
                                                          "timestamp": None} in result
    messages, after = run(ActionCheckEligibility(), tracker(
        "六安省级智能工厂奖多少", "ask_award", slots={"region": "六安市", "eligibility_set_aside": "region:广西壮族自治区"}))
    assert messages[0]["response"] == "utter_form_set_aside_region" and messages[0]["old_region"] == "广西"
    assert after == [SlotSet("eligibility_set_aside", None)]


def test_form_is_set_aside_after_two_questions_in_a_row():
    events = GUANGXI_FORM_START + form_turn("研发费用加计扣除按多少比例", "ask_tax_incentive", "action_answer_tax") + [
        {"event": "action", "name": "eligibility_form"}, {"event": "action", "name": "action_listen"},
    ] + form_turn("备案去哪办", "ask_procedure", "action_answer_procedure")
    track = tracker("备案去哪办", "ask_procedure", slots={"region": "广西壮族自治区"},
                    events=events, active_loop="eligibility_form")
    _, result = run(ValidateEligibilityForm(), track)
    assert SlotSet("eligibility_set_aside", "ignored") in result
    messages, _ = run(ActionCheckEligibility(), tracker(
        "备案去哪办", "ask_procedure", slots={"region": "广西壮族自治区", "eligibility_set_aside": "ignored"}))
    assert [m["response"] for m in messages] == ["utter_form_set_aside"]


def test_a_level_said_once_applies_to_the_titles_after_it():
    messages, _ = run(ActionAnswerAward(), tracker(
        "市级绿色工厂和数字化车间一共多少钱", "ask_award",
        entities=[entity("honor", "市级绿色工厂", 0), entity("honor", "数字化车间", 7)],
        slots={"region": "六安市"}))
    reply = text_of(messages)
    assert "市级绿色工厂：10万元" in reply and "市级数字化车间：10万元" in reply
    assert "合计：20万元" in reply and "三.（二）" in reply


def test_a_total_given_with_the_completion_year_is_the_total():
    slots = {"region": "广西壮族自治区", "above_designated_size": True, "requested_slot": "fixed_asset_investment_wan"}
    _, events = run(ValidateEligibilityForm(), tracker(
        "900万，今年能投产", "inform",
        [entity("investment_this_year", "900"), {"entity": "completion", "value": "年内竣工", "start": 5, "end": 10}],
        slots=slots, active_loop="eligibility_form"))
    assert SlotSet("fixed_asset_investment_wan", 900.0) in events
    assert SlotSet("completes_this_year", True) in events
    assert not any(event.get("name") == "investment_this_year_wan" for event in events)


def test_this_years_investment_is_still_read_as_such():
    slots = {"region": "广西壮族自治区", "above_designated_size": True, "requested_slot": "fixed_asset_investment_wan"}
    _, events = run(ValidateEligibilityForm(), tracker(
        "今年投了300万", "inform", [entity("investment_this_year", "300", 4)], slots=slots,
        active_loop="eligibility_form"))
    assert SlotSet("investment_this_year_wan", 300.0) in events
    assert not any(event.get("name") == "fixed_asset_investment_wan" for event in events)


def test_figures_of_a_side_question_are_not_taken_as_answers():
    events = GUANGXI_FORM_START + form_turn("研发费用800万能少交多少税", "ask_tax_incentive", "action_answer_tax")
    track = tracker("研发费用800万能少交多少税", "ask_tax_incentive", [entity("amount", "800", 4)],
                    slots={"region": "广西壮族自治区", "requested_slot": "fixed_asset_investment_wan"},
                    events=events, active_loop="eligibility_form")
    _, result = run(ValidateEligibilityForm(), track)
    assert not any(event.get("name") == "fixed_asset_investment_wan" for event in result)
    assert SlotSet("requested_slot", "fixed_asset_investment_wan") in result


def test_a_comparison_inside_the_form_keeps_the_forms_region():
    user, *rest = form_turn("广西和六安比，哪边门槛低", "compare_regions", "action_compare_regions")
    events = GUANGXI_FORM_START + [user, {"event": "slot", "name": "region", "value": "六安市"}, *rest]
    track = tracker("广西和六安比，哪边门槛低", "compare_regions",
                    [entity("region", "广西壮族自治区", 0), entity("region", "六安市", 3)],
                    slots={"region": "六安市"}, events=events, active_loop="eligibility_form")
    _, result = run(ValidateEligibilityForm(), track)
    assert SlotSet("region", "广西壮族自治区") in result
    assert not any(event.get("name") == "eligibility_set_aside" for event in result)


def test_the_form_opening_with_nothing_decided_lists_the_checks_ahead():
    """“个体户能报六安的技改项目库吗”: the three checks of 三（一） before the first question."""
    reply = _form_opening("个体户能报六安的技改项目库吗", "六安市")
    assert "要看以下3条" in reply and "? 固定资产投资200万元以上" in reply and "三.（一）" in reply


def test_a_partnership_has_no_legal_person_and_the_check_says_only_that():
    reply = text_of(run(ActionCheckEligibility(), tracker("合伙企业能报千企技改吗", "ask_eligibility", slots={
        "region": "广西壮族自治区", "independent_legal_person": False}))[0])
    assert "不具有独立法人资格。" in reply and "不具有独立法人资格；生产经营正常" not in reply


def _form_opening(text: str, region: str) -> str:
    """The form's first turn, as Rasa runs it: the loop activated after the user's message."""
    events = [{"event": "user", "text": text}, {"event": "active_loop", "name": "eligibility_form"}]
    return text_of(run(ValidateEligibilityForm(), tracker(
        text, "ask_eligibility", [entity("region", region, text.index(region[:2]))], events=events,
        active_loop="eligibility_form"))[0])


def test_the_programmes_growth_line_beside_the_firms_outputs_is_not_the_firms_growth():
    text = ("广西贵港的规上企业，千企技改要求产值增长15%是吧，我们去年产值1.2个亿，改造后预计能到1.35亿，够不够？"
            "其他的都没问题，投资900万、今年能投产、允许类。")
    events = [{"event": "user", "text": text}, {"event": "active_loop", "name": "eligibility_form"}]
    slots = {e["name"]: e["value"] for e in run(ValidateEligibilityForm(), tracker(
        text, "ask_eligibility", [entity("region", "广西", 0)], events=events, active_loop="eligibility_form"))[1]}
    assert slots["output_growth_pct"] == 12.5  # (1.35 − 1.2) ÷ 1.2, not the 15% the programme asks


def test_a_failed_growth_line_says_the_text_sets_no_figure_by_industry():
    from actions.common import kb
    from actions.facts import verdict_text
    from policy_kb.eligibility import evaluate
    result = evaluate({"region": "广西", "above_designated_size": True, "fixed_asset_investment_wan": 1200,
                       "completes_this_year": True, "output_growth_pct": 12}, kb())[0]
    text = verdict_text(result)
    assert "暂不符合" in text and "没有规定各行业调整后的具体增长率" in text and "工业和信息化厅" in text


def test_a_failed_filing_says_where_the_project_is_filed():
    from actions.common import kb
    from actions.facts import verdict_text
    from policy_kb.eligibility import evaluate
    result = evaluate({"region": "六安", "above_designated_size": True, "fixed_asset_investment_wan": 200,
                       "filed_or_approved": False}, kb())[0]
    text = verdict_text(result)
    assert "✗ 办理备案（核准）手续" in text and "县区主管部门备案" in text


def test_this_years_amount_corrected_in_the_form_stays_this_years():
    text = "今年计划投1000万，哦不对，我看错表了，是1100万。够不够？"
    events = [{"event": "user", "text": text}, {"event": "active_loop", "name": "eligibility_form"}]
    slots = {e["name"]: e["value"] for e in run(ValidateEligibilityForm(), tracker(
        text, "ask_eligibility", [{"entity": "investment_this_year", "value": "1000", "start": 5, "end": 10}, {"entity": "investment", "value": "1100", "start": 22, "end": 27}],
        slots={"region": "广西壮族自治区", "fixed_asset_investment_wan": 3500.0, "requested_slot": "investment_this_year_wan"},
        events=events, active_loop="eligibility_form"))[1] if e.get("event") == "slot"}
    assert slots.get("investment_this_year_wan") == 1100.0 and "fixed_asset_investment_wan" not in slots


def test_a_message_with_no_chinese_in_it_quotes_no_clause():
    messages, _ = run(ActionFallback(), tracker("<script>alert(1)</script>", "nlu_fallback"))
    assert messages[0].get("response") == "utter_out_of_scope" and "政策原文" not in text_of(messages)
