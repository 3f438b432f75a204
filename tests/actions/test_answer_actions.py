"""The question-first answer action with a real Tracker over the real knowledge base: follow-ups in
context, the verdict outside the form, a yes/no with nothing in it (figures worked by hand)."""

from __future__ import annotations

from actions.answer import ActionAnswer
from actions.search import ActionFallback
from tests.actions.test_policy_actions import built_kb, entity, run, text_of, tracker  # noqa: F401


def context_after(events):
    return next(e["value"] for e in events if e.get("name") == "answer_context")


def award_turn(text, *honors, intent="ask_award", before=None, region_named=False):
    """One turn naming 六安 titles (entities where the words stand), after the turn `before`."""
    entities = [entity("region", "六安市", 0)] if region_named else []
    entities += [entity("honor", honor, text.index(honor)) for honor in honors]
    slots = {"region": "六安市", **({"answer_context": context_after(before)} if before is not None else {})}
    return run(ActionAnswer(), tracker(text, intent, entities, slots=slots))


def test_a_status_said_later_recomputes_the_earlier_estimate():
    _, events = run(ActionAnswer(), tracker("研发投入500万能省多少税", "ask_tax_incentive"))
    messages, _ = run(ActionAnswer(), tracker("忘了说，我们是高新技术企业", "inform",
                                              slots={"answer_context": context_after(events)}))
    assert "少缴企业所得税75万元" in text_of(messages)  # 500 × 100% × 15%


def test_a_bare_amount_corrects_the_amount_before():
    _, events = run(ActionAnswer(), tracker("高新企业，研发六百万能省多少", "ask_tax_incentive"))
    messages, _ = run(ActionAnswer(), tracker("不好意思打错了，是八百万", "inform",
                                              slots={"answer_context": context_after(events)}))
    assert "少缴企业所得税120万元" in text_of(messages)  # 800 × 100% × 15%


def test_an_added_amount_keeps_the_one_before():
    _, events = run(ActionAnswer(), tracker("研发500万能少交多少税", "ask_tax_incentive"))
    messages, _ = run(ActionAnswer(), tracker("还买了个节能设备200万", "inform",
                                              slots={"answer_context": context_after(events)}))
    text = text_of(messages)
    assert "125 + 20 = 145万元" in text  # 500 × 25% and 200 × 10%


def test_titles_named_earlier_are_added_up_when_asked_for_the_total():
    _, first = run(ActionAnswer(), tracker("我们刚被认定六安市级智能工厂", "ask_award",
                                           [entity("region", "六安市"), entity("honor", "市级智能工厂")],
                                           slots={"region": "六安市"}))
    _, second = run(ActionAnswer(), tracker("另外企业技术中心也评上省级了", "ask_award", [entity("honor", "企业技术中心")],
                                            slots={"region": "六安市", "answer_context": context_after(first)}))
    messages, _ = run(ActionAnswer(), tracker("一共能拿多少", "ask_award",
                                              slots={"region": "六安市", "answer_context": context_after(second)}))
    assert "20 + 20 = 40万元" in text_of(messages)  # 市级智能工厂 20 + 省级企业技术中心 20


def test_a_project_question_outside_the_form_gets_the_verdict_on_its_facts():
    messages, events = run(ActionAnswer(), tracker(
        "广西，项目800万，规上，已备案，但是要到明年年中才能投产，还能报千企技改吗", "ask_procedure",
        [entity("region", "广西壮族自治区"), entity("investment", "800"), entity("scale", "规上")]))
    text = text_of(messages)
    assert "暂不符合" in text and "年度内竣工投产" in text
    assert {"name": "completes_this_year", "value": False} in [
        {"name": e.get("name"), "value": e.get("value")} for e in events]


def test_a_plain_yes_with_nothing_open_asks_what_else():
    messages, _ = run(ActionAnswer(), tracker("好的", "affirm"))
    assert messages[0].get("response") == "utter_anything_else"


def test_a_form_question_shows_what_is_decided_and_the_amount_an_open_share_needs():
    """The validator that asks for the next fact first says what is decided (Rasa then utters
    utter_ask_<slot> itself, without another call to the action server)."""
    from rasa_sdk.events import SlotSet

    from actions.eligibility import ValidateEligibilityForm

    messages, events = run(ValidateEligibilityForm(), tracker(
        "3000万，已经备案", "inform", [entity("investment", "3000")],
        slots={"region": "广西壮族自治区", "above_designated_size": True, "requested_slot": "fixed_asset_investment_wan"},
        active_loop="eligibility_form"))
    text = text_of(messages)
    assert SlotSet("requested_slot", "investment_this_year_wan") in events
    assert "✓ 固定资产投资为3000万元" in text
    assert "3000×30%=900万元以上" in text  # the share 三（四） asks of a project above 2000万
    assert not any(m.get("response") for m in messages)


def test_nothing_is_said_as_decided_when_the_form_asks_nothing_more():
    from actions.eligibility import ValidateEligibilityForm

    slots = {"region": "广西壮族自治区", "above_designated_size": True, "fixed_asset_investment_wan": 3000.0,
             "filed_or_approved": True, "requested_slot": "investment_this_year_wan"}
    messages, _ = run(ValidateEligibilityForm(), tracker(
        "800万", "inform", [entity("investment", "800")], slots=slots, active_loop="eligibility_form"))
    assert "目前已满足" not in text_of(messages)  # 800 of 3000 < 30%: the verdict comes next, not a question


def test_an_unsure_statement_of_facts_is_answered_in_context_not_with_the_nearest_clause():
    from actions.search import ActionFallback

    messages, _ = run(ActionFallback(), tracker("我们刚被认定六安市级智能工厂", "nlu_fallback",
                                                [entity("region", "六安市"), entity("honor", "市级智能工厂", 4)]))
    text = text_of(messages)
    assert "市级智能工厂：20万元" in text and "三.（二）" in text
    assert "政策原文中最相关的是" not in text


def test_an_unsure_message_inside_the_check_that_answers_it_fills_the_form():
    from rasa_sdk.events import SlotSet

    from actions.search import ActionFallback

    slots = {"region": "六安市", "above_designated_size": True, "fixed_asset_investment_wan": 260.0,
             "direction": "自动化", "requested_slot": "filed_or_approved"}
    messages, events = run(ActionFallback(), tracker("备案也办好了", "nlu_fallback", slots=slots,
                                                     active_loop="eligibility_form"))
    assert SlotSet("filed_or_approved", True) in events
    assert messages == []


def test_a_denied_region_is_not_the_question_s_region():
    """“不是六安市的，是省级的” after 安徽省: the province is not covered; no 六安 figures."""
    messages, _ = run(ActionAnswer(), tracker("安徽省里的技改设备补助政策是多少？不是六安市的，是省级的", "ask_award",
                                              [entity("region", "六安市", 19)]))
    text = text_of(messages)
    assert "没有收录安徽省的政策文件" in text
    assert "万元" not in text


def test_a_decided_check_says_the_programmes_note_on_it():
    """三（五）: an energy-saving project need not grow 15%, but must bring 节能降碳 benefits."""
    from actions.form_questions import decided_so_far

    text = decided_so_far(tracker("我们是节能技改项目", "inform", slots={
        "region": "广西壮族自治区", "energy_saving_or_safety": True, "above_designated_size": True}))
    assert "✓ " in text and "节能降碳" in text and "不以产值增长15%为条件" in text


def test_a_percentage_named_as_the_rule_is_not_the_firms_growth():
    from actions.facts import facts_in_message

    found = facts_in_message(tracker("我们预计技改后产值增长12%，广西那个15%的要求有没有弹性？", "ask_eligibility",
                                     [entity("percent", "12", 10), entity("region", "广西壮族自治区", 14),
                                      entity("percent", "15", 18)]))
    assert found.get("output_growth_pct") == 12.0


def test_an_eligible_verdict_shows_the_firms_figures():
    """三（四）: 1500万 ≥ 500万, in the line that says it passed."""
    from actions.facts import verdict_text
    from policy_kb import eligibility

    result = eligibility.evaluate({"region": "广西壮族自治区", "above_designated_size": True,
                                   "fixed_asset_investment_wan": 1500, "industry_catalog": "鼓励类",
                                   "completes_this_year": True, "output_growth_pct": 20})[0]
    text = verdict_text(result)
    assert result.status == "eligible" and "✓ 固定资产投资为1500万元（要求不低于500万元）" in text


def test_a_project_check_asked_beside_a_tax_question_answers_both():
    """350万 ≥ 200万, 备案, 规上 → 项目库 verdict; R&D 120 × 100% × 25% = 30万元."""
    messages, _ = run(ActionAnswer(), tracker(
        "我是六安一家厂子的会计，我们今年上了一条自动化产线，花了大概三百五十万，已经备案了，规上企业，"
        "能进市里的技改项目库吗？另外研发费用今年有一百二十万，能少交多少税", "ask_tax_incentive",
        [entity("region", "六安市", 5)]))
    text = text_of(messages)
    assert "少缴企业所得税30万元" in text
    assert "【六安市级技改项目库】" in text and "350万元" in text


def test_an_ineligible_verdict_lists_as_met_only_what_the_firm_said():
    """800万 not finished this year fails 三（四）; 独立法人 and 允许类 were only assumed."""
    from actions.facts import verdict_text
    from policy_kb import eligibility

    result = eligibility.evaluate({"region": "广西壮族自治区", "fixed_asset_investment_wan": 800,
                                   "completes_this_year": False})[0]
    text = verdict_text(result)
    assert result.status == "ineligible" and "已满足：项目固定资产投资规模在500万元以上。" in text
    assert "独立法人" not in text and "鼓励类或允许类" not in text


def test_a_region_named_after_a_check_checks_the_same_project_there():
    slots = {"region": "广西壮族自治区", "fixed_asset_investment_wan": 300.0, "above_designated_size": True,
             "filed_or_approved": True}
    messages, events = run(ActionAnswer(), tracker("那如果同样的项目放在广西做呢", "compare_regions",
                                                   [entity("region", "广西壮族自治区", 6)], slots=slots))
    text = text_of(messages)
    assert "【广西“千企技改”工程项目】暂不符合" in text and "300万元（要求不低于500万元）" in text


def test_a_level_asked_after_a_title_changes_the_titles_level():
    _, events = run(ActionAnswer(), tracker("六安市级智能工厂奖多少？", "ask_award",
                                            [entity("region", "六安市"), entity("honor", "市级智能工厂", 2)],
                                            slots={"region": "六安市"}))
    messages, _ = run(ActionAnswer(), tracker("如果是省级的呢", "affirm", slots={
        "region": "六安市", "answer_context": context_after(events)}))
    assert "省级智能工厂：50万元" in text_of(messages)


def test_a_city_of_a_covered_region_is_that_region():
    from actions.common import current_region

    assert current_region(tracker("桂林的企业，项目固定资产投资2000万整", "ask_eligibility")) == "广西壮族自治区"
    assert current_region(tracker("我们在霍邱县，想进项目库", "ask_eligibility")) == "六安市"


def test_a_title_corrected_replaces_the_one_denied():
    text = "六安这边，我们去年拿了省级数字化车间，今年又评上了市级绿色工厂，一共能拿多少奖励"
    _, events = award_turn(text, "省级数字化车间", "市级绿色工厂", region_named=True)
    fix = "等下等下，刚才说错了，去年那个是省级智能工厂，不是数字化车间，重新算下"
    messages, _ = award_turn(fix, "省级智能工厂", "数字化车间", intent="inform", before=events)
    reply = text_of(messages)
    assert "10 + 50 = 60万元" in reply and "数字化车间：" not in reply  # 市级绿色工厂 10 + 省级智能工厂 50


def test_a_second_transfer_adds_up_and_a_later_question_uses_both():
    _, first = run(ActionAnswer(), tracker("我们今年做了两笔技术转让，第一笔是专利转让，所得300万", "ask_tax_incentive"))
    _, second = run(ActionAnswer(), tracker("第二笔是软件著作权转让，所得400万", "inform",
                                            slots={"answer_context": context_after(first)}))
    messages, _ = run(ActionAnswer(), tracker("一般企业，这两笔加起来要交多少所得税？", "ask_tax_incentive",
                                              slots={"answer_context": context_after(second)}))
    assert "技术转让所得700万元" in text_of(messages) and "应纳25万元" in text_of(messages)  # (700 − 500) × 12.5%


def test_a_denied_direction_is_not_the_projects_direction():
    from actions.facts import facts_in_message

    text = "我们是六安的规模以上企业，有个技改项目固定资产投资180万，不是信息化的，就是普通设备更新，能入库吗"
    facts = facts_in_message(tracker(text, "ask_eligibility", [entity("direction", "信息化", text.index("信息化"))]))
    assert "direction" not in facts and facts["fixed_asset_investment_wan"] == 180.0


def test_a_scale_said_not_reached_is_not_taken_as_reached():
    """“年产值还没够规上” holds the entity 规上; the words say the firm is below it."""
    from actions.facts import facts_in_message

    text = "我们舒城的厂子年产值还没够规上，属于小企业，准备投300万搞技改，能进项目库不"
    facts = facts_in_message(tracker(text, "ask_eligibility", [entity("scale", "规上", text.index("规上"))]))
    assert facts["above_designated_size"] is False and facts["fixed_asset_investment_wan"] == 300.0


def test_a_titles_level_corrected_keeps_the_other_titles():
    text = "六安的企业，今年新认定了一个省级数字化车间，还有一个市级企业技术中心，按文件能拿多少奖励？"
    _, events = award_turn(text, "省级数字化车间", "市级企业技术中心", region_named=True)
    messages, _ = award_turn("不对不对，技术中心是省级的，我看错了", "技术中心", intent="inform", before=events)
    reply = text_of(messages)
    assert "20 + 20 = 40万元" in reply and "市级企业技术中心" not in reply  # 省级数字化车间 20 + 省级企业技术中心 20


def test_a_bare_amount_corrects_the_one_equipment_before():
    _, events = run(ActionAnswer(), tracker("今年3月买了台数控机床，380万，能一次性税前扣除吗", "ask_tax_incentive"))
    messages, _ = run(ActionAnswer(), tracker("不对，发票金额是580万", "inform",
                                              slots={"answer_context": context_after(events)}))
    reply = text_of(messages)
    assert "580万元" in reply and "不能一次性扣除" in reply and "95万" not in reply  # 380 × 25%


def test_the_tax_payable_said_after_a_credit_limits_it():
    _, events = run(ActionAnswer(), tracker("买了一台环保专用设备500万（不含税，在目录里），能抵免多少所得税", "ask_tax_incentive"))
    messages, _ = run(ActionAnswer(), tracker("我们今年算下来应纳税额只有30万", "inform",
                                              slots={"answer_context": context_after(events)}))
    reply = text_of(messages)
    assert "30万" in reply and "20万" in reply  # 500 × 10% = 50: 30 this year, 20 carried forward


def test_an_amount_added_to_the_project_in_the_form_adds_to_its_total():
    from actions.facts import facts_in_message

    text = "好的。回到刚才那个项目，如果我再追加30万的设备投资呢？"
    facts = facts_in_message(tracker(text, "ask_tax_incentive", [entity("amount", "30", text.index("30"))],
                                     slots={"fixed_asset_investment_wan": 180.0, "requested_slot": "direction"}))
    assert facts["fixed_asset_investment_wan"] == 210.0  # 180 + 30


def test_a_status_corrected_recomputes_the_estimate_before():
    _, events = run(ActionAnswer(), tracker("我们是高新企业，研发费用300万能省多少所得税", "ask_tax_incentive"))
    messages, _ = run(ActionAnswer(), tracker("说错了，我们高新证书去年到期没续上，现在不是高新了", "inform",
                                              slots={"answer_context": context_after(events)}))
    reply = text_of(messages)
    assert "少缴企业所得税75万元" in reply and "45万" not in reply  # 300 × 25%, not × 15%


def test_leaving_small_profit_status_in_a_follow_up_uses_the_standard_rate():
    _, events = run(ActionAnswer(), tracker("小型微利企业，研发费用100万，加计扣除能少交多少税", "ask_tax_incentive"))
    messages, _ = run(ActionAnswer(), tracker("那如果明年我们利润上去了，超过300万不算小微了呢，还是100万研发", "inform",
                                              slots={"answer_context": context_after(events)}))
    assert "少缴企业所得税25万元" in text_of(messages)  # 100 × 25%


def test_small_profit_figures_said_first_are_used_by_the_question_after():
    _, events = run(ActionAnswer(), tracker("我们应纳税所得额280万，员工50人，资产总额3000万", "inform"))
    messages, _ = run(ActionAnswer(), tracker("这样算小微吗？要交多少企业所得税", "ask_tax_incentive",
                                              slots={"answer_context": context_after(events)}))
    assert "280 × 5% = 14万元" in text_of(messages)


def test_a_level_said_after_each_title_belongs_to_it():
    text = "六安的企业，企业技术中心是市级的、工业设计中心是省级的，都是今年新认定的，能拿多少奖励"
    messages, _ = award_turn(text, "企业技术中心", "工业设计中心", region_named=True)
    reply = text_of(messages)
    assert "10 + 20 = 30万元" in reply and "40万" not in reply  # 市级企业技术中心 10 + 省级工业设计中心 20


def test_titles_counted_in_an_earlier_turn_still_count_in_the_total():
    messages, events = award_turn("今年新评上了省级智能工厂，还有两个市级数字化车间", "省级智能工厂", "市级数字化车间")
    assert "10 × 2 = 20万元" in text_of(messages) and "50 + 20 = 70万元" in text_of(messages)
    messages, _ = award_turn("另外还有一个市级技改示范项目，全部加起来多少", "市级技改示范项目", before=events)
    assert "50 + 20 + 50 = 120万元" in text_of(messages)  # 省级智能工厂 50 + 2 × 市级数字化车间 10 + 市级技改示范项目 50


def test_an_energy_saving_projects_verdict_says_what_it_still_must_show():
    from actions.facts import verdict_text
    from policy_kb import eligibility

    results = eligibility.evaluate({"region": "广西壮族自治区", "above_designated_size": True, "fixed_asset_investment_wan": 900,
                                    "completes_this_year": True, "energy_saving_or_safety": True})
    assert "较大效益" in verdict_text(results[0]) and "符合条件" in verdict_text(results[0])


def test_a_fact_said_that_decides_nothing_yet_is_shown_against_its_check():
    from actions.form_questions import decided_so_far

    text = "广西这边我们还不是规上企业，能不能报千企技改啊？"
    said = tracker(text, "ask_eligibility", slots={"region": "广西壮族自治区", "above_designated_size": False})
    lines = decided_so_far(said)
    assert lines and "? 规模以上工业企业，或改造后可达到规模以上的小型工业企业" in lines


def test_the_same_rd_money_said_to_form_an_intangible_replaces_the_expensed_figure():
    _, events = run(ActionAnswer(), tracker("高新企业，今年研发费用500万，能省多少税", "ask_tax_incentive"))
    messages, _ = run(ActionAnswer(), tracker("那如果这500万研发最后形成了无形资产呢", "inform",
                                              slots={"answer_context": context_after(events)}))
    reply = text_of(messages)
    assert "按200%摊销" in reply and "费用化研发支出500万元" not in reply


def test_titles_counted_as_projects_in_one_turn_still_count_later():
    _, events = award_turn("六安的，我们今年有两个车间都新认定为市级数字化车间", "市级数字化车间")
    _, events2 = award_turn("另外还有一个新认定的市级绿色工厂", "市级绿色工厂", before=events)
    messages, _ = award_turn("一共能奖多少", before=events2)
    assert "20 + 10 = 30万元" in text_of(messages)  # 2 × 市级数字化车间 10 + 市级绿色工厂 10


def test_a_level_corrected_with_the_wrong_level_denied_replaces_the_title():
    _, events = award_turn("六安的，新认定了一个省级工业设计中心，还有个市级智能工厂", "省级工业设计中心", "市级智能工厂")
    messages, _ = award_turn("不对，智能工厂是省级的，不是市级的。总共多少钱", "智能工厂", before=events)
    reply = text_of(messages)
    assert "20 + 50 = 70万元" in reply and "市级智能工厂" not in reply


def test_freight_said_later_is_no_equipment_and_keeps_the_equipment_before():
    _, events = run(ActionAnswer(), tracker("我们今年买了一套污水处理设备，在环保目录里的，发票不含税价400万", "ask_tax_incentive"))
    messages, _ = run(ActionAnswer(), tracker("另外还有运输安装调试费20万", "inform",
                                              slots={"answer_context": context_after(events)}))
    reply = text_of(messages)
    # the unit value of the one-time deduction includes freight (46号), the credit's base does not
    assert "400 + 20 = 420万元" in reply and "共20万元" not in reply and "可抵免企业所得税40万元" in reply


def test_a_transfers_revenue_corrected_replaces_the_one_before():
    _, first = run(ActionAnswer(), tracker("我们把一项专利所有权卖给了另一家公司，转让收入900万", "ask_tax_incentive"))
    _, second = run(ActionAnswer(), tracker("这项专利账面净值还有200万，相关税费50万", "inform",
                                            slots={"answer_context": context_after(first)}))
    messages, _ = run(ActionAnswer(), tracker("刚才说错了，收入是1000万不是900万。我们普通企业25%的税率，这块要交多少所得税",
                                              "ask_tax_incentive", slots={"answer_context": context_after(second)}))
    reply = text_of(messages)
    assert "1000 − 200 − 50 = 750万元" in reply and "应纳31.25万元" in reply  # (750 − 500) × 12.5%


def test_a_loan_is_the_loan_whatever_it_buys():
    messages, _ = run(ActionAnswer(), tracker("我们贷了2000万搞设备更新，按现在的标准一年能贴多少", "ask_tax_incentive"))
    assert "2000 × 1.5% = 30万元/年" in text_of(messages)


def test_a_lines_total_cost_in_a_check_question_is_the_projects_total():
    from actions.facts import facts_in_message

    text = "我们是六安的规上企业，今年上了条数控生产线总共花了四百二十万，备过案了，能不能进六安市级技改库"
    assert facts_in_message(tracker(text, "ask_eligibility"))["fixed_asset_investment_wan"] == 420.0


def _turns(*texts, intent="ask_tax_incentive", slots=None):
    """The conversation's turns through the answer action, each after the one before; the last reply."""
    context = None
    messages = []
    for text in texts:
        extra = {"answer_context": context} if context is not None else {}
        messages, events = run(ActionAnswer(), tracker(text, intent, slots={**(slots or {}), **extra}))
        context = context_after(events)
    return text_of(messages)


def test_a_licence_term_said_before_bars_the_exemption_asked_after():
    reply = _turns("我们把一项专利许可给别人用，非独占许可，许可期3年", "许可费的所得200万，我们25%税率，这个能免所得税吗")
    assert "不能享受" in reply and "200 × 25% = 应纳企业所得税50万元" in reply


def test_a_circumstance_said_before_carries_to_the_question_about_the_same_unit():
    reply = _turns("股东拿一台设备作价300万入股到我们公司", "这台设备能不能享受500万以下一次性税前扣除")
    assert "设备一次性扣除：不适用" in reply and "75万" not in reply  # 300 × 25% would be the wrong figure


def test_a_rate_said_later_recomputes_and_a_rule_question_between_keeps_the_figures():
    reply = _turns("我们的技改项目是鼓励类的，要从日本进口一台设备，完税价格1000万", "关税税率按8%算的话，进口环节增值税也能一起免吗")
    assert "1000 × 8% = 80万元" in reply
    later = _turns("研发费用500万", "加计扣除比例是多少", "那能省多少税")
    assert "少缴企业所得税125万元" in later  # 500 × 100% × 25%


def test_the_in_use_month_said_later_falls_in_the_purchase_year():
    reply = _turns("2025年11月底到的一台数控机床，发票也是11月开的，不含税450万", "要是11月到货当月就投入使用了呢")
    assert "计入2025年度" in reply


def test_another_region_named_after_a_national_estimate_repeats_it():
    reply = _turns("六安的高新企业，研发费400万，加计扣除能省多少", "那如果是广西的企业呢，比例一样吗")
    assert "少缴企业所得税60万元" in reply and "全国统一适用" in reply  # 400 × 100% × 15%


def test_a_retrofit_of_the_unit_said_before_is_capped_by_its_value():
    reply = _turns("去年买了一台节能节水专用设备，原值400万", "今年对它做了数字化改造，花了260万，能抵多少")
    assert "400 × 50% = 200万元" in reply and "可抵免企业所得税20万元" in reply


def test_titles_said_in_turns_are_counted_once_each():
    first = award_turn("第一个项目评上了省级数字化车间", "省级数字化车间")
    second = award_turn("第二个项目评上了市级绿色工厂", "市级绿色工厂", before=first[1])
    messages, _ = award_turn("六安这边一共能拿多少", before=second[1])
    assert "20 + 10 = 30万元" in text_of(messages)


def test_a_catalogue_class_corrected_checks_the_same_project_again():
    slots = {"region": "广西壮族自治区", "fixed_asset_investment_wan": 2500.0, "above_designated_size": True,
             "filed_or_approved": True, "investment_this_year_wan": 1000.0, "output_growth_pct": 20.0}
    text = "不好意思，刚才说错了，这个项目在产业结构调整指导目录里是限制类"
    messages, _ = run(ActionAnswer(), tracker(text, "inform", [entity("catalog", "限制类", text.index("限制类"))], slots=slots))
    reply = text_of(messages)
    assert "暂不符合" in reply and "类别为限制类" in reply and "没有规定排除情形" not in reply


def test_an_open_check_says_the_part_already_known_to_fall_short():
    from actions.form_questions import decided_so_far

    slots = {"region": "广西壮族自治区", "fixed_asset_investment_wan": 6000.0, "filed_or_approved": True,
             "investment_this_year_wan": 700.0, "output_growth_pct": 12.0}
    text = decided_so_far(tracker("改造完产值大概能涨12%", "inform", slots=slots))
    assert "预期增长为12%（要求不低于15%），这一部分未达到" in text


def test_a_title_at_a_level_the_schedule_lacks_is_deferred_with_the_levels_it_has():
    messages, _ = award_turn("我们去年被评上了国家级绿色工厂，六安市里给不给奖励？", "绿色工厂")
    reply = text_of(messages)
    assert "没有规定国家级称号（国家级绿色工厂）的奖励" in reply and "省级绿色工厂20万元" in reply
    assert "市经信局" in reply


def test_shares_only_one_regions_rule_holds_place_the_form_there_and_a_gap_is_no_total():
    from actions.common import current_region
    from actions.facts import facts_in_message

    text = "我们项目总投资4999万，差一万到5000，是按10%还是30%算？今年要完成多少？"
    found = tracker(text, "ask_eligibility", [entity("investment", "4999", text.index("4999")),
                                              entity("investment", "1", text.index("一万"))])
    assert current_region(found) == "广西壮族自治区"
    assert facts_in_message(found)["fixed_asset_investment_wan"] == 4999.0


def test_a_question_the_nlu_files_as_a_no_is_still_answered():
    reply = _turns("新买的激光切割设备单价520万", "2025年买的，能不能一次性扣掉")
    messages, _ = run(ActionAnswer(), tracker("不能的话还有啥办法", "deny", slots={"answer_context": {
        "topics": ["equipment-one-time-deduction"], "facts": {"equipment": [{"value_wan": 520.0, "year": 2025}]}}}))
    assert "不能一次性扣除" in reply and "加速折旧" in text_of(messages) and "还有什么想了解" not in text_of(messages)


def test_an_unlevelled_award_takes_no_level_from_the_message():
    from actions.answer import honors_named

    text = "我们是六安钢铁链上的高端化改造强链项目，同时新认定了省级绿色工厂，能拿多少奖励"
    found = tracker(text, "ask_award", [entity("honor", "高端化改造强链项目", text.index("高端化改造强链项目")),
                                        entity("honor", "绿色工厂", text.index("绿色工厂"))])
    assert set(honors_named(found)) == {"高端化改造强链项目", "省级绿色工厂"}


def test_several_projects_in_one_message_are_each_checked_in_their_own_region():
    messages, _ = run(ActionAnswer(), tracker("我们两家厂，一家在六安投了180万做自动化改造，一家在广西投了600万换生产线，都是规上，分别能进项目库吗",
                                              "ask_eligibility"))
    reply = text_of(messages)
    assert "项目1（六安，固定资产投资180万元）" in reply and "项目2（广西，固定资产投资600万元）" in reply
    assert "【六安市级技改项目库】暂不符合" in reply and "【广西“千企技改”工程项目】" in reply
    assert "一次性扣除" not in reply and "不能申报广西的项目" not in reply  # no estimate, no region clash


def test_several_projects_in_one_region_share_what_is_said_of_all():
    messages, _ = run(ActionAnswer(), tracker("六安的两个项目，一个投了150万做信息化改造，另一个投了300万做设备更新，都备案了，能入库吗",
                                              "ask_eligibility"))
    reply = text_of(messages)
    assert reply.count("【六安市级技改项目库】") == 2 and reply.count("办理备案（核准）手续") == 2
    assert "项目1（六安，固定资产投资150万元）" in reply and "规模以上工业企业" in reply


def test_a_purpose_said_later_adds_the_special_credit_to_the_unit_said_before():
    reply = _turns("今年3月买了一台设备350万，当月就用上了，能一次性扣除吗", "刚才那个设备是环保专用设备目录里的，还能再抵点税吗？抵多少")
    assert "投资额350万元×抵免比例10%=可抵免企业所得税35万元" in reply


def test_the_output_before_and_after_said_in_two_turns_make_the_growth():
    from actions.facts import derived_lines, facts_in_message
    said = [{"event": "user", "text": "改造前一年产值1个亿"}, {"event": "user", "text": "改造后估计1.12亿，这个效益条件够吗"}]
    track = tracker("改造后估计1.12亿，这个效益条件够吗", "inform", events=said,
                    slots={"region": "广西壮族自治区", "requested_slot": "output_growth_pct"})
    assert facts_in_message(track)["output_growth_pct"] == 12.0  # (1.12亿 − 1亿) ÷ 1亿
    assert "产值预期增长 = (1.12亿 − 1亿) ÷ 1亿 = 12%。" in derived_lines(track)


def test_the_same_project_placed_in_the_other_region_is_checked_there_and_a_chance_asked_repeats_the_verdict():
    slots = {"region": "六安市", "fixed_asset_investment_wan": 300.0, "above_designated_size": True, "filed_or_approved": True}
    messages, _ = run(ActionAnswer(), tracker("那如果同样的项目放在我们广西的子公司做呢", "ask_eligibility",
                                              entities=[entity("region", "广西壮族自治区")], slots=slots))
    assert "【广西“千企技改”工程项目】暂不符合" in text_of(messages) and "要求不低于500万元" in text_of(messages)
    limited = {"region": "广西壮族自治区", "fixed_asset_investment_wan": 2000.0, "above_designated_size": True,
               "industry_catalog": "限制类"}
    messages, _ = run(ActionAnswer(), tracker("还有戏吗", "out_of_scope", slots=limited))
    assert "暂不符合" in text_of(messages) and "限制类" in text_of(messages)


def test_a_level_said_after_a_title_and_an_unlevelled_item_beside_levelled_ones():
    from actions.awards import with_shared_level
    assert with_shared_level(["市级技改示范项目", "市级企业技术中心", "高端化改造强链项目"])[-1] == "高端化改造强链项目"
    text = "我們六安的廠子今年評了市級智能工廠，另外工業設計中心被認定為省級，能拿多少"
    start = text.find("工業設計中心")
    messages, _ = run(ActionAnswer(), tracker(text, "ask_award_amount", entities=[
        entity("honor", "市级智能工厂", text.find("市級智能工廠")), {"entity": "honor", "value": "工业设计中心", "start": start,
                                                                   "end": start + 6}]))
    assert "省级工业设计中心：20万元" in text_of(messages) and "20 + 20 = 40万元" in text_of(messages)


def test_a_changed_total_after_a_verdict_checks_the_project_again():
    slots = {"region": "广西壮族自治区", "fixed_asset_investment_wan": 1800.0, "above_designated_size": True,
             "industry_catalog": "鼓励类", "completes_this_year": True, "output_growth_pct": 20.0}
    text = "老板说追加投资，总投资变成2600万，今年估计只能完成700万，备案已经重新做了"
    messages, _ = run(ActionAnswer(), tracker(text, "inform", slots=slots, entities=[
        entity("investment", "2600", text.find("2600")), entity("investment_this_year", "700", text.find("700"))]))
    reply = text_of(messages)
    assert "暂不符合" in reply and "2600×30%=780万元" in reply.replace(" ", "")


def test_a_status_said_later_replaces_the_rate_said_before():
    reply = _turns("研发费用去年花了五百万，我们普通企业25%税率，加计扣除能省多少税", "等下，财务说上个月高新证书下来了，按15%算呢")
    assert "少缴企业所得税75万元" in reply and "125万元" not in reply


def test_firms_named_by_letter_are_each_checked_with_their_own_scale():
    text = "帮我看下这三家谁能进六安市级技改项目库：甲公司规上，自动化改造150万，已备案；乙公司规上，上ERP信息化改造80万，已备案；丙公司还没上规，绿色化改造500万"
    entities = [entity("scale", "规上", text.find("甲公司规上") + 3), entity("scale", "规上", text.find("乙公司规上") + 3)]
    reply = text_of(run(ActionAnswer(), tracker(text, "ask_eligibility", entities=entities))[0])
    first, second, third = reply.split("甲公司（")[1].split("乙公司（")[0], reply.split("乙公司（")[1].split("丙公司（")[0], reply.split("丙公司（")[1]
    assert "暂不符合" in first and "150万元（要求不低于200万元）" in first
    assert "符合条件" in second and "暂不符合" not in second
    assert "暂不符合" in third and "不属于规模以上工业企业" in third


def test_this_years_spending_said_alone_is_the_projects_investment():
    """“今年技改投了三千万” with no total before: the project is 3000万, all of it this year's."""
    from actions.facts import facts_in_message

    text = "我们是广西柳州的汽车零部件厂，去年产值1.2个亿，今年技改投了三千万，预计明年产值增长20%，能申报千企技改吗"
    facts = facts_in_message(tracker(text, "ask_eligibility", [
        entity("investment_this_year", "3000", text.index("三千万")), entity("percent", "20", text.index("20%"))]))
    assert facts["fixed_asset_investment_wan"] == 3000.0 and facts["investment_this_year_wan"] == 3000.0


def test_growth_short_of_the_requirement_shows_the_output_needed():
    from actions.facts import derived_lines

    lines = derived_lines(tracker("改造前年产值1个亿，改造后预计1.1个亿", "inform", slots={"region": "广西壮族自治区"}))
    assert "产值预期增长 = (1.1亿 − 1亿) ÷ 1亿 = 10%。" in lines
    assert "10%达不到15%的增长要求；要达到15%的增长，改造后产值需不低于 1亿 × (1 + 15%) = 1.15亿。" in lines


def test_a_corrected_total_and_filing_after_a_verdict_check_the_project_again():
    text = "不对不对，算错了，是230万，备案也办了"
    slots = {"region": "六安市", "fixed_asset_investment_wan": 180.0, "above_designated_size": True, "direction": "自动化"}
    reply = text_of(run(ActionAnswer(), tracker(text, "inform", [entity("amount", "230", text.index("230"))], slots=slots))[0])
    assert "符合条件" in reply and "固定资产投资为230万元（要求不低于200万元）" in reply and "已完成备案（核准）" in reply


def test_a_bare_amount_after_an_incentive_asked_is_its_figure():
    """“我们买了一批环保设备，能抵税吗” … “420万，专票，在目录里”: the equipment, with the purpose said before."""
    first = "我们买了一批环保设备，能抵税吗"
    _, events = run(ActionAnswer(), tracker(first, "ask_tax_incentive"))
    text = "420万，专票，进项已经抵扣了，在目录里"
    history = [{"event": "user", "text": first}, {"event": "user", "text": text}]
    messages, _ = run(ActionAnswer(), tracker(text, "inform", [entity("amount", "420", 0)],
                                              slots={"answer_context": context_after(events)}, events=history))
    assert "可抵免企业所得税42万元" in text_of(messages)  # 420 × 10%


def test_the_year_asked_after_the_month_of_use_is_that_units():
    reply = _turns("2025年11月买了台380万的设备", "12月份才投入使用", "那一次性扣除是哪一年扣")
    assert "一次性扣除计入2026年度" in reply


def test_a_detail_deferred_in_a_follow_up_quotes_the_nearest_national_point():
    reply = _turns("我们从德国进口一台设备，能免税吗", "项目是鼓励类的，设备价值800万，自用", "过两年要是想把这台设备转卖可以吗")
    assert "没有规定监管期内转让的手续和补税" in reply and "免税设备海关监管3年" in reply


def test_a_title_the_project_builds_gets_its_award_once_recognised_beside_the_check():
    text = "我们是舒城的，准备建个省级数字化车间，投资大概350万，能不能入库？建成了有奖励吗"
    reply = text_of(run(ActionAnswer(), tracker(text, "ask_eligibility", [
        entity("honor", "省级数字化车间", text.index("省级数字化车间"))], slots={"region": "六安市"}))[0])
    assert "建成后被新认定为省级数字化车间的" in reply and "省级数字化车间：20万元" in reply
    assert "固定资产投资200万元以上" in reply and "市级技改示范项目50万元" not in reply  # no whole schedule


def test_another_kind_of_pilot_project_is_not_the_renovation_demonstration_project():
    text = "两个问题：1.六安有没有专门的5G发展规划 2.我们做‘5G+工业互联网’试点示范项目，六安奖多少"
    at = text.index("示范项目")
    reply = text_of(run(ActionAnswer(), tracker(text, "ask_award", [
        {"entity": "honor", "value": "技改示范项目", "start": at, "end": at + 4}], slots={"region": "六安市"}))[0])
    assert "50万元" not in reply and "没有规定5G和工业互联网项目奖励" in reply
    assert "《六安市5G产业发展规划（2020-2025年）》" in reply


def test_a_loan_said_before_the_subsidy_is_asked_is_its_figure():
    reply = _turns("我们想贷五千万搞设备更新", "有没有贴息政策", "贴几年？一年大概能省多少利息")
    assert "5000 × 1.5% = 75万元/年" in reply and "75 × 2 = 150万元" in reply


def test_a_title_corrected_then_another_added_sums_the_corrected_titles():
    turns = [("今年拿了市级绿色工厂，六安这边能奖多少", "市级绿色工厂"), ("哦搞错了，是省级的绿色工厂", "省级绿色工厂"),
             ("再加一个省级工业设计中心，合计多少钱", "省级工业设计中心")]
    context = None
    for text, honor in turns:
        at = text.find(honor[3:])
        extra = {"answer_context": context} if context is not None else {}
        messages, events = run(ActionAnswer(), tracker(text, "ask_award", [
            {"entity": "honor", "value": honor, "start": at, "end": at + len(honor) - 3}], slots={"region": "六安市", **extra}))
        context = context_after(events)
    reply = text_of(messages)
    assert "20 + 20 = 40万元" in reply and "市级绿色工厂" not in reply


def test_a_firm_placed_elsewhere_stays_elsewhere_for_the_programme_questions_after():
    reply = _turns("安徽滁州的企业", "评上了省级绿色工厂，市里能奖多少", intent="ask_award_amount")
    assert "没有收录滁州的政策文件" in reply and "20万" not in reply  # 六安's 省级绿色工厂 award is not theirs
    reply = _turns("我们湖南长沙的", "项目投资八百万，能入选千企技改吗", intent="ask_eligibility")
    assert "没有收录长沙的政策文件" in reply and "500万" not in reply  # not 广西's threshold as if it applied
    reply = _turns("安徽滁州的企业", "研发费用200万能加计扣除多少")
    assert "少缴企业所得税50万元" in reply and "没有收录" not in reply  # 200 × 100% × 25%: national, everywhere


def test_two_factories_one_outside_the_sources_are_judged_apart():
    messages, _ = run(ActionAnswer(), tracker(
        "我们在桂林和长沙各有一个厂，都是独立法人规上企业。桂林厂技改投资1200w年内投产，长沙厂投资八百万，两个都能报千企技改吗",
        "ask_eligibility"))
    reply = text_of(messages)
    assert "项目1（广西，固定资产投资1200万元）" in reply and "项目2（长沙，固定资产投资800万元）：我没有收录长沙的政策文件" in reply


def test_an_open_share_check_says_the_share_is_met_without_nested_brackets():
    from actions.form_questions import _known_part
    brief = ("待确认：固定资产投资高于2000万元的项目已备案或核准，且年度内预期完成投资额的30%以上。未说明是否已完成备案（核准）；"
             "今年完成投资1000万元，占固定资产投资的1000÷2500=40%（要求今年完成投资占固定资产投资不低于30%，即2500×30%=750万元）。"
             "尚缺：项目备案（核准）。")
    assert _known_part(brief) == "（已知：今年完成投资1000万元，占固定资产投资的1000÷2500=40%，达到30%的要求）"


def test_a_detail_the_nlu_was_unsure_of_gets_the_honest_deferral():
    messages, _ = run(ActionFallback(), tracker("用电能不能享受电价优惠", "nlu_fallback"))
    reply = text_of(messages)
    assert "两份技改文件都没有规定" in reply and "政策原文中最相关的是" not in reply


def test_three_firms_each_judged_on_what_is_said_of_it():
    messages, _ = run(ActionAnswer(), tracker(
        "一次问三家，都是广西的：A厂南宁的规上企业，鼓励类，投资八百万年内投产；B厂是桂林一个分厂，不是法人；C厂北海的，项目属于限制类。哪个能报千企技改？",
        "ask_eligibility"))
    reply = text_of(messages)
    assert "您说了3个项目" in reply and "A厂（广西，固定资产投资800万元）" in reply
    a, b, c = reply.split("A厂")[1].split("B厂")[0], reply.split("B厂")[1].split("C厂")[0], reply.split("C厂")[1]
    assert "不具有独立法人资格" not in a and "不具有独立法人资格" in b and "类别为限制类" in c


def test_the_tax_payable_said_in_a_later_turn_limits_the_credit():
    reply = _turns("今年买了八百万的安全生产专用设备，在目录内，能抵多少税", "可我们今年应纳所得税才五十万，怎么弄")
    assert "当年可抵免50万元，其余 80 − 50 = 30万元结转" in reply  # 800 × 10% = 80; 50 this year


def test_a_what_if_on_a_lapsing_certificate_recomputes_at_the_rate_said():
    reply = _turns("高新企业，去年研发费用600万，加计扣除能省多少", "那假如我们高企资格明年到期没续上，按25%算呢")
    assert "少缴企业所得税150万元" in reply and "资格到期当年的税率" not in reply  # 600 × 25%


def test_a_programme_compared_with_a_region_named_brings_its_region_beside():
    text = "请问千企技改和六安的技改项目库，哪个门槛低"
    entities = [{"entity": "program", "value": "千企技改", "start": 2}, {"entity": "region", "value": "六安市", "start": 7}]
    messages, _ = run(ActionAnswer(), tracker(text, "ask_program", entities=entities))
    reply = text_of(messages)
    assert "六安：六安市级技改项目库要求固定资产投资200万元以上" in reply and "广西：千企技改要求项目固定资产投资规模在500万元以上" in reply


def test_tax_figures_stay_across_a_programme_question_between():
    reply = _turns("我们是高新技术企业，今年研发费用预计八百万，全部费用化，没形成无形资产",
                   "顺便问下，广西千企技改对项目投资额有啥要求？我们厂在桂林", "行，知道了。那刚才说的那笔研发费用，能少交多少所得税？")
    assert "少缴企业所得税120万元" in reply  # 800 × 100% × 15%


def test_a_what_if_on_the_ic_list_recomputes_at_its_rate():
    reply = _turns("制造业企业，所得税25%，今年研发费用400万，全部费用化，加计扣除能省多少税",
                   "那如果我们是在国家名单里的集成电路企业呢？还是25%税率")
    assert "加计比例120%=480万元" in reply and "少缴企业所得税120万元" in reply and "2023年第44号" in reply


def test_a_corrected_price_beside_another_quote_replaces_the_unit():
    reply = _turns("我们今年4月新买了一台设备，价格五百二十万，能不能一次性税前扣除",
                   "不好意思我说错了，是四百八十万，520是另一家的报价。那这台能一次性扣吗？")
    assert "共480万元，可一次性在税前扣除" in reply and "不能一次性扣除" not in reply


def test_an_investment_raised_to_a_figure_is_the_new_total_not_an_addition():
    from actions.facts import facts_in_message

    text = "那如果投资追加到2100万呢，今年还是只完成500万"
    facts = facts_in_message(tracker(text, "inform", [entity("amount", "2100", text.index("2100"))],
                                     slots={"fixed_asset_investment_wan": 2000.0}))
    assert facts.get("fixed_asset_investment_wan") == 2100.0  # not 2000 + 2100


def test_the_parts_of_a_project_are_its_investment_summed():
    from actions.facts import derived_lines, facts_in_message

    text = "我们这个项目既有设备又有厂房改造，设备800万，厂房改造400万，能入库吗？我们在金寨，规上，已备案"
    track = tracker(text, "ask_eligibility", [entity("amount", "800", text.index("800")), entity("amount", "400", text.index("400"))])
    assert facts_in_message(track)["fixed_asset_investment_wan"] == 1200.0
    assert "固定资产投资 = 设备800 + 厂房改造400 = 1200万元。" in derived_lines(track)


def test_an_award_figure_guessed_inside_the_form_is_not_the_investment():
    from actions.facts import facts_in_message

    text = "这种项目奖励标准是多少？是不是也跟示范项目一样50万"
    facts = facts_in_message(tracker(text, "ask_award", [entity("amount", "50", text.index("50"))],
                                     slots={"requested_slot": "fixed_asset_investment_wan", "region": "六安市"}))
    assert "fixed_asset_investment_wan" not in facts


def test_an_invoice_total_with_its_vat_deducted_waits_for_the_tax_amount():
    reply = _turns("买了节能专用设备一台，发票价税合计565万（专票，进项已经抵扣了），能抵免多少", "税额是65万")
    assert "565 − 65 = 500万元" in reply and "可抵免企业所得税50万元" in reply


def test_a_county_said_after_a_rule_answers_the_rule_for_its_region_not_anything_else():
    reply = _turns("技改项目投资额最低要多少才能进项目库啊", "裕安区的", intent="affirm")
    assert "固定资产投资200万元以上" in reply and "还有什么想了解" not in reply


def test_a_level_affirmed_beside_a_level_denied_is_the_one_taken():
    titles = ["市级智能工厂", "市级绿色工厂", "市级数字化车间"]
    messages, _ = run(ActionAnswer(), tracker("是市级的，不是省级", "inform", slots={
        "region": "六安市", "answer_context": {"topics": ["awards"], "facts": {}, "honors": titles}}))
    reply = text_of(messages)
    assert "市级智能工厂：20万元" in reply and "省级智能工厂" not in reply


def test_a_follow_up_the_nlu_reads_as_asking_what_the_bot_does_is_answered_from_the_context():
    context = {"topics": ["approval"], "facts": {}, "aspects": ["procedure"]}
    messages, _ = run(ActionAnswer(), tracker("具体是哪些情况能享受", "bot_capabilities",
                                              slots={"region": "广西壮族自治区", "answer_context": context}))
    assert "容缺受理" in text_of(messages) and "守信主体" in text_of(messages)
    asked, _ = run(ActionAnswer(), tracker("你能帮我做什么", "bot_capabilities", slots={"answer_context": context}))
    assert [m.get("response") for m in asked] == ["utter_capabilities"]


def test_a_place_the_nlu_reads_as_a_greeting_after_an_answer_is_the_place():
    context = {"topics": ["program"], "facts": {"fixed_asset_investment_wan": 150.0}, "aspects": ["threshold"]}
    messages, _ = run(ActionAnswer(), tracker("在舒城县", "greet", slots={"answer_context": context}))
    assert "200万元以上" in text_of(messages) and "不限定投资额" in text_of(messages)
    hello, _ = run(ActionAnswer(), tracker("您好，请问现在有人在线吗", "greet", slots={"answer_context": context}))
    assert [m.get("response") for m in hello] == ["utter_greet"]


def test_a_title_said_at_another_level_in_a_what_if_replaces_it():
    titles = ["市级智能工厂", "市级数字化车间", "市级企业技术中心"]
    text = "那如果其中智能工厂那个是省级的不是市级的，一共又是多少"
    found = tracker(text, "ask_subsidy", [entity("honor", "省级智能工厂", text.index("智能工厂"))],
                    slots={"region": "六安市", "answer_context": {"topics": ["awards"], "facts": {}, "honors": titles}})
    messages, _ = run(ActionAnswer(), found)
    assert "合计：10 + 10 + 50 = 70万元" in text_of(messages) and "市级智能工厂：20万元" not in text_of(messages)


def test_a_corrected_figure_keeps_the_other_figures_said_before():
    reply = _turns("我们自己研发花了三百万，另外委托德国一家公司做研发付了三百万，合同登记了，25%税率，加计扣除能少交多少",
                   "不好意思说错了，我们自己的研发费用是四百五十万，不是三百万")
    assert "不超过境内研发费用450万元的三分之二（300万元），计入240万元" in reply
    assert "少缴企业所得税172.5万元" in reply  # (450 + 240) × 100% × 25%


def test_not_reaching_the_size_after_the_project_means_not_there_now():
    from actions.facts import facts_in_message

    text = "我们是广西梧州的小微工业企业，年产值几百万，这次投600万改造，老实说改完产值也到不了规上，年内能投产。这种能进千企技改吗"
    facts = facts_in_message(tracker(text, "ask_eligibility", [entity("scale", "规上", text.index("规上"))]))
    assert facts["above_designated_size"] is False and facts["above_size_after_project"] is False


def test_a_claim_asked_after_an_incentive_is_that_incentives_claim():
    reply = _turns("研发费用加计扣除要先去税务局备案吗", "今年7月预缴的时候忘了报了，还能享受吗")
    assert reply.startswith("可以。") and "7月未享受的不影响以后享受" in reply


def test_a_fact_the_nlu_reads_as_goodbye_after_a_check_is_the_fact():
    slots = {"region": "六安市", "fixed_asset_investment_wan": 800.0, "above_designated_size": True,
             "direction": "智能化", "filed_or_approved": False}
    messages, _ = run(ActionAnswer(), tracker("备案下来了", "goodbye", slots=slots))
    assert "符合条件" in text_of(messages) and "再见" not in text_of(messages)
    bye, _ = run(ActionAnswer(), tracker("好的，再见", "goodbye", slots=slots))
    assert [m.get("response") for m in bye] == ["utter_goodbye"]


def test_a_place_said_after_a_deferred_detail_keeps_the_detail_not_the_whole_schedule():
    reply = _turns("设备补贴能补多少", "我们在六安", intent="ask_subsidy")
    assert "没有规定设备（软件）补贴的比例和标准" in reply and "市级技改示范项目50万元" not in reply


def test_numbered_questions_are_answered_each_in_its_turn():
    """1. 六安入库门槛 200万元 (三.（一）); 2. 广西's 方案 for 千企技改; 3. 公告2023年第37号's 500万元 cap."""
    reply = _turns("我们是金寨的规上企业，问三个问题：1. 技改项目库入库有投资门槛吗 2. 千企技改是哪里的政策？"
                   "3. 设备一次性扣除是什么条件", intent="ask_eligibility")
    first, second, third = reply.index("1. "), reply.index("2. "), reply.index("3. ")
    assert first < second < third
    assert "200万元以上" in reply[first:second]
    assert "出自《广西“千企技改”工程实施方案" in reply[second:third]
    assert "单位价值不超过500万元" in reply[third:]


def test_a_numbered_list_of_cases_is_not_split_into_questions():
    from actions.answer import numbered_segments

    assert numbered_segments("500万以下设备一次性扣除，下面谁能用：1.个体工商户 2.合伙企业") == []
    assert numbered_segments("买了 3 台设备能扣吗？还有 2 台呢？") == []
    assert numbered_segments("我们在霍山。第一，入库要什么条件？第二，示范项目奖多少？") == [
        "我们在霍山。入库要什么条件？", "我们在霍山。示范项目奖多少？"]


def test_two_covered_regions_factories_are_checked_each_against_its_own():
    """六安 300万 ≥ 200万 (三.（一）) passes; 广西 450万 < 500万 (三.（四）) does not — not one 450万 for 六安."""
    messages, _ = run(ActionAnswer(), tracker(
        "我们集团在六安和广西各有一个工厂，都准备搞技改：六安那个是自动化改造300万，广西那个是智能化改造450万，"
        "两个厂都是规上，都备案了，广西那个今年能投产。六安的能进市级库吗？广西的能进千企技改吗？", "ask_eligibility"))
    reply = text_of(messages)
    assert "项目1（六安，固定资产投资300万元）" in reply and "项目2（广西，固定资产投资450万元）" in reply
    assert "要求不低于500万元" in reply and "贵企业在六安，不能申报广西" not in reply


def test_a_what_if_on_completion_checks_the_project_again():
    """1800万 is in 三.（四）'s 500–2000万 band: not completed this year, it does not pass."""
    slots = {"region": "广西壮族自治区", "fixed_asset_investment_wan": 1800, "above_designated_size": True,
             "completes_this_year": True, "output_growth_pct": 20}
    messages, events = run(ActionAnswer(), tracker("好的。那回到千企技改，要是项目明年才能投产呢", "ask_eligibility", slots=slots))
    assert "暂不符合" in text_of(messages) and "年度内不能竣工投产" in text_of(messages)
    assert {"event": "slot", "timestamp": None, "name": "completes_this_year", "value": False} in events


def test_a_second_figure_asked_in_the_same_message_is_answered_too():
    reply = _turns("技术转让所得正好500万，要交企业所得税吗？要是501万呢？我们不是高新")
    assert "全部免征企业所得税" in reply
    assert reply.index("要是501万：") < reply.index("1×12.5%=应纳0.125万元")  # (501 − 500) × 25% × 50%



def test_an_ordinary_invoice_said_after_corrects_the_unit_to_its_whole_amount():
    reply = _turns("环保专用设备，专票不含税200万，税额26万，进项抵扣了，10%抵免能抵多少？",
                   "搞错了，我们是小规模纳税人，开的是普票，价税合计226万，那要怎么算")
    assert "投资额按价税合计226万元计" in reply and "226万元×抵免比例10%=可抵免企业所得税22.6万元" in reply
    assert "174" not in reply  # 200 − 26 is neither the first unit's figure nor the second's


def test_a_firm_circumstance_said_first_holds_for_the_question_after():
    reply = _turns("我们是核定征收的小厂", "研发花了五十万，还买了八十万的设备，能加计扣除、一次性扣除吗？")
    assert reply.count("不适用") == 2 and "12.5万" not in reply  # 50 × 25% would be the wrong figure


def test_numbers_typed_straight_before_the_words_mark_the_questions():
    from actions.answer import numbered_segments

    assert [s[-7:] for s in numbered_segments("问一下 1入库要啥条件 2设备能不能抵税 3有没有贷款贴息")] == ["，入库要啥条件", "设备能不能抵税", "有没有贷款贴息"]
    assert numbered_segments("我们买了 3台设备 一共300万 能抵税吗") == []


def test_a_what_if_naming_its_figure_replaces_that_one_among_several():
    from actions.answer import what_if_texts

    asked, other, figure = what_if_texts("我们是小微企业，今年利润大概一百八十万，员工80个人，资产四千万，企业所得税交多少？要是利润到了三百二十万呢")
    assert "利润大概320万" in other and "资产四千万" in other and figure == "320万"
    assert what_if_texts("研发300万，设备200万，要是400万呢") is None  # which one is not said
    reply = _turns("舒城一个小厂，员工四十几个，资产总额三千万左右，今年应纳税所得额估计260万，企业所得税要交多少？要是明年做大了所得到320万，是不是还能按小微算")
    assert "260 × 5% = 13万元" in reply and reply.index("要是320万：") < reply.index("320 × 25% = 80万元")


def test_a_status_said_with_a_greeting_is_kept_for_the_next_question():
    messages, events = run(ActionAnswer(), tracker("你好，我们是高新技术企业", "greet"))
    assert messages[0].get("response") == "utter_greet"
    messages, _ = run(ActionAnswer(), tracker("去年研发投入500万，都是费用化的", "ask_tax_incentive",
                                              slots={"answer_context": context_after(events)}))
    assert "少缴企业所得税75万元" in text_of(messages)  # 500 × 100% × 15%


def test_projects_counted_after_the_title_keep_their_count_for_the_total():
    _, first = award_turn("六安市级技改示范项目一个奖多少", "市级技改示范项目")
    _, second = award_turn("那我们今年有三个项目都评上了呢", before=first)
    messages, _ = award_turn("再加一个市级企业技术中心，总共多少钱？", "市级企业技术中心", before=second)
    assert "150 + 10 = 160万元" in text_of(messages)  # 3 × 50 + 10


def test_an_intangible_said_to_be_part_of_the_rd_before_leaves_the_rest_expensed():
    _, events = run(ActionAnswer(), tracker("高新企业，研发费一年四百来万，加计扣除能省多少", "ask_tax_incentive"))
    messages, _ = run(ActionAnswer(), tracker("要是形成了无形资产呢，比如其中100万形成专利", "ask_tax_incentive",
                                              slots={"answer_context": context_after(events)}))
    text = text_of(messages)
    assert "费用化研发支出300万元" in text and "少缴企业所得税60万元" in text  # (300 × 100% + 100 × 100%) × 15%

