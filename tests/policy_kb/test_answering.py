"""Answer planning on the issue's eight examples and the model replies (figures worked by hand
from the seeds and the facts files, written here as literals)."""

import pytest


def test_rule_question_gets_the_rule_not_the_form(ask):
    result, text = ask("六安的技改项目库对投资额有门槛吗", intent="ask_eligibility")
    assert not result.start_form
    assert "200万元以上" in text and "信息化、创新化" in text and "三.（一）" in text


def test_several_amounts_each_bound_to_its_meaning(ask):
    _, text = ask("我们是高新企业，去年研发花了600万，还买了两百万的节能设备，税能少多少")
    assert "600万元×加计比例100%" in text and "少缴企业所得税90万元" in text  # 600 × 100% × 15%
    assert "可抵免企业所得税20万元" in text  # 200 × 10%
    assert "90 + 20 = 110万元" in text
    assert "60万" not in text  # the old reading: 600万 as special equipment
    assert "财政部 税务总局公告2023年第7号" in text


def test_threshold_in_the_question_is_not_the_firms_value(ask):
    _, text = ask("设备单价不超过500万元的才能一次性扣除吗")
    assert "单位价值不超过500万元的" in text and "财政部 税务总局公告2023年第37号" in text
    assert "125" not in text and "少缴" not in text


def test_excluded_industry_gets_no_estimate(ask):
    _, text = ask("我们是做房地产的，研发费用300万能加计扣除多少")
    assert "不适用" in text and "房地产业" in text
    assert "75" not in text


def test_the_bots_own_examples_compute(ask):
    _, rd = ask("研发费用800万能少交多少税")
    assert "少缴企业所得税200万元" in rd  # 800 × 100% × 25%
    _, transfer = ask("技术转让收入800万要交多少税")
    assert "应纳37.5万元" in transfer  # (800 − 500) × 25% × 50%
    assert "所得" in transfer and "收入" in transfer  # says the exemption is on 所得, states the assumption


def test_own_project_starts_the_form(ask):
    result, _ = ask("六安，自动化改造，投资260万，能入库吗", intent="ask_eligibility")
    assert result.start_form and result.region == "六安市"


def test_national_question_does_not_ask_for_a_region(ask):
    result, _ = ask("研发费用加计扣除的比例是多少")
    assert not result.ask_region


def test_regional_question_without_region_answers_both(ask):
    result, text = ask("省级企业技术中心有奖励吗", honors=["省级企业技术中心"])
    assert "20万元" in text and "广西方案没有规定固定的奖补金额" in text
    assert result.ask_region


def test_unanswered_question_is_deferred_honestly(ask):
    result, text = ask("千企技改的项目什么时候申报，去哪里报", regions_named=["广西"])
    assert "没有规定申报时间" in text and "自治区工业和信息化厅" in text


def test_uncovered_place_gets_no_regional_figures(ask):
    result, text = ask("合肥的技改项目有什么补贴")
    assert "没有收录合肥" in text
    assert "万元" not in text


def test_national_citations_name_the_official_text(ask):
    _, text = ask("研发费用加计扣除要准备什么材料")
    assert "国家税务总局公告" in text and "事实摘要" not in text
    assert "请以官方原文为准" in text  # a secondary fact


def test_credit_is_limited_by_the_tax_payable(ask):
    _, text = ask("今年买了台600万的环保设备，应纳税额才30万，能抵多少税")
    assert "可抵免企业所得税60万元" in text  # 600 × 10%
    assert "60 − 30 = 30万元结转" in text


def test_a_figure_with_no_tax_meaning_gets_a_deferral_not_an_empty_reply(ask):
    result, text = ask("规上企业的标准是主营业务收入2000万吗", intent="nlu_fallback")
    assert result.parts and "没有规定" in text
    assert "万元" not in text  # no estimate from a revenue figure


def test_a_title_without_its_level_gets_every_level_and_the_question(ask):
    _, text = ask("工业设计中心奖励多少", region="六安市", honors=["工业设计中心"])
    assert "省级工业设计中心20万元" in text and "市级工业设计中心10万元" in text and "哪一级" in text


def test_a_stated_income_tax_rate_is_used(ask):
    _, text = ask("研发费用600万，我们税率是15%，能少交多少")
    assert "少缴企业所得税90万元" in text  # 600 × 100% × 15%


@pytest.mark.parametrize("intent", ["compare_regions", "ask_eligibility", "inform"])
def test_a_rule_asked_of_projects_named_by_a_threshold_gets_that_rule(ask, intent):
    """“高于2000万的项目” names a class of projects (三（四）'s band), not the firm's investment."""
    result, text = ask("广西投资高于2000万的项目有什么额外要求", intent=intent)
    assert not result.start_form
    assert "30%以上" in text and "三.（四）" in text


def test_two_projects_with_the_same_title_get_two_awards(ask):
    """三（二）: 市级技改示范项目，每个奖励50万元 — two projects, 50 × 2 = 100万元."""
    result, text = ask("我们有两个项目都被评为六安市级技改示范项目，每个都奖吗？总共多少",
                       intent="ask_award", honors=["市级技改示范项目"], regions_named=["六安市"])
    assert "50 × 2 = 100万元" in text and "三.（二）" in text


@pytest.mark.parametrize("text, year", [
    ("我们2025年12月买的设备，当月就装好用上了，一次性扣除是算2025年度还是2026年度啊", "一次性扣除计入2026年度"),
    ("480万的普通生产设备一次性扣除，2026年3月买的，4月投入使用，算哪年", "一次性扣除计入2026年度"),
])
def test_the_deduction_year_is_the_year_of_the_month_after_use(ask, text, year):
    """深度: 在投入使用月份的次月所属年度扣除 — December's equipment falls in the next year."""
    _, answer = ask(text, intent="ask_tax_incentive")
    assert year in answer


def test_a_listed_industry_below_half_of_income_still_gets_the_rd_deduction(ask):
    """97号公告: only a firm whose listed-industry income is above 50% is on the negative list.
    批发 40%: R&D 200 × 100% × 25% = 50, plus the 节能 equipment credit 100 × 10% = 10 → 60."""
    _, text = ask("我们营业执照上有批发，但收入里制造占六成、批发占四成，研发200万，节能设备100万，能省多少",
                  intent="ask_tax_incentive")
    assert "未超过50%，不算负面清单企业" in text
    assert "50 + 10 = 60万元" in text


def test_a_listed_industry_above_half_of_income_gets_no_rd_deduction(ask):
    _, text = ask("我们是做批发的，批发收入占七成，研发300万能省多少税", intent="ask_tax_incentive")
    assert "不适用" in text and "75万元" not in text  # 300 × 25% would be 75


def test_a_transfer_to_a_wholly_owned_subsidiary_gets_no_exemption(ask):
    """财税〔2010〕111号: transfers between 100% related parties do not qualify — no 12.5万 estimate."""
    _, text = ask("我们把一项专利卖给了我们100%控股的子公司，转让所得600万，能享受技术转让免税吗",
                  intent="ask_tax_incentive")
    assert "不能享受" in text and "100%关联方" in text
    assert "12.5" not in text and "关于分公司" not in text


def test_the_firms_figure_beside_the_rule_it_names_asks_about_the_rule(ask):
    """“增长12%，那个15%的要求有没有弹性”: 三（五）'s rule and its 适当调整, not the form."""
    result, text = ask("我们预计技改后产值增长12%，广西那个15%的要求有没有弹性？", intent="ask_eligibility")
    assert not result.start_form
    assert "15%以上" in text and "适当调整" in text and "三.（五）" in text


def test_the_firms_figure_at_a_threshold_it_names_gets_its_own_check(ask):
    """“刚好两百万整，算达到入库的投资额了吗？还是要超过200万” — the check decides it (200 ≥ 200)."""
    result, _ = ask("六安这边，自动化改造项目刚好两百万整，算达到入库的投资额了吗？还是要超过200万才行",
                    intent="ask_eligibility")
    assert result.start_form


def test_a_total_asked_with_a_detail_the_files_do_not_give_gets_both(ask):
    """三（二）: 省级绿色工厂 20 + 市级数字化车间 10 = 30万元; the files say nothing of 到账时间."""
    _, text = ask("评上了省级绿色工厂和市级数字化车间，一共能拿多少钱？钱什么时候到账？", intent="ask_award",
                  honors=["省级绿色工厂", "市级数字化车间"], regions_named=["六安市"])
    assert "20 + 10 = 30万元" in text and "没有规定到账时间" in text


def test_commissioned_rd_said_to_be_inside_the_total_is_counted_once(ask):
    """“研发费用800万，其中委托高校150万”, 高新: (800 − 150) + 150 × 80% = 770; 770 × 15% = 115.5."""
    _, text = ask("我们公司是高新，今年研发费用大概八百来万，其中委托外部高校研发150万，能少交多少所得税",
                  intent="ask_tax_incentive")
    assert "800 − 150 = 650万元" in text and "少缴企业所得税115.5万元" in text
    assert "920万元" not in text


def test_a_special_unit_of_no_named_kind_is_estimated_as_one_in_the_catalogue(ask):
    """“一台专用设备600万，能抵免多少税”: 600 × 10% = 60万元, said to hold for a unit in the 目录."""
    _, text = ask("我们买了一台专用设备600万，能抵免多少税")
    assert "600万元×抵免比例10%=可抵免企业所得税60万元" in text and "不在目录内的设备不能抵免" in text


def test_a_unit_partly_bought_with_fiscal_money_keeps_its_whole_value_for_the_deduction(ask):
    """财税〔2008〕48号: the credit on the own 600 − 200 = 400万元 (40万元); the unit is still 600万元,
    over 公告2023年第37号's 500万元, so it is not deducted at once."""
    _, text = ask("买了一台环保设备，600万，其中200万是财政拨款，税上能享受啥")
    assert "400万元×抵免比例10%=可抵免企业所得税40万元" in text
    assert "单位价值超过500万元的设备（600万元）不能一次性扣除" in text
    assert "100万元" not in text  # 400 × 25%: the old one-time deduction of the own part


def test_where_a_programme_comes_from_is_its_document(ask):
    """“千企技改是哪里的政策” for a 金寨 firm: 广西's 方案, not for a firm in 六安."""
    result, text = ask("我们是金寨的规上企业，千企技改是哪里的政策？")
    assert not result.start_form
    assert "出自《广西“千企技改”工程实施方案（修订征求意见稿）》" in text and "广西壮族自治区工业和信息化厅" in text
    assert "贵企业在六安，不能申报广西的项目" in text
    _, national = ask("研发费用加计扣除是哪个文件规定的")
    assert "研发费用加计扣除的依据是财政部 税务总局公告2023年第7号" in national
    _, timing = ask("千企技改申报时间是哪个文件规定的")
    assert "没有规定申报时间" in timing  # the time asked is answered, not only the document


def test_a_share_of_income_in_tenths_of_the_total_decides_the_negative_list(ask):
    """批发 四成 < 50% (财税〔2015〕119号): not a negative-list firm; 180 × 100% × 25% = 45万元."""
    _, text = ask("我们公司主营是制造，但也有一块批发业务，批发收入占收入总额的四成左右，今年研发费用180万能不能加计扣除？一般企业能省多少税？")
    assert "不算负面清单企业" in text and "少缴企业所得税45万元" in text
    assert "不适用" not in text


def test_income_said_before_the_super_deduction_is_reduced_by_it(ask):
    """小微: (250 − 100) × 5% = 7.5万元, the income said 还没算加计."""
    _, text = ask("我们是小型微利企业，今年应纳税所得额（还没算研发加计扣除）大概250万，研发费用有100万都费用化了，"
                  "加计扣除以后应纳税所得额是多少？按小微优惠最后交多少税？")
    assert "250 − 加计扣除 100 = 150万元" in text and "150 × 5% = 7.5万元" in text
    assert "已经扣除了加计扣除" not in text


def test_not_an_ic_firm_gets_the_general_intangible_rate(ask):
    """“我们不是集成电路企业”: 200% (公告2023年第7号), not the 220% of the listed IC firms."""
    _, text = ask("我们去年研发形成了一项专利，无形资产原值500万，按10年摊销，每年能摊销多少？我们不是集成电路企业")
    assert "200%" in text and "220%" not in text


def test_freight_that_takes_the_unit_over_the_cap_ends_the_deduction(ask):
    """480 + 30 = 510万元 > 500万元 (公告2023年第37号, 2018年第46号): no one-time deduction, no 120万元."""
    _, text = ask("我们买了一台设备，不含税设备价480万，运费和安装调试费一共30万，合起来510万，这台还能享受一次性扣除吗？")
    assert "不能一次性扣除" in text and "单位价值超过500万元的设备（510万元）" in text
    assert "120万元" not in text
    _, exact = ask("2025年5月买了台数控机床，发票不含税价480万，运输费加安装调试又花了20万，单位价值正好500万，还能一次性扣除吗？")
    assert "能一次性扣除" in exact and "480 + 20 = 500万元" in exact


def test_two_transfers_each_said_once_are_summed(ask):
    """“两项专利…每项所得都是400万”, 高新: 400 + 400 = 800; (800 − 500) × 12.5% = 37.5万元."""
    _, text = ask("我们是高新技术企业，今年卖了两项专利，每项技术转让所得都是400万，是不是都免税？")
    assert "400 + 400 = 800万元" in text and "300×12.5%=应纳37.5万元" in text


def test_the_transfer_costs_said_as_one_sum_are_taken_off(ask):
    """1200 − 300 − 100 = 800; (800 − 500) × 12.5% = 37.5万元 (国税函〔2009〕212号)."""
    _, text = ask("我们不是高新，今年转让一项专利所有权，合同收入1200万，这项专利的计税基础净值300万，相关税费和合同、律师费一共100万。要交多少所得税？")
    assert "1200 − 300 − 100 = 800万元" in text and "应纳37.5万元" in text


def test_what_transfer_income_means_is_answered_before_any_estimate(ask):
    _, text = ask("技术转让所得500万以内免税，这个“所得”是指合同金额吗？我们合同签了700万")
    assert "技术转让所得＝技术转让收入－技术转让成本－相关税费" in text and "25万" not in text


def test_a_mature_line_bought_abroad_is_not_rd(ask):
    _, text = ask("我们技改花2000万从德国引进一条成熟的生产线，安装调试和工人培训的钱，能不能算研发费用去加计扣除？")
    assert "不适用" in text and "直接安装采用外购技术" in text and "1600万元" not in text


def test_rd_commissioned_from_a_researcher_abroad_is_not_counted(ask):
    _, text = ask("我们委托美国一位独立研究员（他是个人，不是公司）帮我们做研发，付了100万。这笔能按80%算进加计扣除的基数吗？")
    assert "委托境外个人研发的100万元不能加计扣除" in text and "80万元" not in text


def test_a_wrong_rate_put_to_a_high_tech_firm_is_corrected(ask):
    """高新 15% (企业所得税法第二十八条): 400 × 100% × 15% = 60万元, not 400 × 20% = 80万元."""
    _, text = ask("我们高新企业所得税按20%交的吧？今年研发费用400万，加计扣除大概能少交多少税")
    assert "不是20%" in text and "少缴企业所得税60万元" in text and "80万元" not in text


def test_a_small_scale_taxpayer_gets_no_vat_credit(ask):
    _, text = ask("我们是高新技术企业，做机械加工的制造业，但一直是小规模纳税人。先进制造业增值税加计抵减5%能享受吗")
    assert "不适用" in text and "一般纳税人" in text


def test_a_unit_bought_in_the_earlier_window_is_deducted_under_that_policy(ask):
    _, text = ask("我们一台设备是2023年12月开的发票，300万，2024年1月投入使用。37号公告说的是2024年1月1日以后购进的，那我们这台是不是就不能一次性扣除了？")
    assert "可以，2023年购进的适用此前的政策" in text and "公告2021年第6号" in text


def test_a_retrofit_before_the_window_earns_no_credit(ask):
    """公告2024年第9号 covers retrofits from 2024-01-01: a 2023 one earns nothing (not 80 × 10% = 8万元)."""
    _, text = ask("我们一台安全生产专用设备（在目录里的），2023年11月做了数字化改造，花了80万。这笔改造支出能按新政策抵免10%吗？")
    assert text.startswith("不能") and "2024-01-01" in text and "8万元" not in text


def test_a_missed_super_deduction_can_be_made_up(ask):
    _, text = ask("2023年度我们有一笔研发费用当时会计没做加计扣除，汇算已经报完了。现在还能补享受吗？")
    assert text.startswith("可以") and "3年内追溯补享" in text


def test_an_expired_sme_rule_is_named_when_asked_for(ask):
    _, text = ask("我们2025年买了台800万的设备，能按那个中小企业政策扣50%吗")
    assert "只适用于2022年购置的设备，已经到期" in text and "单位价值超过500万元的设备（800万元）不能一次性扣除" in text


def test_an_award_asked_with_its_precondition_gets_both(ask):
    _, text = ask("评上了市级技改示范项目能拿多少？这些项目是不是得先进市级技改项目库？", intent="ask_award",
                  honors=["市级技改示范项目"], regions_named=["六安市"])
    assert "50万元" in text and "享受技改财政奖补的前提" in text


def test_unit_prices_said_without_wan_beside_amounts_in_wan(ask):
    """“一台380一台620” beside “一千二百万”: 380 deducted at once (380 × 15% = 57万元), 620 over 500万元."""
    _, text = ask("高新企业，研发费用去年一千二百万左右，今年打算买两台设备一台380一台620，税上大概能省多少")
    assert "少缴企业所得税180万元" in text and "共380万元" in text and "（620万元）不能一次性扣除" in text


def test_a_transfer_to_a_party_held_at_sixty_percent_is_not_left_out(ask):
    """财税〔2010〕111号 leaves out only 100%关联方 transfers: 60% is not one."""
    _, text = ask("我们把一项专利所有权转让给了持股60%的控股子公司，技术转让所得这块还能享受500万免税吗")
    assert "持股60%不是100%关联关系" in text and "没有规定股权结构" not in text


def test_the_statistics_duty_after_entry_is_answered_alone(ask):
    _, text = ask("六安的技改项目库入库以后每个月要报什么")
    assert "按月报送投资统计数据" in text and "200万元以上" not in text


def test_a_wholly_owned_transfer_is_taxed_and_the_unrelated_one_exempted(ask):
    """财税〔2010〕111号: 100%关联方 → 400 × 25% = 100万元 due; to an unrelated buyer 400 ≤ 500 → 0."""
    _, text = ask("我们公司准备把一项专利转让给我们100%控股的子公司，所得大概400万，能免企业所得税吗？如果转让给外面没关系的公司呢，能免吗？")
    assert "400 × 25% = 应纳企业所得税100万元" in text
    assert "转让给非100%关联方的" in text and "全部免征企业所得税" in text
    assert "没有规定" not in text


def test_a_follow_up_asking_where_to_claim_does_not_price_the_titles_again(ask):
    result, text = ask("好的谢谢，那这个钱找哪个部门申请？要走什么流程", intent="ask_award",
                       honors=["省级数字化车间"], regions_named=["六安市"])
    assert "没有规定奖补的申领窗口和发放部门" in text and "20万元" not in text


def test_a_training_fee_asked_of_rd_is_deferred_as_its_own_detail(ask):
    _, text = ask("培训费能算研发费用吗")
    assert "没有规定研发费用是否包括培训费" in text and "技术服务和培训收入" not in text


def test_a_credit_asked_of_a_unit_of_unsaid_kind_is_estimated_as_catalogued_and_says_so(ask):
    """160 × 10% = 16万元, only if the unit is a catalogued special one."""
    _, text = ask("买了台160万的设备，能抵免多少税？")
    assert "可抵免企业所得税16万元" in text and "普通设备不能抵免" in text


def test_ownership_asked_of_the_programme_is_not_a_condition_the_text_sets(ask):
    _, text = ask("我们是国企，能申报千企技改吗")
    assert "没有规定按企业所有制（国企、民营、外资）区分的申报条件" in text and "独立法人资格" in text



def test_whether_awards_stack_with_the_provinces_is_outside_the_text(ask):
    _, text = ask("六安的技改奖补能和省里的叠加吗", intent="ask_award")
    assert "没有规定能否同时享受" in text and "50万元" not in text


def test_a_tax_audit_is_not_the_customs_supervision(ask):
    _, text = ask("研发费用加计扣除被税务局查了，补税会有滞纳金吗")
    assert "监管期内转让" not in text and "12366" in text


def test_a_task_for_the_bot_is_declined_and_not_answered_with_a_clause(ask):
    _, text = ask("帮我写一份可研报告")
    assert "我不能代写申报材料" in text and "依据" not in text
    _, text = ask("研发费用500万，帮我算一下能省多少税")
    assert "少缴企业所得税125万元" in text  # 500 × 100% × 25%


def test_materials_of_an_incentive_without_its_own_list_get_the_way_every_incentive_is_claimed(ask):
    _, text = ask("专用设备抵免要准备哪些资料")
    assert "自行判别、申报享受、相关资料留存备查" in text and "没有规定具体" not in text
    _, text = ask("小型微利企业优惠要不要备案")
    assert "事先不需要备案" in text and "没有规定具体的办理流程" not in text


def test_a_listed_industrys_share_of_our_income_below_half_keeps_the_deduction(ask):
    _, text = ask("我们主业是建材制造，但有个项目卖房子，房地产收入占我们收入总额大概40%。今年200万的研发费用是不是也享受不了？我们税率25%。")
    assert "少缴企业所得税50万元" in text and "不适用" not in text  # 40% ≤ 50%: 200 × 100% × 25%


def test_titles_counted_with_their_projects_and_workshops_are_each_awarded(ask):
    from policy_kb.answering import title_count
    text = "六安的，我们今年有三个技改项目被评上市级技改示范项目，另外还有两个车间新认定成省级数字化车间，奖励加起来一共多少？"
    assert title_count(text, "市级技改示范项目") == 3 and title_count(text, "省级数字化车间") == 2
    _, reply = ask(text, intent="ask_award", honors=["市级技改示范项目", "省级数字化车间"], regions_named=["六安市"],
                   honor_counts={"市级技改示范项目": 3, "省级数字化车间": 2})
    assert "150 + 40 = 190万元" in reply  # 3 × 50 + 2 × 20


def test_units_counted_with_a_price_each_are_each_within_the_one_time_line(ask):
    _, text = ask("设备一次性扣除是不是500万以下才行？我们今年买了3台注塑机，每台210万，合计630万，超了是不是就不能扣了？")
    assert text.startswith("可以。") and "共630万元" in text and "157.5万元" in text  # 3 × 210; 630 × 25%


def test_the_bases_a_user_weighs_are_not_more_equipment(ask):
    _, text = ask("我们是高新技术企业，今年研发费用400万，全部费用化的；另外买了一台环保专用设备，在目录里，专票上价款300万、税额39万，"
                  "进项能抵扣，另外付了运输安装费12万。一共能少交多少所得税？设备抵免是按339万还是312万算？")
    assert "60 + 30 = 90万元" in text and "639" not in text  # 400 × 100% × 15%; 300 × 10%


def test_an_intangible_formed_in_earlier_years_is_not_in_this_years_saving(ask):
    _, text = ask("我们是在工信部清单里的集成电路企业，同时也是高新。今年研发费用1000万都费用化了，加计扣除能省多少税？"
                  "另外前两年研发形成了一项无形资产，原值200万，这个按多少比例摊销？")
    assert "少缴企业所得税180万元" in text and "200 × 220% = 440万元" in text and "216" not in text  # 1000 × 120% × 15%


def test_whether_approval_comes_first_is_answered_by_no_filing_needed(ask):
    _, text = ask("研发费用加计扣除是不是得先到税务局备案审批了才能享受？")
    assert text.startswith("研发费用加计扣除事先不需要备案") and "负面清单" not in text


def test_a_plain_unit_said_not_to_be_special_equipment_has_no_credit_rule(ask):
    _, text = ask("一台三百万的普通生产设备（不是专用设备）去年一次性扣除了，用了两年想卖掉，税务上要怎么处理，要不要补税")
    assert "关于设备转让或出租" in text and "没有规定" in text and "抵免" not in text


def test_a_deduction_larger_than_the_income_gives_no_year_figure_on_its_line(ask):
    _, text = ask("我们是小型微利企业，应纳税所得额一年两百来万，2025年3月买了台四百八十万的数控机床，能一次性扣除吗？大概能少交多少？")
    assert "今年实际少交的就是这10万元" in text and "24万" not in text  # 200 × 5%; not 480 × 5%


def test_an_amount_corrected_takes_the_role_of_the_one_before():
    from nlu.question import Vocabulary, analyse
    q = analyse("今年计划投1000万，哦不对，我看错表了，是1100万。够不够？", Vocabulary.load([], {}))
    assert q.facts.get("investment_this_year_wan") == 1100.0 and not q.facts.get("other_amounts")


def test_what_entry_brings_and_asks_after_it(ask):
    _, text = ask("六安这边项目进了市级技改库以后，是不是就自动有钱拿了？还要干点啥？")
    assert "享受技改财政奖补的前提" in text and "按月报送投资统计数据" in text and "具体的办理流程" not in text


def test_installing_a_bought_line_is_not_research(ask):
    _, text = ask("我们技改引进了一条自动化生产线，厂家派人来安装调试，调试期间材料和人工花了120万，这个能算研发费用加计扣除吗？我们25%税率")
    assert "直接安装采用外购技术" in text and "30万" not in text  # not 120 × 100% × 25%


def test_equipment_contributed_by_a_shareholder_is_not_bought(ask):
    _, text = ask("股东用一台评估价300万的设备作价入股到我们公司，这台设备能一次性税前扣除吗？")
    assert "接受投资取得的设备也不能一次性扣除" in text and "75万" not in text  # not 300 × 25%


def test_cost_items_the_facts_do_not_hold_are_deferred(ask):
    _, text = ask("研发人员的五险一金能不能算进研发费用加计扣除？我们还外聘了几个退休专家，按劳务费发的，这个算不算？研发部门的办公室租金呢？")
    assert "没有规定研发人员奖金、外聘劳务费和房租等费用口径" in text and "12366" in text


def test_the_provinces_own_level_is_not_covered(ask):
    _, text = ask("我们在六安，除了市里的政策，安徽省级层面对技改设备有没有补助？听说省里按设备投资额10%补，是真的吗？", regions_named=["六安市"])
    assert "没有收录安徽省的政策文件" in text and "专项资金列支" not in text  # not 六安's own award rule


def test_high_tech_certification_is_referred_to_the_science_department(ask):
    _, text = ask("我们六安的厂想申请高新技术企业认定，申请条件是啥？研发投入要占收入多少比例？认定下来以后税率是多少？")
    assert "没有规定高新技术企业的认定条件" in text and "科技主管部门" in text and "15%" in text


def test_the_library_procedure_is_referred_to_its_office_not_the_statistics_bureau(ask):
    _, text = ask("六安市级技改项目库的入库流程是怎么样的？是企业自己报还是县区推荐？一般多久审批下来？一年报几次？", regions_named=["六安市"])
    assert "建议咨询市经信局" in text and "市统计局" not in text


def test_where_the_award_money_comes_from(ask):
    _, text = ask("六安的技改奖补钱从哪块资金出？去年的示范项目评审结果找谁？", regions_named=["六安市"])
    assert "发展专项资金列支" in text and "没有规定评审办法" in text


def test_priority_is_not_a_waiver_of_the_checks(ask):
    _, text = ask("是不是小巨人就能直接进千企技改，不用看投资额了？我们这个项目才300万", regions_named=["广西"])
    assert text.startswith("不是。优先支持行业小巨人") and text.count("以及获认定为国家") == 1


def test_the_firms_growth_said_equal_to_the_line_is_the_firms():
    from nlu.question import Vocabulary, analyse
    q = analyse("改造以后我们年产值预计从1个亿涨到1.15亿，刚好涨15%，千企技改那个效益条件算达标了吧？", Vocabulary.load([], {}))
    assert q.facts.get("output_growth_pct") == 15.0 and not q.rule_mentions


def test_a_one_time_deduction_not_chosen_that_year_cannot_be_taken_later(ask):
    _, text = ask("老师好，想问下我司22年买的设备，当时没一次性扣除，今年还能补扣吗")
    assert text.startswith("不能。") and "以后年度不得再改为一次性扣除" in text


def test_a_catalogue_asked_about_is_not_said_to_be_missed(ask):
    _, text = ask("专用设备抵免的目录是哪一年的版本？我们买的光伏逆变器在不在里面")
    assert "不适用" not in text and "没有规定专用设备目录的具体条目" in text and "2017年版" in text


def test_a_share_is_rounded_half_up():
    from policy_kb.wording import share_pct
    assert share_pct(900 / 8000, 0.1) == "11.3%" and share_pct(0.29999, 0.3) == "29.99%"


def test_whether_the_library_is_applied_for_again_after_three_years_is_deferred(ask):
    _, text = ask("六安的技改项目库是三年滚动的，那过了三年是不是要重新申报？", regions_named=["六安市"])
    assert "没有规定项目库三年期满后是否要重新申报" in text and "200万元以上" not in text


def test_the_super_deduction_beside_the_one_time_deduction_of_rd_equipment(ask):
    _, text = ask("加计扣除和一次性扣除能不能同时享受？")
    assert "按税前实际扣除的折旧额计算" in text


def test_project_parts_said_with_verbs_are_summed():
    from nlu.question import Vocabulary, analyse
    q = analyse("我们是霍山的规上企业，今年上了条自动化产线，设备买了380万，厂房改造花了120万，能进市级技改库吗？", Vocabulary.load([], {}))
    assert q.facts.get("fixed_asset_investment_wan") == 500.0  # 380 + 120


def test_a_range_said_in_neighbouring_digits_is_its_lower_end():
    from nlu.normalise import find_amounts, normalise_text
    assert [s.value for s in find_amounts(normalise_text("今年估计能干到七百二三十万"))] == [720.0]
    assert [s.value for s in find_amounts(normalise_text("三百四十五万"))] == [345.0]


def test_outputs_said_in_chinese_numerals_give_the_growth_not_an_investment():
    from nlu.question import Vocabulary, analyse
    q = analyse("南宁的，改造前一年产值八千万，改完预计九千万，这个增长够不够千企技改的要求", Vocabulary.load([], {}))
    assert q.facts.get("output_growth_pct") == 12.5 and "fixed_asset_investment_wan" not in q.facts  # (9000 − 8000) ÷ 8000


def test_a_bare_price_in_hundreds_beside_amounts_in_wan(ask):
    _, text = ask("我们是高新企业，去年研发费一千二百万，另外买了台安全生产专用设备三百五（目录里有的，自己用），这俩一共能少交多少税")
    assert "180 + 35 = 215万元" in text  # 1200 × 100% × 15%; 350 × 10%


def test_a_listed_industrys_share_named_by_its_words_keeps_the_deduction(ask):
    _, text = ask("我们公司主营机械加工，占收入七成，另外三成是对外开的食堂饭店收入，研发费两百万能加计扣除吗？")
    assert "未超过50%" in text and "少缴企业所得税50万元" in text  # 30% ≤ 50%: 200 × 100% × 25%


def test_a_chip_firm_off_the_list_gets_the_general_rate(ask):
    _, text = ask("我们是做集成电路封装测试的，但是没进那个集成电路企业清单。研发费用400万，也能按120%加计吗？税率25%，能省多少")
    assert "列入清单以后才能按120%" in text and "少缴企业所得税100万元" in text  # 400 × 100% × 25%


def test_the_size_standard_is_deferred_to_the_statistics_office(ask):
    _, text = ask("啥叫规上企业啊？是不是年产值过两千万就算？我们一千八百来万，算不算")
    assert "没有规定" in text and "统计部门" in text


def test_an_award_amount_heard_of_is_the_awards_asked(ask):
    _, text = ask("南宁的，我们去年拿了国家级单项冠军，听说进了千企技改自治区直接奖两百万？真的假的", regions_named=["广西"])
    assert "没有规定固定的奖补金额" in text and "200万" not in text


def test_whether_award_money_comes_at_once_is_not_the_one_time_deduction(ask):
    _, text = ask("我们厂在舒城，去年评上了省级绿色工厂，今年又评了市级数字化车间，加起来多少钱？另外钱是一次性发吗",
                  intent="ask_award", honors=["省级绿色工厂", "市级数字化车间"], regions_named=["六安市"])
    assert "20 + 10 = 30万元" in text and "奖补资金是否一次性发放" in text and "单位价值" not in text


def test_a_staff_bonus_in_rd_is_not_an_award(ask):
    _, text = ask("我们的研发费用里有一部分是给员工发的奖金，能算吗")
    assert "没有规定研发人员奖金" in text and "市级技改示范项目" not in text


def test_who_approves_the_programme_names_the_office_that_issues_the_plan(ask):
    _, text = ask("千企技改项目是怎么确定的？谁来批，批完之后谁管项目推进？", regions_named=["广西"])
    assert "自治区工业和信息化厅" in text and "设区市组织推进" in text


def test_a_rule_named_beside_the_firms_own_figures_is_said_and_then_checked(ask):
    result, text = ask("我們是廣西欽州的，項目總投資剛好5000萬，已經備案，今年預計完成600萬。要求是不是完成30%？差好多啊",
                       region="广西壮族自治区", regions_named=["广西"])
    assert "5000万元以上的项目须已完成备案或核准且年度内预期完成投资额的10%以上" in text and result.start_form


def test_a_plant_abroad_is_not_under_the_national_incentives(ask):
    _, text = ask("我们公司准备在越南建厂，越南那边的设备投资能享受国内的专用设备抵免吗")
    assert "越南的投资和设备能否适用，政策摘要没有规定" in text and "同样可以享受" not in text


def test_tax_on_award_money_after_it_arrives_is_not_its_arrival_date(ask):
    _, text = ask("技改奖补的钱到账以后要不要交企业所得税？")
    assert "没有规定奖补收入纳税" in text and "到账时间" not in text and "12366" in text
