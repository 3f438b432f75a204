"""Answer planning on the kinds of question the second development set showed going wrong:
statuses said on their own, circumstances that rule an incentive out, the tax a firm will pay,
award differences, figures on a threshold, deferrals by name. Expected figures are worked by hand
from the seeds and the facts files and written here as literals."""

import pytest

# --- the firm's status and circumstances --------------------------------------------------

def test_a_status_said_alone_is_noted_with_what_it_changes(ask):
    result, text = ask("我们公司去年评上了高新技术企业", intent="ask_payment_status")
    assert result.kind == "answer" and not result.offer_handoff
    assert "已记下：高新技术企业" in text and "15%" in text
    assert "企业所得税法第二十八条" in text  # the law, not the digest's title


def test_a_listed_industry_said_alone_is_warned(ask):
    _, text = ask("我们是做批发的，商贸公司")
    assert "批发和零售业" in text and "不能加计扣除" in text


@pytest.mark.parametrize("text, incentive, wrong", [
    ("我是个体工商户，刚买了台30万的设备，能不能用那个500万以下设备一次性扣除？", "设备一次性扣除", "7.5万"),  # 30 × 25%
    ("我们是合伙企业，买了台200万的检测设备，可以一次性扣除吗", "设备一次性扣除", "50万"),  # 200 × 25%
    ("股东拿一台设备作价300万投资进来，这台设备能一次性扣除吗", "设备一次性扣除", "75万"),  # 300 × 25%
    ("我们用财政拨款买了环保专用设备500万，能按10%抵免所得税吗", "专用设备投资抵免", "可抵免企业所得税50万"),  # 500 × 10%
    ("研发项目的钱是省科技厅拨的专项资金，做了不征税收入处理，这200万研发费能加计扣除吗", "研发费用加计扣除", "50万"),
])
def test_a_circumstance_on_a_points_excludes_bars_the_estimate(ask, text, incentive, wrong):
    _, reply = ask(text)
    assert f"{incentive}：不适用" in reply
    assert wrong not in reply


@pytest.mark.parametrize("text, subject, reason", [
    ("我们是做软件开发服务的高新企业，不是制造业，能享受增值税5%加计抵减吗？", "增值税加计抵减", "制造业一般纳税人高新技术企业"),
    ("我们是制造业一般纳税人，但不是高新，能享受先进制造业5%加计抵减吗", "增值税加计抵减", "制造业一般纳税人高新技术企业"),
    ("我们是制造业企业，纳税信用等级是C级，能申请增量留抵退税吗", "增量留抵退税", "纳税信用A级或B级"),
    ("项目在产业结构调整指导目录里属于允许类，不是鼓励类，进口设备能不能免关税", "进口设备免税", "鼓励类"),
    ("融资租赁租进来的安全生产专用设备，合同到期设备还是租赁公司的，能享受10%抵免吗", "专用设备投资抵免", "所有权转移"),
    ("今年引进了一套成熟工艺直接装上用，加上日常的质量检测，一共花了300万，能算研发费用加计扣除吗", "研发费用加计扣除", "不属于研发活动"),
])
def test_a_stated_status_that_fails_an_incentives_condition_rules_it_out(ask, text, subject, reason):
    """The firm says what it is not (制造业, 高新, 鼓励类, the owner of leased equipment) or what its
    activity is: the incentive is not for it, named as asked (留抵退税 is not 加计抵减), no estimate."""
    _, reply = ask(text)
    assert f"{subject}：不适用" in reply and reason in reply
    assert "75万" not in reply  # 300 × 100% × 25% for the routine work that is not R&D


def test_a_circumstance_the_sources_leave_unsettled_is_not_called_inapplicable(ask):
    _, reply = ask("融资租赁租进来的设备，单价400万，能不能用500万以下一次性扣除？")
    assert "不适用" not in reply and "说法不一" in reply and "12366" in reply
    assert "100万" not in reply  # 400 × 25%


def test_deemed_tax_firms_are_told_who_qualifies(ask):
    _, text = ask("我们公司所得税是核定征收的，能享受研发费用加计扣除吗？")
    assert "不适用" in text and "查账征收" in text


def test_a_listed_industry_below_the_share_can_deduct(ask):
    _, text = ask("我们主要做机械制造，也开了个门市部搞零售，零售收入大概占两成，研发费用加计扣除能享受吗？")
    assert "占20%，未超过50%" in text and "可以享受加计扣除" in text


def test_a_firm_not_on_the_machine_tool_list_gets_the_general_rate(ask):
    result, text = ask("我们是做数控机床的，但还没进工业母机企业名单，研发费用能按120%加计吗？")
    assert "100%加计扣除" in text and "120%" in text and "名单" in text


# --- computing with the firm's figures ------------------------------------------------------

def test_small_profit_tax_is_computed(ask):
    _, text = ask("我们是小微企业，应纳税所得额200万，要交多少企业所得税")
    assert "200 × 5% = 10万元" in text and "50万元" not in text  # 200 × 25%: not the firm's tax
    _, text = ask("我们是小微企业，应纳税所得额200万，比一般企业少交多少企业所得税")
    assert "200 × 5% = 10万元" in text and "200 × 25% = 50万元" in text and "50 − 10 = 40万元" in text


def test_over_the_small_profit_cap_the_standard_rate_applies(ask):
    _, text = ask("小型微利企业，应纳税所得额是350万，员工资产都没超，所得税交多少")
    assert "不属于小型微利企业" in text and "350 × 25% = 87.5万元" in text
    _, text = ask("小微企业，研发费60万，今年应纳税所得额有400万，加计扣除能省多少")
    assert "60万元×企业所得税税率25%=少缴企业所得税15万元" in text and "3万元" not in text  # 60 × 5%


def test_high_tech_rate_against_the_standard_rate(ask):
    _, text = ask("今年刚拿到高新证书，应纳税所得额2000万左右，按高新的税率比原来少交多少？")
    assert "2000 × 15% = 300万元" in text and "2000 × 25% = 500万元" in text and "500 − 300 = 200万元" in text


def test_tax_due_after_the_rd_deduction(ask):
    _, text = ask("高新企业，扣研发加计之前的应纳税所得额1000万，研发费用200万已经在里面按实际发生额扣过了。"
                  "加计扣除以后今年要交多少所得税？")
    assert "1000 − 加计扣除 200 = 800万元" in text and "800 × 15% = 120万元" in text


def test_tax_due_with_a_separate_transfer(ask):
    _, text = ask("高新企业，除技术转让以外的应纳税所得额1000万，另外技术转让所得800万，今年一共要交多少所得税？")
    assert "应纳37.5万元" in text  # (800 − 500) × 12.5%
    assert "150 + 37.5 = 187.5万元" in text  # 1000 × 15% + 37.5


def test_an_aside_does_not_hide_what_the_amount_is(ask):
    _, text = ask("我们高新企业，今年研发费用600万，还买了200万（不含税，专票抵了）的环保专用设备，应纳税额有500来万。"
                  "这两项加起来一共能省多少税？")
    assert "少缴企业所得税90万元" in text and "可抵免企业所得税20万元" in text and "90 + 20 = 110万元" in text
    assert "关于纳税额" not in text  # 应纳税额 is the firm's figure, not a detail asked


def test_investment_named_for_an_equipment_credit_is_the_equipment(ask):
    _, text = ask("买了安全生产专用设备，投资一千二百万（不含税），问题是我们今年应纳税额就70万，这个抵免怎么算？")
    assert "1200万元×抵免比例10%=可抵免企业所得税120万元" in text
    assert "120 − 70 = 50万元" in text  # 70 now, 50 carried forward


def test_a_commission_abroad_is_capped(ask):
    _, text = ask("自己研发投了300万，还委托德国一家公司做了一部分，付了300万，25%税率能省多少税？")
    assert "少缴企业所得税125万元" in text  # 300 + min(300 × 80%, 300 × 2/3) = 500; × 25%
    assert "135万" not in text


def test_interest_subsidy_and_tariff_from_the_users_figures(ask):
    _, loan = ask("我们申请了一笔设备更新贷款2000万，听说有财政贴息，一年能贴多少？能贴几年？")
    assert "2000 × 1.5% = 30万元/年" in loan and "30 × 2 = 60万元" in loan
    _, tariff = ask("从德国进口一台设备，完税价格1000万，关税税率5%，项目是鼓励类的，关税能省多少？进口环节增值税也一起免吗？")
    assert "1000 × 5% = 50万元" in tariff and "照常征收" in tariff
    assert "企业所得税税率5%" not in tariff  # the tariff rate is not the income-tax rate


def test_a_stated_tax_rate_is_not_a_rate_question(ask):
    _, text = ask("25年5月新买了一台450万的加工中心，当月就投入使用了。要是选一次性税前扣除，当年能少交多少税？税率25%")
    assert "450万元" in text and "112.5万元" in text  # 450 × 25%, deferred
    assert "没有规定具体比例" not in text


# --- regional programmes ---------------------------------------------------------------------

def test_a_figure_on_the_line_counts(ask):
    result, _ = ask("六安金安区的规上企业，固定资产投资正好200万，进市级技改项目库算不算？")
    assert result.start_form  # the check settles it; its wording is tested in tests/policy_kb/test_wording*


def test_award_difference_and_one_title_at_two_levels(ask):
    _, diff = ask("同样是省级，六安的智能工厂和数字化车间奖励差多少？", honors=["省级智能工厂", "省级数字化车间"])
    assert "50 − 20 = 30万元" in diff and "合计" not in diff
    _, levels = ask("省级工业设计中心在六安奖励多少钱？市级的呢？", honors=["省级工业设计中心", "市级工业设计中心"])
    assert "20万元" in levels and "10万元" in levels and "合计" not in levels


def test_several_workshops_are_each_awarded(ask):
    _, text = ask("我们集团在六安有三个车间今年都被认定为市级数字化车间，一共多少", honors=["市级数字化车间"])
    assert "10 × 3 = 30万元" in text


def test_what_entry_brings(ask):
    _, text = ask("六安技改项目库入库后有什么好处")
    assert "享受技改财政奖补的前提" in text and "市产投公司" in text


def test_a_firm_elsewhere_naming_a_programme_is_not_covered(ask):
    result, text = ask("东莞的企业，想问千企技改的申报条件，我们投资800万", regions_named=["广西壮族自治区"])
    assert result.kind == "deferral" and "没有收录东莞" in text
    assert "500万" not in text and not result.start_form


def test_the_definition_of_technical_renovation(ask):
    _, text = ask("啥叫技术改造？我们就是换了几台新设备，在六安算不算技改？")
    assert "新技术、新工艺、新设备、新材料" in text and "序言" in text


def test_the_defined_term_leads(ask):
    _, text = ask("专用设备税额抵免里说的“专用设备”具体指啥？我们买的普通数控机床算吗")
    assert text.startswith("专用设备指列入") and "目录" in text


# --- honest deferral ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, named", [
    ("技术转让合同要交印花税吗？税率多少", "印花税"),
    ("研发人员的股权激励费用，能不能算进研发费用加计扣除？", "股权激励费用"),
])
def test_what_the_sources_never_mention_is_deferred_by_name(ask, text, named):
    result, reply = ask(text)
    assert f"没有规定{named}" in reply and "12366" in reply and result.offer_handoff


def test_an_unconfirmed_point_names_who_can_confirm(ask):
    _, text = ask("同一台节能专用设备，既选了一次性税前扣除，还能再享受10%投资额抵免吗？两个能叠加不")
    assert "没有载明" in text and "12366" in text


def test_which_tax_incentives_lists_them_and_asks_for_figures(ask):
    _, text = ask("我想问下我们企业能享受哪些税收优惠")
    assert "研发费用加计扣除" in text and "设备一次性扣除" in text and "设备更新贷款贴息" in text
    assert "没有规定" not in text


# --- the R&D base, depreciation, VAT ----------------------------------------------------------

def test_the_rd_base_less_fiscal_funds_and_trial_products(ask):
    _, fiscal = ask("研发500万，其中300万是财政拨的专项资金（作为不征税收入了），能享受多少")
    assert "500 − 300 = 200万元" in fiscal and "少缴企业所得税50万元" in fiscal  # 200 × 25%
    _, trial = ask("今年研发费用500万，研发过程中的中间试制品卖了80万，一般企业，能省多少税？")
    assert "500 − 80 = 420万元" in trial and "少缴企业所得税105万元" in trial  # 420 × 25%


def test_other_costs_are_capped(ask):
    _, text = ask("我们研发费用里人员工资、直接投入、折旧这些加起来900万，其他相关费用150万，一般企业，能省多少？")
    assert "900 × 10% ÷ (1 − 10%) = 100万元" in text and "900 + 100 = 1000万元" in text
    assert "少缴企业所得税250万元" in text  # 1000 × 25%


def test_accelerated_depreciation_by_the_method_asked(ask):
    _, ddb = ask("制造业企业，买了台2000万的机器，法定折旧10年，用双倍余额递减法的话头两年税前各能折旧多少")
    assert "2000 × 2 ÷ 10 = 400万元" in ddb and "(2000 − 400) × 2 ÷ 10 = 320万元" in ddb
    _, short = ask("制造业，一台900万的设备，本来按10年直线折旧，缩短到最短年限后每年税前折旧多少？25%税率一年递延多少税")
    assert "10 × 60% = 6年" in short and "900 ÷ 6 = 150万元" in short and "递延约15万元" in short  # (150 − 90) × 25%


def test_vat_credit_against_the_vat_payable(ask):
    _, text = ask("我们是做汽车零部件的高新企业，已经进了省里先进制造业企业名单。这个月可抵扣进项税额200万，"
                  "加计抵减前应纳增值税50万，加计抵减后要交多少")
    assert "200万元×5%=加计抵减10万元" in text and "50 − 10 = 40万元" in text


def test_invoice_vat_is_netted_out_only_from_a_gross_amount(ask):
    _, gross = ask("买了台环保目录里的污水处理设备，专票价税合计339万，其中税额39万已经抵扣了进项，投资额抵免能抵多少")
    assert "339 − 39 = 300万元" in gross and "可抵免企业所得税30万元" in gross
    _, net = ask("节能设备发票不含税300万，税额39万，专票可以抵扣，抵免基数按339还是300？")
    assert "可抵免企业所得税30万元" in net and "261" not in net


# --- definitions, statuses, interactions ----------------------------------------------------

def test_a_term_used_but_not_defined_is_deferred(ask):
    result, text = ask("规上企业的标准是啥？年营收多少算规上")
    assert "没有规定" in text and result.offer_handoff


def test_the_longest_head_of_the_term_is_looked_up(ask):
    _, text = ask("零土地技改是什么意思")
    assert "“零土地”技术改造项目审批制度改革" in text


def test_a_status_with_a_question_is_not_just_noted(ask):
    _, text = ask("小微企业的从业人数和资产总额，是看年底那个数吗？还是怎么取")
    assert "按季度平均值" in text and "已记下" not in text


def test_high_tech_and_small_profit_together(ask):
    _, text = ask("我们是高新技术企业，利润一年也就一百来万，能不能同时按高新15%又享受小微企业那个5%？")
    assert "能否叠加" in text and "12366" in text


def test_a_firm_elsewhere_comparing_with_a_covered_region_is_not_covered(ask):
    result, text = ask("我们是安徽芜湖的企业，评上了市级智能工厂，芜湖奖多少钱？是不是跟六安一样", honors=["市级智能工厂"])
    assert "没有收录芜湖" in text and "20万" not in text


def test_a_detail_a_point_names_is_answered_beside_the_estimate(ask):
    _, text = ask("我们公司去年亏了两百万，今年研发投了500万，加计扣除还有用吗？")
    assert "少缴企业所得税125万元" in text and "结转以后年度弥补" in text and "没有规定亏损" not in text


def test_an_industry_asked_about_is_not_the_firms(ask):
    _, text = ask("我们是做食品的，属于批发零售吗？研发费用能不能加计")
    assert "不能加计扣除。批发和零售业" not in text and "负面清单行业除外" in text


def test_a_late_claim(ask):
    _, text = ask("研发费用加计扣除，去年忘了报，今年还能补吗")
    assert "3年内追溯补享" in text


def test_a_city_level_title_is_not_a_stock_listing(ask):
    _, text = ask("六安的，要是评上市级数字化车间能奖多少？", honors=["市级数字化车间"])
    assert "市级数字化车间：10万元" in text and "贷款贴息" not in text and "上市" not in text.replace("市级", "")


def test_a_digital_retrofit_is_credited_up_to_half_the_basis(ask):
    _, text = ask("2025年我们花了200万给一台节能节水专用设备做数字化智能化改造，改完还符合目录。"
                  "这台设备原来的计税基础是300万，改造费能抵免多少税")
    assert "300 × 50% = 150万元" in text and "150 × 10% = 可抵免企业所得税15万元" in text
    assert "官方原文" in text and "首年少缴" not in text  # the 300 is the basis, not a purchase


def test_a_priority_asked_gets_the_priority_not_the_form(ask):
    result, text = ask("千企技改对今年就能投产的项目有没有倾斜？我们的线12月就能转起来")
    assert not result.start_form and "优先支持本年度内投产" in text


def test_a_direction_with_a_threshold_asked_gets_the_librarys_threshold(ask):
    _, text = ask("ERP、MES这些系统在六安算信息化改造吗？有投资门槛没")
    assert "信息化、创新化改造项目不限定投资额" in text


def test_an_unreadable_amount_gets_a_clear_request_not_an_estimate(ask):
    result, text = ask("研发费用-500万能加计多少")
    assert "不能是负数" in text and "125" not in text and not result.start_form


# --- when an incentive runs --------------------------------------------------------------------

def test_the_expired_2022_rule_is_named_when_the_firm_heard_of_it(ask):
    _, text = ask("听说中小企业买500万以上的设备可以100%一次性扣除，我们2025年买了台800万的设备，能用这个政策吗？")
    assert "只适用于2022年购置的设备，已经到期" in text
    assert "不能一次性扣除" in text and "200万" not in text  # 800 × 25%, the expired rule's estimate


def test_a_year_after_the_rules_end_is_deferred(ask):
    result, text = ask("要是2028年才买设备，还能按500万以下一次性扣除吗？")
    assert "执行至2027年12月31日" in text and "2028年的情况政策摘要没有规定" in text and "12366" in text
    assert result.offer_handoff


def test_a_year_within_the_rule_gets_no_deferral(ask):
    _, text = ask("2026年买的设备300万能一次性扣除吗")
    assert "政策摘要没有规定" not in text and "75万" in text  # 300 × 25%


def test_the_share_asked_of_a_total_is_computed_before_this_years_figure_is_known():
    from policy_kb.rules_schema import Ratio
    from policy_kb.wording import describe
    cond = Ratio(ratio=["investment_this_year_wan", "fixed_asset_investment_wan"], op=">=", value=0.3)
    assert "3000×30%=900万元" in describe(cond, {"fixed_asset_investment_wan": 3000})


def test_amortisation_of_intangibles_is_a_cost_item_not_rd_forming_intangibles(ask):
    _, text = ask("研发费用里人员人工、直接投入、折旧、无形资产摊销、新产品设计这五项加起来900万，其他相关费用150万，25%税率，加计扣除能省多少？")
    assert "900 × 10% ÷ (1 − 10%) = 100万元" in text and "少缴企业所得税250万元" in text  # (900 + 100) × 25%
    assert "200%" not in text and "225万" not in text


def test_commissioned_rd_said_inside_the_total_is_not_added_to_it(ask):
    _, text = ask("研发费用300万，这300万里有100万是委托省内一所大学做的，能省多少")
    assert "300 − 100 = 200万元" in text and "少缴企业所得税70万元" in text  # (200 + 100 × 80%) × 25%
    assert "95万" not in text


def test_a_building_is_not_equipment(ask):
    _, text = ask("我们是制造业企业，新盖了个厂房花了450万，没超过500万，能不能一次性扣出？")
    assert "设备一次性扣除：不适用" in text and "房屋、建筑物" in text
    assert "112.5万" not in text and "出让金" not in text  # 450 × 25%; the land rule was not asked


def test_a_year_before_the_rules_window_gets_the_window_before(ask):
    _, text = ask("那个一次性扣除政策不是说2024到2027年买的才行嘛，我们2023年买的设备当年算不算？")
    assert "延长至2023年12月31日" in text and "2021年第6号" in text


def test_added_floor_area_against_the_cap(ask):
    _, text = ask("我们在南宁有块工业用地，原来厂房总建筑面积1万平米，想加盖1800平米做研发展示和售后服务用房，能不能不交出让金？")
    assert "1800 ÷ 1万 = 18%，超过15%" in text and "1万 × 15% = 1500平方米" in text
    assert "加计扣除" not in text  # 研发展示用房 is a building, not R&D


def test_the_tariff_rate_given_is_used_not_deferred(ask):
    _, text = ask("鼓励类项目进口设备，完税价格2000万，关税税率按5%算，能免多少关税？进口增值税也免吗")
    assert "2000 × 5% = 100万元" in text and "没有规定关税税率" not in text


def test_the_invoice_vat_named_as_such_is_netted_and_freight_is_left_out(ask):
    _, text = ask("环保专用设备发票价税合计226万，其中增值税26万已抵扣，另外付了运费安装费10万，投资抵免能抵多少？")
    assert "226 − 26 = 200万元" in text and "可抵免企业所得税20万元" in text and "22.6万" not in text
    assert "不含运输、安装和调试费用" in text


# --- places and levels the sources do not cover ------------------------------------------------

@pytest.mark.parametrize("text, place, wrong", [
    ("淮南的企业，技改项目300万，能进六安那种市级技改项目库吗？淮南有类似政策吗", "淮南", "200万"),
    ("我们在河南信阳，挨着六安，能不能享受六安的技改奖补？", "信阳", "50万"),
    ("我们是六安的企业，安徽省层面对技改设备投资有没有补助？按什么比例补", "安徽省", "20万"),
    ("我们评上了国家级智能制造示范工厂，国家工信部给多少奖励？", "国家工信部", "50万"),
])
def test_a_firm_or_a_question_elsewhere_is_not_given_a_covered_regions_figures(ask, text, place, wrong):
    result, reply = ask(text)
    assert f"没有收录{place}的政策文件" in reply and wrong not in reply


def test_a_firm_in_a_covered_region_that_was_elsewhere_gets_its_check(ask):
    result, _ = ask("我们是六安的企业，以前在合肥，现在投了300万搞技改能入库吗")
    assert result.start_form


def test_a_title_at_a_level_the_schedule_lacks_is_deferred(ask):
    _, text = ask("六安的企业，去年评上了国家级智能制造示范工厂，市里奖多少？", region="六安市")
    assert "没有规定国家级称号的奖励" in text and "省级智能工厂50万元" in text


@pytest.mark.parametrize("text, term", [
    ("广西文件里说的“高成长性企业”是什么标准？", "高成长性企业"),
    ("什么样的企业算“行业小巨人”？", "行业小巨人"),
    ("六安的智能工厂、数字化车间要达到什么标准才能认定？", "智能工厂"),
])
def test_a_standard_the_sources_never_set_is_deferred_with_where_they_use_it(ask, text, term):
    result, reply = ask(text)
    assert f"没有规定“{term}”的具体标准、界定或办法" in reply and "文件里提到它的地方是" in reply
    assert result.offer_handoff


def test_a_defined_term_is_still_answered(ask):
    _, text = ask("专用设备是什么标准")
    assert "没有规定" not in text and "专用设备企业所得税优惠目录" in text


@pytest.mark.parametrize("text, missing", [
    ("千企技改项目每个设区市每年有多少名额？", "没有规定名额或数量"),
    ("广西的容缺受理，缺的材料要在多少天内补齐？", "没有规定具体的天数"),
    ("申报千企技改除了优先支持，有没有额外的资金倾斜？具体多少", "没有规定具体金额"),
    ("六安市产投公司投资失败容忍率再放宽5个百分点，那现在的基础容忍率是多少？", "没有规定现有的投资失败容忍率"),
])
def test_a_number_the_rule_does_not_give_is_deferred_beside_the_rule(ask, text, missing):
    result, reply = ask(text)
    assert missing in reply and result.offer_handoff


@pytest.mark.parametrize("text, wanted", [
    ("专用设备投资抵免是不是只能年度汇算的时候抵？季度预缴能不能用？报表填哪张", "可在预缴时享受"),  # 能不能用 is no exclusion
    ("免关税进口的设备，海关要监管多久？监管期内能不能随便卖", "监管3年"),
    ("六安那个市级技改项目库是管几年的？进去了就一直在里面吗", "三年滚动"),
    ("自己造的设备算不算“购进”？买二手设备呢", "自行建造"),
    ("先进制造业企业增值税加计抵减5%，企业要走什么流程？是直接申报就行还是要先进名单", "名单"),
    ("技术转让所得想享受减免企业所得税，要办什么手续？要不要去税务局备案", "留存备查"),
    ("我们要把一项专利技术转让给越南的公司，这种跨境的技术转让合同找谁登记？", "商务部门"),
])
def test_the_point_that_answers_the_practical_question_is_given(ask, text, wanted):
    _, reply = ask(text)
    assert wanted in reply


def test_amounts_of_the_same_kind_listed_are_added_up(ask):
    _, text = ask("今年签了两个技术转让合同，所得分别是300万和400万，是不是每个都在500万以内所以都免税？")
    assert "300 + 400 = 700万元" in text and "200×12.5%=应纳25万元" in text  # (700 − 500) × 25% × 50%
    _, text = ask("我们两个研发项目：A花了300万成功了，B花了200万失败了；A项目的中间试制品卖了50万。25%能省多少？")
    assert "500 − 50 = 450万元" in text and "少缴企业所得税112.5万元" in text  # 450 × 25%


def test_a_part_named_inside_a_total_is_not_added(ask):
    _, text = ask("研发费用一共500万，其中300万是人员人工，能省多少")
    assert "少缴企业所得税125万元" in text and "800" not in text  # 500 × 25%


def test_machinerys_statutory_life_is_used_when_none_is_given(ask):
    _, text = ask("一千万的机器设备，制造业，想按缩短折旧年限加速折旧，最短能按几年？每年能提多少折旧")
    assert "10 × 60% = 6年" in text and "1000 ÷ 6 = 166.67万元" in text


@pytest.mark.parametrize("text, line", [
    ("设备2025年12月买的，12月就投入使用了，500万以下一次性扣除是在哪一年扣", "计入2026年度（即次年"),
    ("设备2025年11月投入使用，一次性扣除是哪一年扣", "计入2025年度（即投入使用的当年度"),
])
def test_the_deduction_year_is_the_year_of_the_month_after_use(ask, text, line):
    result, reply = ask(text)
    assert line in reply and "受理窗口" not in reply  # 在哪一年 is no where-question


def test_the_tax_due_on_a_transfer_without_the_full_rate_figure_unless_savings_are_asked(ask):
    _, text = ask("技术转让所得刚好500万，要不要交企业所得税？")
    assert "应纳税额=0万元" in text and "125万" not in text  # 500 × 25%: a tax nobody pays
    _, text = ask("普通企业技术转让所得600万，能省多少税")
    assert "少缴137.5万元" in text  # 600 × 25% − 100 × 12.5%


def test_the_whole_amortisation_of_an_intangible_is_shown(ask):
    _, text = ask("研发形成了一项无形资产，成本400万，普通企业。按加计的规定总共能摊销多少？")
    assert "400 × 200% = 800万元" in text and "多摊销400万元" in text


def test_a_compound_practical_question_gets_a_point_for_each_part(ask):
    _, text = ask("进口设备免税要什么条件？需要办什么手续")
    assert "鼓励类" in text and "确认书" in text


def test_money_asked_of_a_programme_is_answered_not_checked(ask):
    result, text = ask("广西节能技改项目入选千企技改后，按节能量每吨标煤补多少钱？")
    assert not result.start_form and "没有规定固定的奖补金额" in text


def test_titles_counted_are_each_awarded(ask):
    _, text = ask("帮我算下六安的奖补：市级技改示范项目1个，新认定省级智能工厂1个，市级数字化车间2个，省级企业技术中心1个。一共多少？",
                  region="六安市", honors=["市级技改示范项目", "省级智能工厂", "市级数字化车间", "省级企业技术中心"])
    assert "10 × 2 = 20万元" in text and "50 + 50 + 20 + 20 = 140万元" in text


def test_small_profit_figures_alone_get_the_check(ask):
    _, text = ask("我们应纳税所得额280万，员工50人，资产总额3000万")
    assert "✓ 从业人数50人" in text and "280 × 5% = 14万元" in text


def test_equipment_outside_the_catalogues_gets_no_credit(ask):
    _, text = ask("我们今年买了台普通数控加工中心450万，不在环保节能安全那几个目录里。能享受10%投资额抵免吗？一次性扣除呢？")
    assert "专用设备投资抵免：不适用" in text and "可抵免企业所得税45万元" not in text  # 450 × 10%
    assert "共450万元，可一次性在税前扣除" in text


def test_rd_cost_items_listed_add_up_to_the_rd_expense(ask):
    _, text = ask("去年研发费用明细：研发人员工资300万，材料200万，仪器折旧100万，另外委托省内一家研究院150万（合同登记了）。"
                  "我们不是高新，25%税率，加计扣除基数和少交的税各多少？")
    assert "300 + 200 + 100 = 600万元" in text and "费用化研发支出720万元" in text and "少缴企业所得税180万元" in text
    assert "一次性" not in text  # 仪器折旧 is an R&D cost item, not a purchase


def test_a_typed_homophone_is_read_as_meant(ask):
    _, text = ask("研发费用加计扣除要不要先去税务局被案啊？还是申报的时候直接填就行")
    assert "事先不需要备案" in text and "留存备查" in text


@pytest.mark.parametrize("text", [
    "我们是深圳一家公司在南宁开的分公司，没有独立法人资格，就在南宁厂区搞技改，投资一千二百万，能不能入选千企技改？",
    "我们是合肥总公司在六安经开区设的分公司，不是法人，但统计上按规上报的。能进六安市级技改项目库吗？",
])
def test_a_branch_in_a_covered_region_is_answered_there(ask, text):
    _, reply = ask(text)
    assert "没有收录" not in reply


def test_a_firm_placed_elsewhere_first_is_elsewhere(ask):
    _, reply = ask("合肥的厂能不能进六安的三年滚动技改项目库？我们跟六安的企业有合作")
    assert "没有收录合肥的政策文件" in reply and "200万" not in reply


def test_a_fixed_asset_investment_is_not_the_finance_measure(ask):
    _, reply = ask("咱们是广西梧州的规上企业，技改项目固定资产投资3000万，核准手续已经办完")
    assert "金融机构" not in reply


def test_a_term_only_the_documents_words_hold_is_quoted_from_them(ask):
    _, text = ask("绿色制造体系里的“四位一体”创建是哪四个东西？")
    assert "没有规定“四位一体”的具体" in text and "绿色产品、绿色工厂、绿色园区、绿色供应链“四位一体”" in text


def test_a_quoted_term_a_point_merely_lists_is_not_taken_as_defined(ask):
    result, text = ask("老板让我查一下“一室一中心”是指什么室什么中心，我们想去创建一个")
    assert "没有规定“一室一中心”的具体标准、界定或办法" in text and result.offer_handoff


def test_a_threshold_called_too_hard_is_the_rule_not_the_firms_growth(ask):
    result, text = ask("我们是做制糖的，行业本身增长慢，改造后产值涨15%太难了，听说可以按行业调整，那制糖能降到多少")
    assert not result.start_form and "具体行业的增长率要求" in text and "没有规定" in text and "15%" in text


def test_comparing_the_two_regions_gives_both_programmes_conditions(ask):
    _, text = ask("六安的企业，想对比一下六安和广西的技改政策有什么不同")
    assert "【广西“千企技改”工程项目】的条件" in text and "【六安市级技改项目库】的条件" in text
    assert "没有规定这个问题" not in text


@pytest.mark.parametrize("text, term", [
    ("高成长性企业是怎么定义的？营收每年涨多少才算（广西千企技改优先支持那个）", "高成长性企业"),
    ("广西节能技改项目要求竣工后“产生较大效益”，要节能多少才算较大？有量化标准吗", "产生较大效益"),
    ("六安文件说每年培育一批安徽工业精品，工业精品是啥标准？", "工业精品"),
])
def test_a_standard_asked_in_other_words_is_deferred_too(ask, text, term):
    _, reply = ask(text)
    assert f"没有规定“{term}”的具体" in reply


def test_a_direction_asked_what_it_is_gets_its_description_not_the_librarys_threshold(ask):
    _, text = ask("高端化改造是个啥概念？是不是只有大企业才能搞，六安文件里咋说的")
    assert "强链补链" in text and "200万元以上" not in text


def test_a_detail_of_a_rule_is_not_the_start_of_a_project_check(ask):
    result, text = ask("我们是制糖企业，文件说产值增长率可以按行业调整，那制糖行业调成多少？", intent="inform")
    assert not result.start_form and "具体行业的增长率要求" in text and "15%" in text


def test_a_vat_credit_the_firm_cannot_have_gets_no_estimate(ask):
    _, text = ask("我们是制造业一般纳税人，不是高新，每月进项税两百万左右，5%加计抵减能享受吗")
    assert "增值税加计抵减：不适用" in text and "10万" not in text  # 200 × 5%


@pytest.mark.parametrize("text, missing", [
    ("我们新上了一套脱硫塔，在不在那个环保专用设备目录里？", "没有规定专用设备目录的具体条目"),
    ("研发加计扣除要填的A107012表在电子税务局哪里找？具体怎么填", "没有规定具体的办理入口"),
    ("六安说探索“拿地即开工”“先建后验”，这俩具体咋操作？我们能用吗", "没有规定“拿地即开工”的具体标准、界定或办法"),
    ("单项冠军企业要市场占有率排第几才算？文件里有没有说", "没有规定“单项冠军”的具体"),
])
def test_details_the_sources_leave_open_are_deferred_by_name(ask, text, missing):
    _, reply = ask(text)
    assert missing in reply


def test_a_regions_programme_forms_are_not_the_tax_returns(ask):
    _, text = ask("六安技改项目入库的申报表在哪下载啊？有没有网址发我一个")
    assert "国家税收优惠政策摘要" not in text and "六安" in text


def test_the_cap_on_other_costs_from_the_other_five_items(ask):
    _, text = ask("研发费用的其他五项加起来正好900万，那其他相关费用最多能算多少")
    assert "900 × 10% ÷ (1 − 10%) = 100万元" in text


def test_the_refundable_increment_by_the_formula(ask):
    _, text = ask("增量留抵退税是怎么算的？比如我们增量留抵税额100万，进项构成比例90%，能退多少")
    assert "100 × 90% = 90万元" in text and "进项构成比例" in text


def test_both_regions_meaning_of_technical_renovation_without_the_programmes_rules(ask):
    _, text = ask("廣西千企技改裡面說的技術改造，是指採用哪些「新」的東西？我記得六安那邊是四個新")
    assert "新产品、新模式" in text and "独立法人" not in text


def test_shares_only_one_regions_rule_holds_place_the_question_there(ask):
    result, _ = ask("我们项目总投资4999万，差一万到5000，是按10%还是30%算？今年要完成多少？")
    assert result.region == "广西壮族自治区" and result.start_form


def test_a_title_renewed_on_review_is_deferred(ask):
    _, text = ask("我们2021年就是省级智能工厂了，今年复核通过，六安还能再奖50万吗？", region="六安市", honors=["省级智能工厂"])
    assert "没有规定称号复核或重新认定后能否再奖" in text and "新认定" in text


def test_equipment_bought_with_fiscal_funds_is_no_payment_question_and_gets_no_credit(ask):
    result, text = ask("我们用政府拨下来的财政专项资金买了一台300万的环保专用设备，全是财政拨款的钱，这台能拿10%税额低免吗")
    assert "专用设备投资抵免：不适用" in text and "可抵免企业所得税30万元" not in text  # 300 × 10%
    assert "奖补" not in text  # the money's source, not a programme's award


def test_what_comes_after_entry_is_answered_beside_the_check(ask):
    result, text = ask("六安规上企业，信息化改造投资260万，已经备案。条件都够了吧？入库之后我们还有什么义务？")
    assert result.start_form and "按月报送投资统计数据" in text


def test_what_an_advanced_manufacturer_is_for_the_vat_credit(ask):
    _, text = ask("增值税加计抵减里的“先进制造业企业”是怎么界定的？")
    assert "制造业一般纳税人中的高新技术企业" in text and "没有规定" not in text


def test_awards_wait_for_entry_into_the_library(ask):
    _, text = ask("六安这边技改奖补，是不是先申请奖补再入库？我们项目还没入库能不能先申请钱")
    assert "享受技改财政奖补的前提" in text


@pytest.mark.parametrize("text", [
    "我们是规上企业，今年上了条数控生产线总共花了四百二十万，在县发改委备过案了。一是能不能进六安市级技改库；"
    "二是这条线能不能一次性税前扣除；三是入库以后要按什么频率报统计数据？",
    "广西钦州的，规上，准备搞个节能改造项目，投资一千八百万，已经备案，年内能投产。能报千企技改吗？要是入选了，市里一般给多少配套资金？",
])
def test_a_check_asked_beside_other_parts_is_still_checked(ask, text):
    result, _ = ask(text)
    assert result.start_form


# --- seventh session: transfers barred, records beside figures, invoices, output growth -------------

def test_a_licence_under_five_years_gets_no_exemption_and_the_tax_at_the_full_rate(ask):
    _, text = ask("我们把一项专利许可给别人用，非独占许可，许可期3年，许可费所得200万，能免税吗")
    assert "技术转让所得减免：不能享受" in text and "200 × 25% = 应纳企业所得税50万元" in text
    assert "免征" not in text.split("依据")[0].split("。")[0]


def test_what_to_keep_asked_beside_figures_gets_that_point(ask):
    _, text = ask("找了个高校老师个人帮我们做研发，付了20万，要拿什么凭证才能加计扣除")
    assert "20万元×80%=16万元" in text and "个人出具的发票" in text  # commissioned: 80% counts
    _, kept = ask("400万的设备选了一次性税前扣除，要留存哪些东西？")
    assert "记账凭证" in kept and "台账" in kept


def test_a_foreign_commission_without_the_domestic_base_is_not_capped_at_zero(ask):
    _, text = ask("委托境外机构做的研发300万，能加计扣除多少")
    assert "300万元×80%=240万元" in text and "三分之二" in text and "境内研发费用0万元" not in text


def test_an_invoice_total_with_its_vat_rate_or_input_vat_is_netted(ask):
    _, rate = ask("买了节能节水目录里的设备，价税合计339万，专票进项已经抵扣了，税率13%，抵免多少")
    assert "339 ÷ (1 + 13%) = 300万元" in rate and "可抵免企业所得税30万元" in rate
    assert "33.9万" not in rate and "企业所得税税率13%" not in rate
    _, vat = ask("买了台环保设备，价税合计113万（专票，进项13万能抵），运输安装又花了5万，能抵多少")
    assert "113 − 13 = 100万元" in vat and "可抵免企业所得税10万元" in vat and "100 + 5 = 105万元" in vat


def test_a_tariff_and_another_incentive_are_each_computed(ask):
    _, text = ask("鼓励类项目进口设备，完税价格600万，关税税率5%；另外今年研发300万，税率25%。进口那块能免多少，研发能省多少")
    assert "600 × 5% = 30万元" in text and "少缴企业所得税75万元" in text  # 300 × 25%


def test_double_declining_against_straight_line(ask):
    _, text = ask("1000万的设备用双倍余额递减法，头一年折旧多少、比直线法多递延多少税？税率25%，设备年限10年")
    assert "1000 × 2 ÷ 10 = 200万元" in text and "200 − 100 = 100万元 × 25% = 递延约25万元" in text


def test_an_over_cap_unit_asking_for_an_earlier_deduction_gets_the_methods(ask):
    _, text = ask("这台600万的设备，我们是制造业，有没有别的办法早点扣")
    assert "双倍余额递减法" in text and "年数总和法" in text and "估算" not in text


def test_high_tech_asking_for_the_small_profit_rate_gets_the_unsettled_point_and_no_sum(ask):
    _, text = ask("我们是高新技术企业，今年应纳税所得额大概200万，能不能同时按小型微利企业的5%来算？")
    assert "没有核实" in text and "12366" in text and "10万" not in text


def test_a_head_count_cap_is_not_the_firms_staff(vocab_question):
    q = vocab_question("小微企业要求从业人数不超过300人，我们有几十个劳务派遣的，这些人算不算进去？")
    assert "staff_count" not in q.facts


def test_an_open_ended_award_gets_no_amount(ask):
    _, text = ask("六安，高端化强链项目，一事一议一般能给多少钱？有没有个比例")
    assert "没有规定具体金额或比例" in text and "经信" in text and "50万" not in text


def test_a_measures_own_answer_for_where_and_who(ask):
    _, stats = ask("入库项目的投资数据报给谁？")
    assert "统计部门" in stats and "申报时间" not in stats
    _, lead = ask("千企技改实施中碰到大问题，比如跨部门协调不下来，最终哪个机构统筹？")
    assert "制造强区建设领导小组办公室" in lead


def test_the_entrys_procedure_and_the_duties_after_it_both_answer(ask):
    _, text = ask("六安的项目想进市级技改项目库，手续上要办什么？进库以后还要报什么数据？")
    assert "备案（核准）" in text and "按月报送" in text


def test_output_before_and_after_give_the_growth_with_its_sum(vocab_question):
    q = vocab_question("广西规上企业，技改投资1500万，改造前年产值1.2亿，改造后大概1.35亿")
    assert q.facts["output_growth_pct"] == 12.5 and q.facts["fixed_asset_investment_wan"] == 1500.0
    assert q.derived == ["产值预期增长 = (1.35亿 − 1.2亿) ÷ 1.2亿 = 12.5%。"]


def test_manufacturing_said_alone_is_noted(ask):
    result, text = ask("我们是制造业企业")
    assert result.kind == "answer" and "已记下：制造业企业" in text


def test_small_profit_is_checked_on_the_income_after_the_rd_deduction(ask):
    _, text = ask("我们应纳税所得额350万（还没扣研发加计），员工150人，资产4000万。研发费用80万费用化，加计以后能不能变成小型微利？"
                  "要交多少税，比不加计少交多少")
    assert "350 − 80 = 270万元" in text and "270 × 5% = 13.5万元" in text
    assert "350 × 25% = 87.5万元" in text and "87.5 − 13.5 = 74万元" in text


def test_several_units_deducted_at_once_show_each_units_figure(ask):
    _, text = ask("2025年买了两台设备：一台普通生产设备480万，另一台节能节水专用设备200万（不含税）。税率25%，第一年各能少交多少税")
    assert "480 × 25% = 120万元" in text and "200 × 25% = 50万元" in text


def test_a_retrofit_credit_counts_in_the_total(ask):
    _, text = ask("我们有台安全生产专用设备原计税基础600万，2025年做了数字化智能化改造花了400万，改完仍符合目录；另外当年研发费用200万。"
                  "税率25%，一共能少交多少？")
    assert "300 × 10% = 可抵免企业所得税30万元" in text and "30 + 50 = 80万元" in text


def test_amounts_are_bound_by_their_words(vocab_question):
    assert vocab_question("今年技术转让所得700万，研发费用400万（费用化），这两块优惠一共省多少税").facts["rd_expense_wan"] == 400.0
    both = vocab_question("今年研发费用800万直接费用化了，另外有200万研发支出形成了一项专利（无形资产），从今年起按10年摊销").facts
    assert both["rd_expense_wan"] == 800.0 and both["rd_intangible_wan"] == 200.0
    assert vocab_question("研发支出700万，其中200万是用政府科技专项拨款花的").facts["rd_fiscal_wan"] == 200.0
    assert "tech_transfer_income_wan" not in vocab_question("卖专利收了1000万，技术转让那个500万免税是怎么算的").facts
    assert vocab_question("今年能完成八成投资，不过要明年三月才投产").facts["this_year_share_pct"] == 80.0
    assert vocab_question("今年能完成八成投资，不过要明年三月才投产").flags == {"completes_this_year": False}


def test_a_transfer_to_a_wholly_owned_party_without_figures_is_barred(ask):
    _, text = ask("我们是全资子公司，把一项专利转让给100%控股的母公司，这个技术转让所得能享受500万免税吗")
    assert "技术转让所得减免：不能享受" in text and "分公司" not in text


@pytest.mark.parametrize("text, detail", [
    ("假如拿了六安的技改奖补，过两年公司整体搬去合肥，这钱要不要退回去？", "企业搬迁"),
    ("公司今年被一家集团吸收合并了，原来在六安市级技改项目库里的项目还算数吗？", "企业合并或重组"),
    ("我们广西的项目固投1200万，年底能进入试生产，但正式投产估计要到明年，试生产算不算年度内竣工投产？", "试生产是否算投产"),
    ("技术转让合同去科技部门认定登记，一般几个工作日能办完？", "办理时限"),
    ("我们公司是70%控股的子公司，申报六安技改奖补有影响吗", "股权结构（控股或子公司）对申报的影响"),
    ("进口设备免税，发改委的确认书一般多久能办下来", "发展改革部门出具确认书的时限"),
])
def test_a_situation_the_sources_are_silent_on_is_deferred_by_name(ask, text, detail):
    result, reply = ask(text)
    assert result.kind == "deferral" and f"没有规定{detail}" in reply


def test_a_staff_count_over_its_cap_is_taxed_at_the_standard_rate(ask):
    _, text = ask("我们以为是小型微利企业：应纳税所得额加计前290万，员工350人，资产3000万，研发费用50万。今年所得税按5%还是25%？大概交多少")
    assert "从业人数350人超过小型微利企业300人的上限" in text and "240 × 25% = 60万元" in text and "240 × 5%" not in text


def test_a_one_time_deduction_larger_than_the_income_leaves_a_loss_not_a_tax(ask):
    _, text = ask("广西南宁的企业买了台500万的设备，今年利润也就200万，能不能一次性扣，扣不完怎么办")
    assert "200 − 设备一次性扣除 500 = −300万元" in text and "200 × 25% = 50万元" in text and "5年" in text
    assert "200 × 25% = 50万元。" not in text  # the tax as if nothing were deducted


def test_a_project_not_selected_asks_a_detail_the_documents_leave_open(ask):
    result, reply = ask("六安的项目没评上，还有戏吗")
    assert result.kind == "deferral" and "未获认定或未入选后能否再次申报" in reply and "经信" in reply


def test_the_special_credit_comes_off_the_years_tax(ask):
    _, text = ask("小型微利企业，应纳税所得额还没算研发加计前是280万，研发费用60万；另外买了安全生产专用设备50万（不含税专票抵了）。"
                  "两项都算上今年大概交多少所得税")
    assert "220 × 5% = 11万元" in text and "11 − 5 = 6万元" in text


def test_this_years_deduction_with_an_intangible_amortised(ask):
    _, text = ask("高新企业，研发一共花了1000万，其中600万费用化，另外400万形成了一项专利，从今年1月开始按10年摊销。今年研发加计能多扣多少，省多少")
    assert "600 × 100% + 40 = 640万元" in text and "640 × 15% = 96万元" in text


def test_sales_beside_a_transfer_are_neither_equipment_nor_transfer_income(ask):
    _, text = ask("技術轉讓合同收入1200萬，對應的專利淨值300萬，相關稅費100萬，另外合同裡還附帶賣了一批設備零件收了200萬。"
                  "我們25%稅率，技術轉讓這塊要交多少所得稅")
    assert "1200 − 300 − 100 = 800万元" in text and "300×12.5%=应纳37.5万元" in text and "设备一次性扣除" not in text


def test_the_contractor_of_commissioned_rd_cannot_claim_it_too(ask):
    _, text = ask("我们自己研发投了500万，另外委托省内一所大学做了个项目付了250万，合同登记过了。普通25%税率，少交多少？大学那边也能扣吗")
    assert "受托方不得再就同一笔费用加计扣除" in text and "少缴企业所得税175万元" in text  # (500 + 250 × 80%) × 25%


def test_a_used_unit_is_a_purchase(ask):
    _, text = ask("2025年从别的厂买了一台二手设备，260万，买来就用上了，二手的能不能享受一次性税前扣除")
    assert "含购进已使用过的二手设备" in text and "共260万元" in text


def test_an_incentives_own_name_asked_as_a_term_gets_its_main_rule(ask):
    _, text = ask("增值税‘加计抵减’是个什么概念，跟所得税加计扣除是一回事吗")
    assert "可抵扣进项税额加计5%抵减应纳增值税" in text and "没有规定这个概念" not in text


def test_a_quoted_term_of_the_topic_is_found_in_that_topics_points(ask):
    _, text = ask("专用设备抵免说的‘目录’是哪几个版本的目录？")
    assert "（2017年版）" in text and "（2018年版）" in text


def test_a_threshold_confirmed_beside_an_amount_asked_is_answered_too(ask):
    _, text = ask("入选广西千企技改以后自治区给多少补助？门槛是500万对吧")
    assert "没有规定固定的奖补金额" in text and "500万元以上" in text


def test_where_to_register_a_commission_contract(ask):
    _, text = ask("我们委托本地高校做研发，合同要不要去哪里登记？不登记还能加计吗")
    assert "经科技行政主管部门登记的委托或合作研发合同" in text


def test_stacking_asked_as_叠着用_gets_the_unsettled_point(ask):
    _, text = ask("我们是高新企业，应纳税所得额才两百来万，人数资产也符合小微条件，15%和小微那个5%能不能叠着用？还是选一个")
    assert "没有核实" in text and "12366" in text and "10万" not in text


def test_a_finance_measure_is_referred_to_the_lender_not_the_tax_office(ask):
    _, text = ask("设备更新贷款贴息怎么申请，找哪个银行")
    assert "贷款银行" in text and "12366" not in text


def test_a_measure_one_document_lacks_is_named_in_the_deferral(ask):
    result, text = ask("我们公司在六安，技改项目的用地能优先保障吗")
    # 六安's only land words are in its approval clause: said, and what it does not give
    assert "“零增地”" in text and "没有规定用地指标" in text and "经信" in text and "用林" not in text


@pytest.mark.parametrize("text, must", [
    ("我们今年同时享受研发加计、一次性扣除和专用设备抵免三项，资料能放一起留存吗", "分别归集留存资料"),
    ("技术转让合同里还附带了技术培训和技术服务费，这部分要怎么弄才能一起算技术转让收入？", "在同一份技术转让合同中约定"),
    ("买了环保专用设备想抵免10%，要看什么票据、设备得符合啥？", "发票价税合计"),
])
def test_a_point_of_the_topic_outside_the_aspect_asked_answers_the_detail(ask, text, must):
    _, reply = ask(text)
    assert must in reply


@pytest.mark.parametrize("text, wrong", [
    ("重庆对技改项目贷款贴息是怎么规定的？我们在两江新区", "没有收录重庆"),
    ("东莞这边搞技改有什么补贴？我们投了一千多万换设备", "没有收录东莞"),
])
def test_another_places_own_rules_are_said_not_held(ask, text, wrong):
    _, reply = ask(text)
    assert wrong in reply and "500万" not in reply


def test_a_mid_year_change_of_collection_method_is_deferred(ask):
    result, text = ask("我们今年7月份才从核定征收转成查账征收，那今年全年的研发费用能不能都加计扣除？")
    assert result.kind == "deferral" and "不适用" not in text and "12366" in text


def test_a_quantified_standard_the_document_does_not_set_is_deferred(ask):
    _, text = ask("优先支持产品市场份额占比高的企业，这个占比多少才算高？我们在细分市场大概占8%左右")
    assert "没有规定具体的量化标准" in text


def test_a_detail_named_by_another_incentives_point_is_answered_by_it(ask):
    _, text = ask("高新技术企业到底有哪些税收优惠？税率多少，亏损能多结转几年")
    assert "最长可结转10年" in text and "15%" in text and "没有规定亏损" not in text


def test_a_deadline_asked_is_not_answered_by_an_unrelated_date(ask):
    _, text = ask("研发费用7月份预缴就能加计扣除，具体几号之前要报？")
    assert "没有规定具体日期" in text and "12366" in text


def test_what_policies_there_are_gets_the_list_national_and_by_region(ask):
    result, text = ask("我想了解一下我们公司能享受什么政策")
    assert "研发费用加计扣除" in text and "六安市级技改项目库" in text and "千企技改" in text
    assert result.ask_region and result.kind == "answer"


def test_a_firm_described_in_a_covered_place_goes_on_to_the_check(ask):
    result, _ = ask("我们在六安，做新能源电池的规上企业", regions_named=["六安市"])
    assert result.start_form and not result.parts


def test_a_firms_own_entry_status_is_not_something_the_sources_hold(ask):
    result, text = ask("能不能帮我查一下我们公司的项目有没有入库")
    assert result.kind == "deferral" and "查不到某个企业的情况" in text


def test_a_licence_as_long_as_asked_can_be_exempt(ask):
    _, text = ask("我们把自有专利给别人做了5年期的非独占许可，收的许可费能算技术转让所得享受减免吗")
    assert "许可期5年，达到5年以上的要求" in text and "可以享受技术转让所得减免" in text


def test_output_said_alone_and_a_catalogue_class_are_read_as_such(vocab_question):
    alone = vocab_question("改造后估计1.12亿，这个效益条件够吗")
    assert alone.output_wan == [11200.0] and "fixed_asset_investment_wan" not in alone.facts
    assert "exclusions" not in vocab_question("查了下产业结构调整目录，我们这个产品属于限制类").aspects


def test_projects_counted_with_their_title_and_a_sold_patent(ask):
    from policy_kb.answering import title_count

    assert title_count("两个项目评上了市级技改示范项目，另外新认定了省级企业技术中心", "市级技改示范项目") == 2
    assert title_count("第二个项目评上了市级绿色工厂", "市级绿色工厂") is None
    _, text = ask("我们卖专利收了1000万，这项专利账面净值300万，相关税费50万，一般企业，企业所得税要交多少？")
    assert "1000 − 300 − 50 = 650万元" in text and "应纳18.75万元" in text  # (650 − 500) × 12.5%


@pytest.mark.parametrize("text, must", [
    ("六安说固定资产投资200万元以上才入库，200万整算不算“以上”？", "“以上”含本数"),
    ("同一台节能设备，三百多万，我们既想选一次性税前扣除，又想拿10%的专用设备投资抵免，两个能一块用吗", "12366"),
    ("金寨县这边对省级数字化车间有没有县里自己的配套奖励？市里给20万我们知道，县里还另外给不给", "没有规定县区配套奖励"),
    ("进口的那台工业CT检测设备，会不会在《国内投资项目不予免税的进口商品目录》里？最新版去哪查", "12360"),
])
def test_seventh_session_clerk_questions(ask, text, must):
    _, reply = ask(text)
    assert must in reply


def test_output_and_ranges_are_not_the_firms_equipment_or_spending(vocab_question):
    assert "equipment" not in vocab_question("我们是广西柳州的机械厂，年产值3个亿，今年技改投了1500万，能进千企技改吗").facts
    assert "equipment" not in vocab_question("我们买了台500万以下的设备，一次性扣了，过两年卖掉有影响吗").facts
    assert vocab_question("我们买了台300万的设备").facts["equipment"] == [{"value_wan": 300.0}]
    said = vocab_question("今年搞研发平台和检测中心升级，属于创新化改造，投一百五十万左右").facts
    assert said.get("fixed_asset_investment_wan") == 150.0 and "rd_expense_wan" not in said
    assert vocab_question("研发投200万").facts == {"rd_expense_wan": 200.0}


def test_the_filing_asked_beside_the_librarys_threshold_is_answered_too(ask):
    _, text = ask("我司在霍山县，规上，今年搞研发平台和检测中心升级，属于创新化改造，投一百五十万左右。想问进市级技改项目库有没有投资额要求？要不要办被案？")
    assert "200万元以上" in text and "备案（核准）手续" in text and "加计扣除" not in text and "称号升级后是补差额还是再奖励" not in text


def test_the_conditions_asked_with_the_firms_case_are_listed_before_the_check(ask):
    result, text = ask("我们是广西柳州的机械厂，年产值3个亿，今年技改投了1500万，能进千企技改吗？要什么条件？")
    assert result.start_form and "项目固定资产投资规模在500万元以上" in text and "30000" not in text


def test_the_rd_deduction_beside_the_high_tech_rate_is_said_to_combine(ask):
    # the digest's estimate: tax saved = extra deduction × the firm's CIT rate (15% for 高新)
    _, text = ask("研发费用加记扣除和高新15%税率能一起享受吗？我们研发200万，利润800万")
    assert "少缴企业所得税30万元" in text and "同时享受加计扣除，少缴税额按15%计算" in text and "同一台设备" not in text
    _, text = ask("研发费用加计扣除和高新15%能同时享受吗")
    assert "同时享受加计扣除" in text and "没有规定能否同时享受" not in text


@pytest.mark.parametrize("text, detail, scope", [
    ("高新企业证书明年到期，今年还能按15%交吗", "高新技术企业资格到期当年的税率", "国家税收优惠政策摘要"),
    ("广西的千企技改项目，入选了能贷到多少款？利息有没有优惠", "贷款额度", "千企技改"),
    ("请问六安的技改项目库一年入几次库？入库需要提交啥", "入库的批次和频次", "六安"),
])
def test_a_detail_is_deferred_once_by_its_own_name_and_scope(ask, text, detail, scope):
    result, reply = ask(text)
    assert result.kind == "deferral" and detail in reply and scope in reply and "具体的申报或办理时间" not in reply


def test_titles_listed_then_counted_are_one_each(vocab_question):
    from policy_kb.answering import title_count
    assert title_count("六安市级智能工厂、市级绿色工厂、市级数字化车间三个都新认定了，能奖多少", "市级数字化车间") is None
    assert title_count("市级数字化车间两个都评上了", "市级数字化车间") == 2.0
    assert vocab_question("2025年买了三台设备：120万、260万、700万，都是新的生产设备").facts["equipment"] == [
        {"value_wan": 120.0, "year": 2025}, {"value_wan": 260.0}, {"value_wan": 700.0}]
    assert vocab_question("我们申请了2000万设备更新贷款，按财政贴息一年能省多少利息").facts == {"loan_wan": 2000.0}
    assert vocab_question("研发费用300万和设备200万").facts == {"rd_expense_wan": 300.0, "equipment": [{"value_wan": 200.0}]}
    rd = vocab_question("高新企业研发总投入2000万，其中300万形成了无形资产，按10年摊销，其余1700万费用化").facts
    assert rd["rd_expense_wan"] == 1700.0 and rd["rd_intangible_wan"] == 300.0


def test_a_loss_after_the_super_deduction_of_a_high_tech_firm_runs_ten_years(ask):
    _, text = ask("今年加计扣除前所得只有100万，研发费用300万，加计扣除后亏了，这个亏损能往后结转吗？结转几年？我们刚认定高新")
    assert "100 − 加计扣除 300 = −200万元" in text and "10年" in text and "高新技术企业的认定条件" not in text


@pytest.mark.parametrize("text, detail, near", [
    ("我们是做制糖的，产值增长15%对我们这行太难了，文件说预期增长率可以按行业调整，制糖调到多少？", "具体行业的增长率要求", "适当调整"),
    ("投资规模多大能纳入自治区重大工业项目？我们项目3个亿", "自治区重大工业项目的标准", "500万元以上"),
    ("市产投投技改项目的失败容忍率现在是多少？文件说再放宽5个百分点，放宽完到底是百分之几？", "现有的投资失败容忍率", "5个百分点"),
])
def test_an_open_detail_of_a_rule_is_deferred_with_its_nearest_point(ask, text, detail, near):
    result, reply = ask(text)
    assert result.kind == "deferral" and not result.start_form and detail in reply and near in reply


def test_each_firm_listed_is_checked_against_the_negative_list(ask):
    _, text = ask("集团下面三家公司：一家卷烟厂，一家连锁酒店，一家汽车零部件制造厂，研发费用加计扣除哪家能享受？")
    assert "• 卷烟厂：烟草制造业在研发费用加计扣除的负面清单上" in text
    assert "• 连锁酒店：住宿和餐饮业在研发费用加计扣除的负面清单上" in text
    assert "• 汽车零部件制造厂：不属于负面清单行业" in text


def test_a_trading_firm_is_not_an_industrial_firm_for_the_programmes(ask):
    _, text = ask("我们是六安的一家建材批发商贸公司，规模挺大，能进市级技改项目库吗")
    assert "按文件不符合" in text and "规模工业企业" in text and "200万元以上" not in text


def test_stacking_the_two_income_tax_rates_is_left_to_the_tax_office(ask):
    _, text = ask("我司是高新技术企业，利润也就两百来万，人数资产都符合小型微利，能不能在15%基础上再按小微算？")
    assert "能否叠加" in text and "12366" in text and "200 × 5% = 10万元" not in text


def test_the_department_a_point_names_answers_where_to_go(ask):
    _, text = ask("六安技改投资入统，统计上的事找谁")
    assert "按月报送" in text and "市统计局" in text
    _, later = ask("六安这边项目进了技改库以后还要做啥？统计数据怎么报")
    assert "按月报送" in later


def test_a_branch_is_checked_by_the_programmes_legal_person_condition(ask):
    result, _ = ask("我们是外省公司在南宁设的分公司，不是独立法人，分公司搞技改能单独报千企技改吗")
    assert result.start_form and result.kind != "deferral"


def test_a_machine_tool_firm_gets_its_lists_vat_rate_and_one_scheme_only(ask):
    _, text = ask("我们在工业母机企业清单里，也是高新，今年研发500万；当月可抵扣进项税400万。研发加计和增值税加计抵减各是多少？两个增值税加计能叠加吗（5%和15%）？")
    assert "400万元×15%=加计抵减60万元" in text and "500万元×加计比例120%=600万元" in text and "不能叠加" in text
    assert "没有专门规定" not in text


def test_a_measure_only_one_region_has_is_deferred_from_that_regions_document(ask):
    result, text = ask("市里请第三方给规上企业做技改对标诊断，是哪家机构？企业要不要出钱？怎么报名？")
    assert result.kind == "deferral" and "《六安市规模工业企业技术改造提升行动（征求意见稿）》没有规定" in text
    assert "政府购买服务" in text and "自治区" not in text


def test_a_numbered_list_keeps_each_amount_with_its_own_words(vocab_question):
    listed = vocab_question("两件事一起问：1.今年研发费用500万 2.今年技术转让所得700万。我们是一般企业25%，两项加一起能省多少税？").facts
    assert listed["rd_expense_wan"] == 500.0 and listed["tech_transfer_income_wan"] == 700.0
    assert "investment_this_year_wan" not in listed
    rest = vocab_question("研发费用1000万，其中300万形成了专利（无形资产，按10年摊销），其余700万费用化，25%税率").facts
    assert rest["rd_expense_wan"] == 700.0 and rest["rd_intangible_wan"] == 300.0


def test_compound_tax_facts_said_in_everyday_words(ask, vocab_question):
    _, leased = ask("通过融资租赁租入一台安全生产专用设备350万，合同约定到期所有权转给我们。另外研发费200万，普通25%税率。能抵免多少、能省多少？")
    assert "负面清单" not in leased and "50 + 35 = 85万元" in leased
    _, licensed = ask("我们把自己的一项专利以非独占方式许可给别人用6年，今年许可所得400万；另外研发费200万。普通企业，两项合计省多少")
    assert "50 + 100 = 150万元" in licensed
    _, tariff = ask("鼓励类项目进口一台设备，完税价格1500万，海关说税率5%；另外今年研发费200万，25%税率。关税能免多少，研发能省多少")
    assert "1500 × 5% = 75万元" in tariff and "少缴企业所得税50万元" in tariff
    _, compared = ask("高新技术企业，今年加计扣除前应纳税所得额2000万，研发费用800万。算上研发加计扣除，今年企业所得税交多少？比普通企业不享受这两个优惠少交多少")
    assert "1200 × 15% = 180万元" in compared and "少交 500 − 180 = 320万元" in compared
    assert vocab_question("去年做了两个研发项目，一个失败了花了150万，一个成功了花了250万。25%税率总共能省多少").facts["rd_expense_wan"] == 400.0


@pytest.mark.parametrize("text, detail, who", [
    ("你好，我们六安这边的规上企业，文件里写了设备（软件）补贴，我们今年上了一套MES花了一百二十万，设备补贴是按百分之几补啊？能补多少钱",
     "设备（软件）补贴的比例和标准", "经信"),
    ("广西的容缺受理，材料不齐先办，后面补材料给多长时间？", "补齐材料的期限", "工业和信息化厅"),
    ("国内投资项目进口设备免税的确认书，我们项目三千万，在广西是找自治区发改委还是市发改委开？", "确认书的出具部门和金额分档", "发展改革部门"),
])
def test_a_detail_is_deferred_to_whoever_settles_it(ask, text, detail, who):
    result, reply = ask(text)
    assert result.kind == "deferral" and f"没有规定{detail}" in reply and who in reply


def test_the_definition_of_renovation_asked_in_other_words(ask):
    _, text = ask("六安的文件里技术改造是怎么定义的，我们买几台新机器替换旧的算不算")
    assert "新技术、新工艺、新设备、新材料" in text


def test_titles_the_schedule_does_not_list_are_said_to_have_no_award(ask):
    """安徽工业精品 and 省级新产品 are named in 二.（六） as what the city cultivates, not in the award list."""
    result, text = ask("我们是六安金安区的规上企业，去年被评为安徽省工业精品，今年又拿了省级新产品，这两个在六安有没有奖励？")
    assert result.kind == "deferral" and result.offer_handoff
    assert "没有“安徽省工业精品”、“省级新产品”" in text and "每年培育一批省级新产品、安徽工业精品" in text
    assert "50万元" not in text and "20万元" not in text  # no other title's award given as theirs


def test_an_incentive_asked_beside_an_estimate_gets_its_rule(ask):
    _, text = ask("你好，我们在六安，三个问题：1、今年准备花450万搞智能化改造能不能进项目库；2、设备买了300万能不能一次性扣除；3、研发费用加计扣除比例是多少")
    assert "75万元" in text  # 300 × 25%, deferred tax
    assert "实际发生额的100%" in text  # the R&D rate asked, not dropped for the estimate


def test_imported_equipment_is_priced_for_the_tariff_not_the_income_tax(ask):
    _, text = ask("进口设备800万，关税税率5%，能省多少")
    assert "800 × 5% = 40万元" in text and "按设备价格作完税价格" in text
    assert "不能一次性扣除" not in text  # the goods' value is not an income-tax basis here


def test_equipment_over_the_cap_gets_the_faster_depreciation_methods(ask):
    _, text = ask("买了台600万的设备，能一次性税前扣除吗")
    assert "不能一次性扣除" in text and "双倍余额递减法" in text and "最短可缩至6年" in text


def test_a_machine_named_by_its_kind_is_equipment(ask):
    _, text = ask("老板问的，我们做铝型材的，今年研发大概花了四百来万，又买了台1200万的挤压机，这台机器能一次性扣吗？研发那块能少交多少")
    assert "少缴企业所得税100万元" in text  # 400 × 100% × 25%
    assert "（1200万元）不能一次性扣除" in text


def test_a_licence_for_three_years_is_not_a_transfer(ask):
    _, text = ask("我们把一项专利许可给别人用三年，非独占的，收了200万许可费，能按技术转让减免所得税吗")
    assert "不能享受" in text and "许可期3年" in text


def test_contracts_said_one_by_one_are_added_up(ask):
    _, text = ask("我们今年签了两份专利转让合同，一份所得300万，一份所得400万，是不是每份都不超过500万所以都免税？")
    assert "300 + 400 = 700万元" in text and "应纳25万元" in text  # (700 − 500) × 12.5%


def test_machine_tool_firms_extra_rate_is_used_for_this_years_deduction(ask):
    _, text = ask("我们在工业母机企业清单里，税率25%。今年费用化研发300万，另外有个研发项目形成无形资产500万，按10年摊销。今年一共能少交多少税")
    assert "300 × 120% + 60 = 420万元" in text and "420 × 25% = 105万元" in text


def test_rd_commissioned_from_an_individual_abroad_is_not_counted(ask):
    _, text = ask("我们委托国外一个专家个人帮我们做研发，给了他100万，另外我们自己研发300万，税率25%，加计扣除一共能少交多少")
    assert "委托境外个人研发的100万元不能加计扣除" in text and "少缴企业所得税75万元" in text  # 300 × 25%


def test_a_tech_sme_loss_is_carried_ten_years(ask):
    _, text = ask("我们是科技型中小企业，今年利润（应纳税所得额，没算加计前）100万，研发费用300万（已经计入费用），加计扣除后是不是就亏了？")
    assert "亏损200万元" in text and "10年" in text


def test_the_six_directions_of_six_plus_one(ask):
    _, text = ask("六安那个6+1技改提升行动，‘6’是指哪六个方向啊？")
    assert "高端化、智能化、信息化、自动化、绿色化、创新化" in text and "没有规定" not in text
    _, text = ask("六安那个'6+1'技改提升行动，六个'化'是哪六个？那个'+1'又是指啥")
    assert "没有规定“+1”的具体内容" in text and "创新化" in text


def test_titles_listed_are_split_into_those_with_an_award_and_those_without(ask):
    text_in = "六安这几个称号哪些有奖励，各多少：国家级智能制造示范工厂、省级绿色工厂、市级数字化车间、省级工程技术研究中心、省级工业设计中心"
    _, text = ask(text_in, honors=["省级绿色工厂", "市级数字化车间", "省级工业设计中心"], regions_named=["六安市"])
    assert "没有“国家级智能制造示范工厂”、“省级工程技术研究中心”" in text
    assert "20 + 10 + 20 = 50万元" in text


def test_two_workshops_holding_one_title_are_awarded_twice(ask):
    text_in = "六安的，我们今年新认定了省级智能工厂、省级企业技术中心，还有两个车间都评上了市级数字化车间，一共能拿多少奖励"
    _, text = ask(text_in, honors=["省级智能工厂", "省级企业技术中心", "市级数字化车间"], regions_named=["六安市"])
    assert "10 × 2 = 20万元" in text and "50 + 20 + 20 = 90万元" in text


def test_a_subsidy_asked_beside_the_equipment_cost_is_no_tax_estimate(ask):
    result, text = ask("老板让我问下，六安那个设备（软件）补贴，是按设备发票金额的百分之几补的？我们今年上了条线，设备款六百来万")
    assert result.kind == "deferral" and "没有规定设备（软件）补贴的比例和标准" in text
    assert "不能一次性扣除" not in text and "150万" not in text  # 600 × 25% would be a tax figure


def test_the_librarys_check_goes_on_beside_a_subsidy_the_file_leaves_open(ask):
    result, text = ask("我们六安的规上企业，今年只买了一套ERP软件加实施，花了50万左右，能进市级技改库吗？软件补贴能补多少")
    assert result.start_form and "没有规定设备（软件）补贴的比例和标准" in text


def test_only_the_unit_bought_with_fiscal_money_is_left_out_of_the_credit(ask):
    _, text = ask("我们今年买了两台环保专用设备：一台400万（不含税）；另一台100万是拿政府专项拨款买的。专用设备投资抵免能抵多少？")
    assert "用财政拨款购置的设备（100万元）不能享受专用设备投资抵免" in text
    assert "可抵免企业所得税40万元" in text  # 400 × 10%


def test_the_negative_lists_base_is_not_fiscal_money(ask):
    _, text = ask("我们公司既做制造又做批发，今年批发收入占了六成（扣除不征税收入和投资收益后），研发费用200万，另外买了节水专用设备100万（不含税）。这两样分别能享受吗？")
    assert "研发费用加计扣除：不适用" in text and "可抵免企业所得税10万元" in text  # 100 × 10%


def test_the_prepayment_asked_beside_an_estimate_is_answered(ask):
    _, text = ask("研发加计扣除是不是非要等到年底汇算才能扣？今年上半年研发花了一百二十万，7月份预缴能不能先扣一部分")
    assert "少缴企业所得税30万元" in text and "7月预缴申报时" in text  # 120 × 100% × 25%


def test_the_unit_by_unit_choice_asked_beside_the_year(ask):
    _, text = ask("我们2025年12月买了台400万的设备，当月就投用了，一次性扣除算2025年度还是2026年度？能不能有的设备一次性扣、有的按年折旧？今年没选以后还能改吗")
    assert "计入2026年度" in text and "逐台（套）选择" in text and "不得再改为一次性扣除" in text


def test_terms_quoted_together_are_each_answered_from_their_sentence(ask):
    _, text = ask("六安文件里说的‘四位一体’创建和‘三品’行动，分别是指啥？")
    assert "绿色供应链“四位一体”" in text and "增品种、提品质、创品牌“三品”" in text


def test_a_quoted_phrase_picks_the_point_that_holds_it(ask):
    _, text = ask("六安说的'机器换人'，'点'上和'线'上分别啥意思？每年要推广多少台机器人")
    assert "“点”上打造数控单元" in text and "500台（套）以上" in text
    assert "信息化改造" not in text


def test_the_plus_one_in_quotes_is_deferred_by_name(ask):
    result, text = ask("“6+1”技改提升行动里的“+1”指的是啥")
    assert result.kind == "deferral" and "没有规定“+1”的具体内容" in text and "六化" in text


def test_each_case_of_a_list_is_checked_against_the_incentive(ask):
    _, text = ask("500万以下设备一次性扣除，下面谁能用：1.个体工商户 2.合伙企业 3.核定征收的有限公司 4.查账征收的有限公司买的新设备 5.股东拿设备作价入股进来的那台")
    assert "✗ 1. 个体工商户：不能享受" in text and "✗ 3. 核定征收的有限公司：不能享受" in text
    assert "✓ 4. 查账征收的有限公司买的新设备" in text and "✗ 5. 股东拿设备作价入股进来的那台" in text
    assert "单位价值不超过500万元" in text
    _, text = ask("下面几种技术转让能享受所得税减免吗：1.专利所有权卖给没关联的企业 2.独占许可给人家用3年 3.自有专利普通许可签了6年 4.卖设备顺带转让技术，设备款占大头 5.专利转给100%控股我们的母公司")
    assert "✓ 1." in text and "✗ 2. 独占许可给人家用3年：不能享受（许可期3年，不到5年）" in text and "✓ 3." in text
    assert "△ 4." in text and "✗ 5." in text
    _, text = ask("哪些设备能按投资额10%抵免所得税：1.用财政拨款买的污水处理设备 2.自有资金买的目录内节水设备 3.银行贷款买的目录内安全生产设备 4.不在目录里的普通机床 5.经营租赁租来的目录内环保设备")
    assert "✗ 1." in text and "✓ 2." in text and "✓ 3." in text and "✗ 4." in text and "✗ 5." in text


def test_a_payment_asked_with_no_region_is_deferred_for_both_documents(ask):
    result, text = ask("我想投诉，上次申请的奖补到现在还没到账")
    assert result.kind == "deferral" and "两份技改文件都没有规定到账时间" in text and "《广西" not in text


def test_two_years_of_investment_added_up_is_a_detail_the_file_leaves_open(ask):
    result, text = ask("我们是金寨的企业 去年设备投资了六百万 今年还准备投四百万 这两年的能合起来算入库吗")
    assert result.kind == "deferral" and "没有规定跨年度的投资能否合并计算" in text and "200万元以上" in text
    assert not result.start_form


def test_a_case_asked_about_an_incentive_does_not_start_the_programme_check(ask):
    result, text = ask("設備一次性扣除現在還能用嗎？明年買的還行不行")
    assert not result.start_form and "2027年12月31日" in text and "千企技改" not in text and "项目库" not in text


def test_a_software_firm_serving_factories_is_not_an_industrial_firm(ask):
    _, text = ask("我们公司是做软件的，给工厂做MES系统，能申请六安的技改项目库吗")
    assert "按文件不符合" in text and "不属于工业企业" in text


def test_a_regional_subsidy_detail_is_not_deferred_for_a_national_incentive(ask):
    _, text = ask("你们好，我这边是做纺织的，在六安裕安区，去年产值一个多亿，今年想把老的织机全换成新的智能织机，总共要1200万左右，已经在发改委备案了，请问：1.能进市级技改项目库吗 2.市里有没有设备补贴 3.买设备能抵税吗")
    assert "《六安市规模工业企业技术改造提升行动（征求意见稿）》没有规定设备（软件）补贴的比例和标准" in text
    assert "国家税收优惠政策摘要没有规定设备（软件）补贴" not in text and "专用设备企业所得税优惠目录" in text
    lines = text.split("\n")
    assert all("没有规定" in lines[i - 1] for i, line in enumerate(lines) if line.startswith("相关的规定是"))  # none dangles


def test_rd_said_for_two_years_is_computed_for_each(ask):
    _, text = ask("高新企业 研发费 去年 八百五十万，今年 预计一千万，两年加计分别能省多少")
    assert "去年：850 × 100% × 15% = 少缴企业所得税127.5万元" in text
    assert "今年：1000 × 100% × 15% = 少缴企业所得税150万元" in text


def test_a_year_after_a_number_is_not_that_numbers_role(vocab_question):
    facts = vocab_question("研发费用去年600万今年800万，分别能加计扣除多少").facts
    assert facts["rd_by_year"] == [["去年", 600.0], ["今年", 800.0]] and "investment_this_year_wan" not in facts


def test_income_said_after_the_deduction_is_not_reduced_again(ask):
    _, text = ask("小微企业，研发160万做加计，扣完以后应纳税所得额200万左右，另外买了50万目录内的节能设备，帮算下税")
    assert "200 × 5% = 10万元" in text and "10 − 5 = 5万元" in text  # 200 × 5%, less the 50 × 10% credit
    assert "200 − 加计扣除 160" not in text


def test_an_unlisted_project_counts_as_permitted(ask):
    _, text = ask("广西文件说项目要属于鼓励类或允许类，啥叫允许类？我们的项目在目录里没找着，算哪一类")
    assert "目录未列明的项目按“允许类”判断" in text


def test_the_import_vat_credit_is_said_when_asked_beside_the_tariff(ask):
    _, text = ask("进口设备完税价格1000万，关税税率8%，项目是鼓励类，能省多少钱？进口环节增值税还要交吗、能抵扣吗")
    assert "1000 × 8% = 80万元" in text and "可以按规定抵扣" in text


def test_the_materials_list_answers_what_to_keep(ask):
    _, text = ask("税务说研发加计扣除要留存备查，具体要留哪些资料？我们财务就一个人，怕漏了")
    assert "研发支出辅助账" in text and "立项决议" in text


def test_amortisation_years_said_after_a_comma(ask):
    _, text = ask("我们是工业母机企业（在名单里），研发形成无形资产500万，10年摊，每年能多省多少税？25%")
    assert "500×220%÷10 = 110万元" in text and "60×25% = 15万元" in text


def test_who_to_ask_about_a_tax_rule_names_the_tax_office(ask):
    _, text = ask("我们搞不清哪些人工费能算研发费用加计扣除，这种具体口径应该问谁")
    assert "12366" in text


def test_income_after_the_actual_expense_is_still_reduced_by_the_extra_deduction(ask):
    _, text = ask("我们小型微利企业，扣完研发费实际发生额后利润280万，研发费100万，再加计扣除后应纳税所得额多少？要交多少税")
    assert "280 − 加计扣除 100 = 180万元" in text and "180 × 5% = 9万元" in text


def test_a_machine_named_before_its_price_is_equipment_with_its_purpose(ask):
    _, text = ask("你好，我们是做汽配的，普通制造业不是高新。去年研发费用三百万左右，另外买了台节能节水目录里的空压机两百万（不含税价）。这两块企业所得税一共能少交多少？")
    assert "可抵免企业所得税20万元" in text and "75 + 20 = 95万元" in text  # 300 × 25% + 200 × 10%
    assert "按法定税率25%估算（您说的不是高新技术企业）" in text


def test_profit_with_rd_in_costs_may_fall_under_the_small_profit_cap_after_the_deduction(ask):
    _, text = ask("小企业，员工六十来个，资产两千多万，今年账面利润350万，研发费用100万已经计入成本了。加计扣除以后能不能按小型微利企业交税？大概交多少")
    assert "350 − 100 = 250万元" in text and "250 × 5% = 12.5万元" in text


def test_a_patents_income_after_costs_and_taxes_is_the_transfer_income(ask):
    _, text = ask("我们是高新企业，另外还卖了一项专利，扣完成本税费所得七百万，这个怎么算")
    assert "技术转让所得700万元" in text and "200×12.5%=应纳25万元" in text


def test_equipment_for_rd_deducted_at_once_counts_in_the_rd_base(ask):
    _, text = ask("研发中心买了台一百万的测试仪，专门用于研发，税务上选了一次性扣除；其他研发费用还有两百万。研发加计基数能不能把这一百万全算进去？按25%能省多少")
    assert "200 + 100 = 300万元" in text and "少缴企业所得税75万元" in text  # 300 × 100% × 25%


def test_rd_paid_partly_by_the_government_is_deducted_on_the_rest(ask):
    _, text = ask("柳州的企业，研发花了四百万，其中一百万是政府给的科技项目资金，我们按不征税收入处理了。研发加计还能按四百万算吗？")
    assert "400 − 100 = 300万元" in text and "少缴企业所得税75万元" in text


def test_a_tariff_rate_said_with_jiu_an(ask):
    _, text = ask("我们鼓励类项目从德国进口一台设备，完税价格1000万，关税税率就按5%算。关税能免多少？")
    assert "1000 × 5% = 50万元" in text


def test_a_high_tech_firms_loss_carry_is_its_ten_years(ask):
    _, text = ask("去年刚评上高新，前几年一直亏损。今年研发四百万加计之后亏得更多了，亏损能往后结转几年？")
    assert "最长可结转10年" in text


def test_a_transfers_revenue_and_income_said_together_take_the_income(ask):
    _, text = ask("技術轉讓收入三百萬，所得兩百五十萬，增值稅和企業所得稅都能免嗎？")
    assert "技术转让所得250万元" in text and "技术转让所得300万元" not in text
    assert "免征增值税" in text and "2026" in text


def test_import_with_a_price_and_no_tariff_rate_says_the_rate_decides(ask):
    result, text = ask("进口一台设备一千五百万，关税能省多少钱？")
    assert "完税价格 × 关税税率" in text and "没有规定这台设备适用的关税税率" in text and "告诉我具体金额" not in text


def test_the_shortest_life_of_equipment_is_computed_from_machinerys_statutory_life(ask):
    _, text = ask("设备六百万，制造业，折旧年限最短能缩到几年？每年多折多少，晚交多少税（25%）")
    assert "10 × 60% = 6年" in text and "600 ÷ 6 = 100万元" in text and "递延约10万元" in text


def test_a_credit_carried_from_before_comes_off_this_years_tax_with_the_new_one(ask):
    _, text = ask("前年买环保设备的抵免额还有十二万没抵完，今年应纳税额五十万，今年又买了安全生产专用设备一百万，今年实际要交多少所得税")
    assert "12 + 10 = 22万元" in text and "50 − 22 = 28万元" in text


def test_the_rest_of_a_credit_over_the_tax_is_carried(ask):
    _, text = ask("我们是小型微利企业，应纳税所得额一百万，今年环保专用设备买了两百万，能抵免多少？剩下的呢")
    assert "5 − 5 = 0万元" in text and "20 − 5 = 15万元结转" in text


def test_a_vat_refund_beside_an_income_tax_figure_keeps_both(ask):
    _, text = ask("增量留抵税额有三百万，能退多少？另外研发费用一百万能省多少所得税")
    assert "进项构成比例" in text and "少缴企业所得税25万元" in text  # 100 × 100% × 25%


def test_assets_listed_with_commas_are_each_checked_for_the_one_time_deduction(ask):
    _, text = ask("今年买了这几样：新厂房一栋八百万、一台四百五十万的新数控机床、一台二手注塑机六十万、还有股东拿来入股的设备一百万，哪些能一次性税前扣除")
    assert "✗ 1. 新厂房一栋八百万" in text and "✓ 2. 一台四百五十万的新数控机床" in text
    assert "✓ 3. 一台二手注塑机六十万" in text and "✗ 4. 股东拿来入股的设备一百万" in text
    assert "房屋、建筑物" in text and "单位价值不超过500万元" in text


def test_durations_asked_prefer_a_period_not_a_year_of_issue(ask):
    _, text = ask("进口免税的设备海关要管几年？每年要报什么")
    assert "监管3年" in text and "6月30日" in text


def test_the_rd_deductions_end_date_asked(ask):
    _, text = ask("研发费用加计扣除100%这个政策有没有截止时间？会不会明年就没了")
    assert "长期实施，没有截止日期" in text


def test_how_long_it_takes_is_deferred_when_no_line_gives_it(ask):
    _, text = ask("技术转让合同要去哪认定登记？多长时间能办下来")
    assert "省级科技部门认定登记" in text and "没有规定办理时限" in text


def test_a_transfer_abroad_is_not_commissioned_rd_and_restricted_exports_are_barred(ask):
    _, text = ask("我们有项技术属于限制出口的，转让给国外客户，所得三百万，能免所得税吗")
    assert "技术转让所得减免：不适用" in text and "禁止、限制出口技术" in text and "委托境外研发" not in text


def test_an_expert_in_a_named_country_is_an_individual_abroad(ask):
    _, text = ask("我们委托一个美国的专家个人做研发，付了一百万，能算委托境外研发加计扣除吗")
    assert "委托境外个人研发的100万元不能加计扣除" in text and "可抵免" not in text


def test_a_tax_no_source_speaks_of_is_deferred_to_the_tax_office(ask):
    result, text = ask("新盖的技改厂房，房产税跟城镇土地使用税能减免不？减几年")
    assert result.kind == "deferral" and "都没有规定房产税和城镇土地使用税" in text and "12366" in text
    assert "《广西" not in text


def test_the_catalogue_class_is_deferred_where_a_document_sets_no_such_requirement(ask):
    result, text = ask("六安的技改项目如果是《产业结构调整指导目录》限制类的，还能进市级技改项目库拿奖补吗？")
    assert result.kind == "deferral" and "没有规定《产业结构调整指导目录》类别的要求" in text
    _, text = ask("广西这边，我们准备改造的那条线在产业结构调整指导目录里是淘汰类的，还能报千企技改吗")
    assert "限制类、淘汰类不符合" in text and "没有规定" not in text


def test_the_firms_own_catalogue_class_is_a_fact_for_the_check(ask):
    result, text = ask("广西的规上企业，独立法人，正常经营，技改项目一千五百万，属于鼓励类，年底前能投产，做完产值预计涨20%左右，想问下符合千企技改吗")
    assert result.start_form and "不符合" not in text


def test_a_purpose_said_after_the_price_or_in_the_clause_before_is_the_units(ask, vocab_question):
    _, text = ask("我们是舒城的一家厂，今年买了台设备大概380万，都在环保目录里，能抵多少所得税")
    assert "380万元×抵免比例10%=可抵免企业所得税38万元" in text  # 380 × 10%
    two = vocab_question("2025年买了两台设备：一台普通生产设备480万，另一台节能节水专用设备200万（不含税）").facts["equipment"]
    assert "special_purpose" not in two[0] and two[1]["special_purpose"] == "节能节水"


def test_an_invoice_said_with_and_without_vat_is_one_unit(ask):
    _, text = ask("买了一台环保专用设备，专票上价税合计339万（设备300万，税39万，进项已抵扣），抵免10%按多少算")
    assert "339 − 39 = 300万元" in text and "可抵免企业所得税30万元" in text  # (339 − 39) × 10%
    assert "639" not in text and "一次性扣除" not in text  # the credit was asked, not the deduction


def test_a_detail_neither_document_gives_names_both_and_the_nearest_clause(ask):
    _, text = ask("用电能不能享受电价优惠")
    assert "两份技改文件都没有规定" in text and "水电" in text and "市经信局" in text and "自治区工业和信息化厅" in text


def test_two_places_asked_each_get_their_own_deferral(ask):
    _, text = ask("六安和广西的技改项目都要多久审批完")
    assert "《六安市规模工业企业技术改造提升行动（征求意见稿）》没有规定" in text
    assert "《广西“千企技改”工程实施方案（修订征求意见稿）》没有规定" in text
    result, text = ask("六安和广西的技改项目，申报材料要盖什么章")
    assert result.kind == "deferral" and "需要提交的具体材料" in text and "的条件：" not in text


def test_output_from_one_figure_to_another_is_the_growth(vocab_question):
    q = vocab_question("你好，我们是南宁的，技改投了1800万，年产值预计从1个亿涨到1.1个亿，能进千企技改吗")
    assert q.facts["output_growth_pct"] == 10.0 and q.facts["fixed_asset_investment_wan"] == 1800.0  # (11000 − 10000) ÷ 10000
    assert "产值预期增长 = (1.1亿 − 1亿) ÷ 1亿 = 10%。" in q.derived


def test_two_transfer_contracts_are_one_years_income(ask):
    _, text = ask("请问一下，技术转让所得免税那个，是按年算还是按合同算？我们今年签了两个合同，一个400万一个300万，成本加起来200万")
    assert "400 + 300 = 700万元" in text and "700 − 200 = 500万元" in text and "全部免征" in text
    _, text = ask("技术转让所得300万能免多少税")
    assert "少缴75万元" in text  # 300 × 25%, all under the 500万 threshold


def test_whether_a_document_is_final_is_its_status(ask):
    _, text = ask("你们说的这两个文件是正式发布的吗？六安的技改行动方案和广西千企技改")
    assert text.count("不是正式发布的文件") == 2


@pytest.mark.parametrize("question, must", [
    ("六安对技改企业有什么金融方面的支持？", "5个百分点"),
    ("六安文件里说的绿色制造“四位一体”是啥", "绿色供应链"),
    ("按六安文件的说法，什么样的投资才算技术改造？我们只是换几台新设备也算吗", "新工艺"),
    ("研发加计扣除是不是只能等年底汇算清缴才能享受？", "7月预缴"),
    ("六安那个技改对标诊断，是哪几家第三方机构在做？有名单吗", "没有规定第三方机构"),
])
def test_everyday_wordings_reach_their_points(ask, question, must):
    result, text = ask(question)
    assert must in text and not result.start_form


def test_a_listed_industrys_share_said_before_its_name_is_read(ask):
    _, text = ask("我们厂收入里六成是自己生产的产品，四成是批发贸易，今年研发三百万，另外买了一百万的节能节水专用设备，这俩能享受吗？一共能省多少？")
    assert "批发和零售业收入占40%，未超过50%" in text and "75 + 10 = 85万元" in text  # 300 × 25%; 100 × 10%


def test_an_approximate_amount_is_the_firms_not_a_rule(ask):
    _, text = ask("高企一家，研发费用一年八百万上下，今年又上了两百万的节能节水设备（71号目录内的），这两项优惠合计能省多少税？")
    assert "120 + 20 = 140万元" in text  # 800 × 100% × 15%; 200 × 10%


def test_a_patent_sold_is_a_transfer(ask):
    _, text = ask("老板问的：我们卖了一项专利，合同价九百万，这个专利账面净值还有两百万，相关税费五十来万，这个要交多少企业所得税啊")
    assert "900 − 200 − 50 = 650万元" in text and "应纳18.75万元" in text  # (650 − 500) × 12.5%


def test_the_fiscal_part_of_one_purchase_is_left_out_of_the_credit(ask):
    _, text = ask("我们今年买环保设备一共花了一千万，其中四百万是政府给的财政拨款，剩下六百万自己出的，投资抵免能抵多少")
    assert "（400万元）不能享受专用设备投资抵免" in text and "可抵免企业所得税60万元" in text  # 600 × 10%


def test_services_under_their_own_contract_are_taxed_apart_from_the_transfer(ask):
    _, text = ask("转让专利收入四百万（所得也差不多四百万），另外跟对方单独签了个技术服务合同，服务所得一百五十万，"
                  "这一百五十万能并进技术转让一起免税吗？这块要交多少，非高新")
    assert "150 × 25% = 37.5万元" in text and "技术转让所得400万元" in text and "技术转让所得150万元" not in text
    _, inside = ask("技术转让收入300万，合同里还附带了技术服务费50万，能免多少税")
    assert "300 + 50 = 350万元" in inside


def test_a_firm_elsewhere_asking_a_covered_regions_award_is_told_it_does_not_apply(ask):
    _, text = ask("河南信阳的，离六安很近，我们能不能按六安的政策申请市级技改示范项目那五十万？")
    assert "信阳的企业不适用" in text and "没有收录信阳的政策文件" in text


def test_a_sole_proprietor_or_a_town_inside_a_region(ask, vocab_question):
    assert vocab_question("我是个体户，在南宁开了个小加工厂，能不能报千企技改").flags["independent_legal_person"] is False
    _, text = ask("我们在霍山县，六安那个技改政策我们霍山的企业能用吗？项目备案去哪里办")
    assert "霍山属于六安" in text and "县区主管部门备案" in text


def test_small_profit_after_the_deduction_and_years_in_words(ask):
    _, text = ask("今年利润三百五十万（研发费已经计入费用），研发一百万还没加计。员工八十人，资产两千万。加计扣除后是不是能按小微交？交多少")
    assert "350 − 100 = 250万元" in text and "250 × 5% = 12.5万元" in text
    _, text = ask("研发形成了一项无形资产，入账一千万，按十年摊销，非高新。税前每年能摊销多少？跟不加计比每年多省多少税？")
    assert "1000×200%÷10 = 200万元" in text and "100×25% = 25万元" in text


def test_a_credit_the_years_tax_cannot_take_is_not_this_years_saving(ask):
    _, text = ask("高新企业，利润总额一千万（研发费已经作为费用扣过了），研发费四百万还没加计，今年又买了1.2千万的安全生产专用设备。"
                  "加计扣除和设备抵免合计今年能省多少，抵不完的怎么办")
    assert "600 × 15% = 90万元" in text and "今年实际少缴 60 + 90 = 150万元" in text and "合计少缴约 60 + 120" not in text


def test_a_sole_proprietor_asking_about_tax_is_not_sent_into_a_programme(ask):
    result, text = ask("我们是个体户，去哪里问税收优惠")
    assert "12366" in text and "项目库" not in text
    _, text = ask("我是个体户，研发费用能加计扣除吗")
    assert "研发费用加计扣除：不适用" in text and "个体工商户" in text


def test_whether_a_draft_will_be_published_is_deferred_honestly(ask):
    _, text = ask("这个征求意见稿什么时候正式发布")
    assert text.count("没有规定何时正式发布") == 2


def test_materials_asked_beside_what_a_rule_answers_are_said_to_be_left_open(ask):
    _, text = ask("设备更新贷款财政贴息是多少？贴几年？具体去哪个银行申请，要准备啥材料")
    assert "1.5个百分点" in text and "没有规定需要提交的具体材料" in text


def test_a_rule_named_by_its_figure_is_the_one_answered(ask):
    _, text = ask("广西的，我们这个是安全性能提升改造，改完产值基本不涨，是不是就不符合15%那条了")
    assert "较大效益" in text  # the alternative for 安全性能提升 projects


def test_a_vat_credit_and_an_income_tax_saving_asked_together_are_summed(ask):
    _, text = ask("广西的先进制造业企业，高新，也进了工信厅的名单。今年可抵扣进项税大概四百万，研发费用六百万，"
                  "增值税加计抵减加上研发加计扣除一共能省多少？")
    assert "20 + 90 = 110万元" in text and "千企技改" not in text  # 400 × 5%; 600 × 100% × 15%


def test_what_the_foreign_cap_is_measured_on_is_left_to_the_tax_office(ask):
    result, text = ask("委托境外研发那个三分之二的上限，境内符合条件的研发费用包不包括委托境内的那部分？")
    assert result.kind == "deferral" and "没有核实" in text and "12366" in text


def test_a_purpose_in_brackets_and_a_project_total_beside_rd_are_read(vocab_question):
    facts = vocab_question("今年技改总投资大概一千二百万，其中买了台五百八十万的进口检测设备（在安全生产目录里），另外研发费用三百来万。"
                           "1.能进市级技改库吗（已备案）2.设备能抵多少所得税 3.研发能省多少").facts
    assert facts["fixed_asset_investment_wan"] == 1200.0 and facts["rd_expense_wan"] == 300.0
    assert facts["equipment"] == [{"value_wan": 580.0, "special_purpose": "安全生产"}]


def test_a_partners_place_or_a_tax_penalty_is_not_taken_for_something_else(ask):
    _, text = ask("我们是高新企业，今年研发投入六百万，其中一百五十万委托给上海的高校做，帮我算下加计扣除能少交多少")
    assert "没有收录上海" not in text and "少缴企业所得税85.5万元" in text  # (450 + 150 × 80%) × 15%
    _, text = ask("企业所得税汇算清缴截止时间是哪天，逾期了会罚款吗")
    assert "没有规定逾期申报的处罚" in text and "奖补" not in text and "5个月内" in text


def test_a_project_without_a_title_is_told_what_the_schedule_leaves_open(ask):
    _, text = ask("我们厂在六安舒城，去年技改投了1500万，今年又上了条智能产线，请问市里能奖多少？另外我们是高新企业，"
                  "研发费用去年800万，能省多少税？")
    assert "少缴企业所得税120万元" in text  # 800 × 100% × 15%
    assert "市级技改示范项目50万元" in text and "投资1500万元）按投资额能得多少，文件没有规定" in text
    assert "前提" in text and "一事一议”支持范围，文件没有规定固定金额" not in text


def test_renovation_counted_as_investment_is_deferred_in_the_region_asked(ask):
    result, text = ask("广西的，车间装修费80万能算进技改投资额吗")
    assert result.kind == "deferral" and "《广西“千企技改”工程实施方案（修订征求意见稿）》没有规定" in text
    assert "两份" not in text and not result.start_form
    result, text = ask("厂房装修花了200万能一次性税前扣除吗")
    assert "房屋、建筑物" in text and "技改投资" not in text


def test_the_three_small_profit_figures_set_the_rate_of_an_estimate(ask):
    _, text = ask("我司去年利润总额280万，员工150人，资产4000万，买了一台80万的设备，所得税要交多少")
    assert "280 × 5% = 14万元" in text and "首年少缴（递延）企业所得税4万元" in text  # 80 × 5%
    _, text = ask("我司去年利润总额280万，员工150人，资产6000万，研发费用50万，所得税要交多少")
    assert "资产总额6000万元超过小型微利企业5000万元的上限" in text and "230 × 25% = 57.5万元" in text


def test_an_award_asked_beside_the_programme_check_is_answered(ask):
    result, text = ask("你好，我们是南宁一家做铝型材的企业，规上，今年准备投3000万搞一条自动化挤压线，明年6月才能投产，"
                       "能不能报千企技改？报了有多少钱？")
    assert result.start_form and "没有规定固定的奖补金额" in text


def test_a_detail_beside_a_rule_quotes_the_rule_of_the_region_asked(ask):
    _, text = ask("六安市产投公司对技改项目库的项目有基金投放，一般一个项目能投多少钱？")
    assert "没有规定基金的投资额度" in text and "市产投公司加大对市级技改项目库的基金投放力度" in text
    _, text = ask("说每年向合作银行推荐至少600项优质技改项目，我们要怎么才能被推荐上？")
    assert "没有规定推荐标准" in text and "推荐至少600项" in text and "六安" not in text
    result, text = ask("廣西文件裡寫了研發經費投入補助，這個補助是按研發投入的多少比例給？")
    assert result.kind == "deferral" and "没有规定研发经费投入补助的标准" in text and "加计扣除" not in text.split("相关")[0]


def test_a_list_or_catalogue_the_digest_does_not_hold_is_deferred(ask):
    result, text = ask("我们买了一批变频空压机，算不算节能节水专用设备目录里的？能按10%抵免吗")
    assert result.kind == "deferral" and "没有规定专用设备目录的具体条目" in text
    _, text = ask("我们是做数控机床的，怎么才能进工业母机企业名单享受120%加计扣除？名单什么时候报")
    assert "列入清单以后才能按120%加计扣除" in text and "没有规定" in text


def test_a_lapsed_certificate_a_builder_and_a_typed_place_are_read(ask):
    _, text = ask("我们高新证书2024年底到期了，没去重新认定，今年研发费用400万，加计扣除按15%还是25%算？能省多少")
    assert "少缴企业所得税100万元" in text and "60万" not in text and "称号复核" not in text  # 400 × 25%
    result, text = ask("我们是六安一家建筑安装公司，规上的，买了一批自动化设备三百万，能进市级技改项目库拿奖补吗")
    assert result.parts[0].lines[0].startswith("按文件不符合") and "不属于工业企业" in text
    result, _ = ask("陆安这边，规上企业，搞自动化改造，投150万，已经备案了，能入库不")
    assert result.region == "六安市"


def test_places_outside_or_beside_a_covered_region_are_told_apart(ask):
    _, text = ask("我们厂在寿县，寿县以前归六安管的，现在六安的技改奖补政策我们还能用吗")
    assert "没有收录寿县" in text and "寿县的企业不适用" in text
    _, text = ask("霍邱县自己对技改项目有没有额外的配套补贴？县里的文件你们有没有")
    assert "我没有收录霍邱县自己的政策文件" in text and "没有规定县区配套奖励" in text
    _, text = ask("安徽省里对新认定的省级智能工厂奖多少钱？六安市里又奖多少？")
    assert "没有收录安徽省" in text and "省级智能工厂50万元" in text
    _, text = ask("南宁的企业，听说新认定省级绿色工厂有20万奖励，我们评上自治区级绿色工厂能拿20万吗")
    assert "没有规定固定的奖补金额" in text and "是《六安市规模工业企业技术改造提升行动（征求意见稿）》的规定" in text
    _, text = ask("湖南有没有类似千企技改的工程？门槛多少")
    assert "没有收录湖南" in text and "500万" not in text


def test_rd_figures_said_in_other_ways_are_computed(ask):
    _, text = ask("应纳税所得额800万，这个数是已经把研发费用360万的加计扣除算进去之后的了，25%税率，今年交多少？")
    assert "800 × 25% = 200万元" in text and "440" not in text
    _, text = ask("研发费用300万，研发过程中做出来的中试产品卖了50万，税率25%，加计扣除能少交多少")
    assert "300 − 50 = 250万元" in text and "少缴企业所得税62.5万元" in text and "试生产" not in text
    _, text = ask("研发费用账上是600万，不过里面有100万其实是生产线日常的质量检测费用，税率25%，加计扣除能省多少")
    assert "600 − 100 = 500万元" in text and "少缴企业所得税125万元" in text and "一次性" not in text
    _, text = ask("高新企业，去年营业收入2个亿，研发投入占收入5%，研发费用加计扣除能少交多少税")
    assert "20000 × 5% = 1000万元" in text and "少缴企业所得税150万元" in text


def test_two_transfers_are_summed_and_a_credit_taken_is_paid_back_on_lease(ask):
    _, text = ask("非高新企业，今年转让了两项专利，一项所得300万，一项所得400万，企业所得税要交多少")
    assert "300 + 400 = 700万元" in text and "200×12.5%=应纳25万元" in text
    _, text = ask("前年买的节能设备抵免了30万，今年想把它租给兄弟公司用；另外今年又新买了安全生产专用设备200万，这两件事税上怎么处理")
    assert "须补缴已经抵免的30万元" in text and "200万元×抵免比例10%=可抵免企业所得税20万元" in text and "230" not in text


def test_materials_of_a_subsidy_are_deferred(ask):
    result, text = ask("六安的设备（软件）补贴，申请的时候要不要提供设备发票和付款凭证？")
    assert result.kind == "deferral" and "没有规定需要提交的具体材料" in text


def test_a_listed_industrys_share_a_transfer_net_of_costs_and_a_higher_rate_are_read(ask):
    _, text = ask("我们主业是做机械制造的，但也有一块贸易批发业务，占收入三成左右，研发费用400万还能加计扣除吗？能省多少")
    assert "未超过50%，不算负面清单企业" in text and "少缴企业所得税100万元" in text  # 400 × 25%
    _, text = ask("今年把一项发明专利转让出去了，扣掉成本税费以后所得大概七百万，企业所得税25%，这个要交多少税")
    assert "200×12.5%=应纳25万元" in text
    _, text = ask("研发费用加计扣除现在是按百分之多少加计？有没有比例更高的")
    assert "120%" in text and "集成电路" in text


def test_an_intangibles_years_known_count_this_years_saving_in_the_total(ask):
    _, text = ask("研发支出300万费用化，另外形成专利无形资产500万，按10年摊销，还买了台200万的节能专用设备在目录里，"
                  "所得税25%，今年一共能少交多少")
    assert "合计少缴约 87.5 + 20 = 107.5万元" in text and "费用化部分 300 × 25% = 75万元" in text
    assert "少缴企业所得税200万元" not in text  # (300 + 500) × 25% spreads over the years
    _, text = ask("今年研发支出1000万，其中800万费用化，200万资本化形成了无形资产，分10年摊。税率25%。费用化那部分今年能省多少？")
    assert "800 × 100% + 20 = 820万元" in text and "250万" not in text


def test_a_building_beside_equipment_leaves_the_equipment_computed(ask):
    _, text = ask("我们新建了一栋厂房800万，还买了一台300万的设备，两个都能一次性税前扣除吗")
    assert "厂房等房屋、建筑物（800万元）不适用" in text and "首年少缴（递延）企业所得税75万元" in text  # 300 × 25%
    _, text = ask("2025年我们新建了一栋厂房花了300万，300万没超过500万，能一次性税前扣除吗？")
    assert "不适用" in text and "75万" not in text


def test_the_firms_figure_right_on_the_line_and_a_bare_head_count_are_read(ask):
    _, text = ask("小微企业标准里的应纳税所得额不超过300万，正好300万算不算？我们人数120、资产3000万。税要交多少")
    assert "✓ 年应纳税所得额300万元" in text and "✓ 从业人数120人" in text and "300 × 5% = 15万元" in text


def test_materials_and_size_criteria_asked_in_other_words_are_answered(ask):
    _, text = ask("进口一台设备想免关税，需要办什么文件")
    assert "确认书" in text
    result, text = ask("六安文件里说的规模工业企业，年营业收入多少算规模以上？")
    assert result.kind == "deferral" and "规模以上工业企业的认定标准" in text


def test_a_firms_tax_record_asks_no_tax_question_of_a_programme(ask):
    result, text = ask("我们企业纳税信用是D级，还能报千企技改吗", regions_named=["广西壮族自治区"])
    assert result.kind == "deferral" and "《广西“千企技改”工程实施方案（修订征求意见稿）》没有规定企业信用等级的要求" in text
    assert "12366" not in text and "独立法人资格" in text
    result, text = ask("六安的，纳税信用C级，投资300万的自动化项目能入库吗")
    assert result.start_form and "没有规定" in text and "12366" not in text
    _, text = ask("纳税信用C级能申请留抵退税吗")
    assert "不适用" in text and "信用等级的要求" not in text


def test_several_units_and_amounts_in_other_shapes_are_read(ask):
    _, text = ask("2025年新买了三台设备：A 480万，B 520万，C 100万（都是单台价格）。哪些能一次性税前扣除，一次性扣除的金额合计多少？")
    assert "共580万元" in text and "单位价值超过500万元的设备（520万元）不能一次性扣除" in text  # 480 + 100
    _, text = ask("高新企业，研发费用一百万。另外买了一台节能专用设备，专票价税合计339万（其中增值税39万，可以抵扣），"
                  "运输安装调试又花了20万。设备抵免能抵多少？研发能省多少？")
    assert "339 − 39 = 300万元" in text and "可抵免企业所得税30万元" in text and "少缴企业所得税15万元" in text
    _, text = ask("前年买的环保设备还有30万抵免额没抵完（结转下来的），今年应纳税额80万，今年又买了安全生产专用设备200万（目录内）。"
                  "今年最后交多少所得税？")
    assert "30 + 20 = 50万元" in text and "80 − 50 = 30万元" in text and "230" not in text


def test_what_a_unit_or_an_rd_total_is_said_to_be_is_kept(ask):
    _, text = ask("今年研发费用300万，其中有100万的项目最后失败了；另外买了80万的节水专用设备（目录内）。25%税率，一共能少交多少？")
    assert "少缴企业所得税75万元" in text and "75 + 8 = 83万元" in text  # failed R&D counts: 300 × 25%
    result, text = ask("我们用政府给的财政拨款500万买了环保专用设备，目录里的，能按10%抵免所得税吗")
    assert "专用设备投资抵免：不适用" in text and "一次性" not in text.split("依据")[0].replace("不能一次性", "")
    _, text = ask("制造业企业，今年新建了一栋厂房1000万，买了生产设备300万。这两样能不能一次性税前扣除？")
    assert "厂房等房屋、建筑物（1000万元）不适用" in text and "共300万元" in text


def test_income_after_the_deduction_a_retrofit_beside_a_purchase_and_a_share_after_a_comma(ask):
    _, text = ask("高新企业，今年应纳税所得额800万，这个数是已经算过研发加计扣除之后的（研发费用300万）。另外买了节能专用设备两百万，"
                  "目录里的。今年应交多少所得税？")
    assert "800 × 15% = 120万元" in text and "120 − 20 = 100万元" in text
    _, text = ask("2025年我们对一台目录内的节能节水专用设备做了数字化改造，改造花了300万，这台设备原来的计税基础是400万；"
                  "另外今年新买了100万的节能专用设备。这两块能抵免多少所得税？")
    assert "200 × 10% = 可抵免企业所得税20万元" in text and "可抵免企业所得税10万元" in text and "20 + 10 = 30万元" in text
    _, text = ask("我们是制造企业，但有35%左右的收入来自批发贸易。听说批发零售不能享受研发加计扣除，那我们今年200万研发费用还能加计吗？税率25%")
    assert "批发和零售业收入占35%，未超过50%" in text and "少缴企业所得税50万元" in text


def test_excluded_industries_and_routine_installation_in_other_words(ask):
    _, text = ask("我们是做工程机械设备租赁的公司，今年也花了三百万搞研发（智能调度系统），税率25%，能加记扣除吗")
    assert "租赁和商务服务业在负面清单上" in text and "75万" not in text
    _, text = ask("技改买了一套行业里已经很成熟的自动化设备，照着厂家方案装好调试，花了四百万，这个能算研发费用加计扣除吗？25%税率")
    assert "研发费用加计扣除：不适用" in text and "100万" not in text


def test_the_two_rates_stacking_is_left_to_the_tax_office(ask):
    result, text = ask("我们既是高新技术企业，应纳税所得额又在300万以内、人数资产也符合小微，能不能15%和小微5%叠加，按更低的税率算？")
    assert "能否叠加，政策摘要没有核实" in text and "12366" in text


def test_a_term_a_document_only_names_is_quoted_from_it(ask):
    _, text = ask("容缺审批是什么意思")
    assert "试行“容缺”审批" in text and "只提到“容缺审批”，没有规定它的具体界定" in text and "零土地" not in text
    _, text = ask("一室一中心是指啥")
    assert "“一室一中心”" in text and "都没有规定" not in text
    _, text = ask("广西文件说项目要属于鼓励类或允许类，啥叫允许类？我们的项目在目录里没找着，算哪一类")
    assert "目录未列明的项目按“允许类”判断" in text


def test_figures_in_words_and_a_credit_said_are_read(ask):
    _, text = ask("我们年应纳税所得额二百八十万，员工三百二十人，资产总额四千万，算小型微利企业吗？能按5%交吗")
    assert "✗ 从业人数320人" in text and "280 × 25% = 70万元" in text and "14万" not in text
    _, text = ask("小微企业所得税实际税负到底是多少？我们所得二百万（人数资产都符合）要交多少")
    assert "200 × 5% = 10万元" in text
    _, text = ask("专用设备投资抵免算下来能抵30万，可今年应纳税额只有20万，剩下的怎么办，能留几年")
    assert "30 − 20 = 10万元结转以后5个纳税年度抵免" in text and "一次性" not in text
    _, text = ask("买了台环保设备，价税合计113万（专票，进项13万能抵），运输安装又花了5万；另外研发费用200万，税率25%。能省多少？")
    assert "113 − 13 = 100万元" in text


def test_a_firm_placed_by_a_size_word_and_an_area_cap_in_words(ask):
    _, text = ask("阜阳的规上企业能不能进六安的市级技改项目库？离得也不远")
    assert "没有收录阜阳" in text and "阜阳的企业不适用" in text
    _, text = ask("广西的，原厂区总建筑面积两万平方米，想提高容积率加点服务型制造的设施，最多加多少平还能不交土地出让金？")
    assert "× 15% = 3000平方米" in text


@pytest.mark.parametrize("text, scope, detail", [
    ("六安那个文件说市级技改示范项目每个奖励50万，这个示范项目的遴选条件是啥？每年评几个名额？", "六安", "市级技改示范项目的评选条件和名额"),
    ("市产投公司投资失败容忍率“可在现有基础上再放宽5个百分点”——那现有基础是多少？", "六安", "现有的投资失败容忍率"),
    ("遴选条件说优先支持“产品市场份额占比高的高成长性企业”，市场份额要占到多少才算占比高？", "广西", "市场份额占比高的标准"),
    ("容缺受理是给“符合条件的守信主体”的，守信主体要什么条件？", "广西", "守信主体的条件"),
    ("广西对技改项目实行审批目录清单管理，这个清单里都有哪些项目？", "广西", "审批目录清单的具体内容"),
    ("广西的，申报材料差个环评批复，哪些材料能容缺", "广西", "可以容缺的材料"),
    ("绿色化改造里说以节能环保“五个一百”提升行动为基础，“五个一百”是哪五个一百？", "六安", "“五个一百”提升行动的具体内容"),
])
def test_what_a_clause_leaves_unsaid_is_deferred_in_its_own_document(ask, text, scope, detail):
    result, reply = ask(text)
    assert result.kind == "deferral" and f"没有规定{detail}" in reply and scope in reply.split("没有规定")[0]


def test_a_duty_after_entry_asked_under_the_check_intent_is_answered(ask):
    result, text = ask("我们项目进了六安市级技改项目库，统计上报的时候是按技改投资报还是按一般新建项目报？",
                       intent="ask_eligibility", regions_named=["六安市"])
    assert not result.start_form and "原则上一律按照技改项目入统" in text


def test_a_deferrals_closest_rule_said_above_it_is_not_repeated(ask):
    _, text = ask("想拿六安的技改财政奖补，第一步要干啥？是直接申报奖励吗")
    assert "没有规定具体的办理流程" in text and text.count("进入项目库是享受技改财政奖补的前提") == 1


def test_a_firm_naming_only_its_trade_gets_the_conditions_before_the_check(ask):
    result, text = ask("请问下我们做白酒的，在六安，能申报技改项目库吗", intent="ask_eligibility")
    assert result.start_form and "【六安市级技改项目库】的条件" in text and "200万元以上" in text


def test_spaced_terse_terms_are_each_their_own_item(ask):
    _, text = ask("研发一千万 安全生产专用设备300万 在目录里 一般企业25% 税少多少")
    assert "少缴企业所得税250万元" in text and "可抵免企业所得税30万元" in text  # 1000 × 25%; 300 × 10%
    _, text = ask("高新企业 研发500万 技术转让所得1200万 分别怎么算")
    assert "1700" not in text and "少缴企业所得税75万元" in text  # 500 × 15%; the transfer 1200 on its own
    _, text = ask("我们研发费用分两块：一块400万形成了无形资产，按10年摊销；另一块200万直接费用化了。公司税率25%。"
                  "请问费用化那块今年能少缴多少，无形资产那块每年又能少缴多少？")
    assert "费用化部分 200 × 25% = 50万元" in text and "每年少缴 40×25% = 10万元" in text


def test_titles_counted_by_a_word_for_all_of_them_and_a_county_level(ask):
    _, text = ask("我们六安这家厂今年一口气拿了市级智能工厂、市级绿色工厂、市级数字化车间三个牌子，都是新认定的，市里一共奖多少钱？",
                  region="六安市", honors=["市级智能工厂", "市级绿色工厂", "市级数字化车间"])
    assert "20 + 10 + 10 = 40万元" in text and "10 × 3" not in text
    result, text = ask("我们在舒城县，厂里评上了县级数字化车间，市里这个技改文件能奖多少？", region="六安市", honors=["数字化车间"])
    assert result.kind == "deferral" and "没有规定县级称号（县级数字化车间）的奖励" in text


def test_rule_words_and_the_library_before_an_award_are_said(ask):
    _, text = ask("文件里写“固定资产投资500万元以上”，到底含不含500万本身？“高于2000万”又含不含2000万？")
    assert "“500万元以上”包括500万元本身" in text and "“高于2000万元”不包括2000万元本身" in text
    _, text = ask("项目没进六安的技改项目库，能不能直接申请市里的技改财政奖补？")
    assert text.startswith("不能：纳入市级技改项目库是享受技改财政奖补的前提")
    _, text = ask("我们制造业企业，年应纳税所得额280万，员工120人，资产总额3000万，算不算小型微利企业？实际税负多少")
    assert "按给出的条件，属于小型微利企业" in text and "280 × 5% = 14万元" in text
    _, text = ask("前年买的安全生产专用设备已经享受了10%抵免，今年想把它租给兄弟公司用，有没有影响？")
    assert "补缴已经抵免的税款" in text


def test_another_places_own_award_asked_beside_a_covered_one_is_said_not_held(ask):
    _, text = ask("苏州和六安的技改奖励哪个高？苏州市级示范项目奖多少", honors=["市级技改示范项目"])
    assert "没有收录苏州" in text and "市级技改示范项目：50万元" in text
    _, text = ask("我们是六安的企业，评上了安徽省级智能工厂，市里奖多少", honors=["省级智能工厂"])
    assert "没有收录" not in text and "省级智能工厂：50万元" in text


def test_a_taxable_income_alone_is_taxed_by_what_the_firm_may_be(ask):
    _, text = ask("今年应纳税所得额两百万，所得税交多少？")
    assert "200 × 25% = 50万元" in text and "200 × 5% = 10万元" in text and "200 × 15% = 30万元" in text
    assert "没有规定这个问题" not in text


def test_numbered_items_keep_their_own_amounts(ask):
    _, text = ask("麻烦算下：1.研发费用300万（一般企业）2.节能节水设备买了250万，专票税额32.5万已抵扣 3.技术转让所得200万。"
                  "分别能省多少，合计多少（递延的不算）")
    assert "费用化研发支出300万元" in text and "投资额250万元×抵免比例10%=可抵免企业所得税25万元" in text


def test_no_credit_is_computed_on_a_gross_the_user_says_was_netted(ask):
    _, text = ask("一般纳税人，所得税25%。今年研发800万；买了节能专用设备一台，发票价税合计565万（专票，进项已经抵扣了），"
                  "抵免按565还是按多少算？两项合计能省多少？")
    assert "不能按价税合计565万元算" in text and "56.5" not in text and "少缴企业所得税200万元" in text


def test_a_country_abroad_is_not_covered_and_a_partner_there_is_foreign(ask):
    result, text = ask("我们公司想在越南建厂，越南那边的技改补贴你们知道吗")
    assert "没有收录越南" in text and "50万元" not in text
    _, text = ask("委托印度一家公司做软件研发200万，能加计扣除多少")
    assert "委托境外研发200万元" in text and "委托境内" not in text


def test_this_years_start_up_said_plainly_counts_as_completion(vocab_question):
    assert vocab_question("梧州的规上企业，去年技改投了1800万今年要投产，能进千企技改吗").flags.get("completes_this_year") is True


# --- twelfth session: the kind of title asked, the incentive's own claiming point ---------

def test_an_unlisted_level_shows_only_the_levels_of_the_title_asked(ask):
    result, text = ask("你好，请问企业技术中心国家级的六安奖多少")
    assert result.kind == "deferral" and "没有规定国家级称号的奖励" in text
    assert "省级企业技术中心20万元" in text and "市级企业技术中心10万元" in text
    assert "智能工厂" not in text and "三.（二）" in text  # not the whole list, cited by the list's clause


def test_the_incentives_own_point_on_prepayment_comes_before_the_generic_form(ask):
    _, text = ask("10月预缴的时候能不能先享受研发加计扣除")
    assert text.index("10月预缴时就前三季度享受") < text.index("新的企业所得税预缴申报表")


def test_only_at_the_annual_filing_is_a_timing_question_not_who_qualifies(ask):
    _, text = ask("汇算清缴时才能享受加计扣除吗")
    assert "7月预缴申报时就上半年" in text and "负面清单" not in text


def test_a_firm_not_yet_above_size_asking_for_awards_is_told_whom_they_are_for(ask):
    _, text = ask("我们不是规上企业，能申请六安的技改奖补吗")
    assert text.startswith("不能。") and "前提" in text and "规模工业企业" in text
    assert "50万元" not in text  # not the list of title awards
    _, both = ask("规下企业能拿技改奖补吗")
    assert "可达到规模以上的小型工业企业" in both and "前提" in both  # 广西 and 六安 each by its own rule


def test_a_city_of_the_region_asking_whether_its_firms_can_apply_gets_the_conditions(ask):
    _, text = ask("南宁的企业能不能报千企技改")
    assert "500万元以上" in text and "独立法人" in text  # 广西 三（一）、三（四）


def test_a_national_incentive_asked_from_an_uncovered_place_applies_there_too(ask):
    _, text = ask("湖北的企业能享受设备一次性扣除吗")
    assert "全国统一适用" in text and "同样可以享受" in text and "没有收录湖北" in text
    assert "无法告诉您湖北的奖补标准" not in text  # the national rule is not what is missing
    assert "单位价值不超过500万元" in text


def test_a_status_denied_makes_the_rate_said_beside_it_that_statuss(ask):
    _, text = ask("听说高新企业是15%税率，不过我们还没评上高新，就是普通企业。研发费用八百万，再加150万的安全生产专用设备，能省多少？")
    assert "少缴企业所得税200万元" in text  # 800 × 100% × 25%
    assert "200 + 15 = 215万元" in text  # and 150 × 10%
    assert "120万" not in text  # 800 × 15% would be the wrong figure


def test_an_invoice_total_before_a_vat_aside_is_the_unit_not_the_vat(ask):
    _, text = ask("买了台节能节水专用设备，专票价税合计113万（税额13万已经抵扣了），另外付了运输安装费5万。研发费用300万，税率25%。抵免额和研发省的税加起来多少？")
    assert "113 − 13 = 100万元" in text and "可抵免企业所得税10万元" in text
    assert "75 + 10 = 85万元" in text  # 300 × 25% and 100 × 10%


def test_the_tariff_waived_and_the_income_tax_are_summed_when_both_are_asked(ask):
    _, text = ask("鼓励类项目进口一台自用设备，完税价格1000万，假设关税税率8%。另外研发费用400万，25%税率。进口环节能省多少？加研发一共能省多少")
    assert "80 + 100 = 180万元" in text  # 1000 × 8% and 400 × 25%


def test_the_income_left_after_the_deduction_caps_the_years_credit(ask):
    _, text = ask("一般企业25%税率，研发费用200万。做完研发加计扣除以后，应纳税所得额还剩120万。今年又买了500万的节能节水目录设备（不含税价）。"
                  "研发能省多少？设备抵免今年能抵多少，剩下的怎么办？")
    assert "120 × 25% = 30万元" in text and "50 − 30 = 20万元" in text
    assert "120 − 加计扣除 200" not in text  # the income said is already net of it


def test_a_credit_enjoyed_then_leased_out_is_paid_back(ask):
    _, text = ask("2023年买的节能设备享受了10%抵免，今年（第三年）想把它租给关联公司用，有什么影响？")
    assert "补缴已经抵免的税款" in text and "数字化、智能化改造" not in text


@pytest.mark.parametrize("text, named", [
    ("超长期特别国债支持设备更新，补助比例是多少？我们买了1500万的设备", "超长期特别国债"),
    ("工信部的产业基础再造工程专项资金，我们这种关键零部件技改能申请吗？能给多少？", "产业基础再造"),
    ("六安的亩均效益评价，A类企业有什么奖励？", "亩均效益"),
])
def test_a_scheme_not_held_is_said_not_held_and_never_priced(ask, text, named):
    result, reply = ask(text)
    assert result.kind == "deferral" and f"没有收录“{named}”" in reply
    assert "50万元" not in reply and "375万" not in reply  # no award list, no one-off deduction on 1500


def test_a_countys_own_policy_is_said_not_held(ask):
    _, text = ask("南宁武鸣区的企业，除了自治区千企技改，区里自己还有什么技改补贴？")
    assert "武鸣区本级自己的技改配套政策我没有收录" in text
    _, county = ask("我们在霍山县，县里对技改还有没有额外配套奖励？跟市里的能叠加吗")
    assert "霍山县本级" in county and "没有规定县区配套奖励" in county


def test_a_country_asked_about_as_a_place_is_not_covered_but_an_import_origin_is_not_a_place(ask):
    result, text = ask("德国对中小企业工业4.0改造有补贴吗？我们准备在德国收购一家工厂，想了解下")
    assert result.kind == "deferral" and "没有收录" in text and "50万元" not in text
    _, imported = ask("从德国进口一台设备800万，关税能免吗")
    assert "没有收录德国" not in imported and "免征关税" in imported


def test_a_title_the_schedule_does_not_list_is_named_in_the_deferral(ask):
    _, text = ask("广西对新认定的专精特新中小企业奖励多少？千企技改文件里有写吗")
    assert "没有“专精特新”" in text and "文件提到专精特新的地方是：以高成长性" in text
    _, giant = ask("广西评上了行业小巨人，千企技改给多少奖励？")
    assert "优先支持行业小巨人" in giant  # the document gives it priority, not money


@pytest.mark.parametrize("text, detail", [
    ("六安每年评多少个市级技改示范项目？每个县区有名额吗？", "市级技改示范项目的评选条件和名额"),
    ("我们是制糖企业，千企技改说产值增长率要求可根据不同行业适当调整，那制糖行业调整成多少了？", "具体行业的增长率要求"),
    ("广西文件说增加的建筑面积不超过原总建筑面积15%的不收土地出让金，那要是超过了15%，超出部分怎么收？", "超出部分补缴土地出让金的标准"),
    ("六安的技改奖补资金，认定下来以后到哪个窗口申领？哪个部门发钱？", "奖补的申领窗口和发放部门"),
    ("我们在梧州，厂子因为环保问题目前还在停产整顿，想趁这个机会报千企技改项目，条件上有问题吗", "停产整顿期间能否申报"),
])
def test_details_the_documents_leave_open_are_deferred_by_name(ask, text, detail):
    result, reply = ask(text)
    assert result.kind == "deferral" and detail in reply and "没有规定" in reply


def test_a_project_that_adds_capacity_is_told_the_no_new_capacity_clause_is_not_its(ask):
    result, text = ask("六安的钢厂，技改的时候顺便要扩一点产能，还能适用那个“可以由县区主管部门备案”的条款吗？")
    assert text.startswith("不适用“不新增产能、产品品种”的那一条") and result.offer_handoff
    _, same = ask("六安的钢铁企业做安全环保技改，不新增产能，可以由县区主管部门备案吗")
    assert "不适用“不新增产能" not in same and "县区主管部门备案" in same


def test_a_firm_placed_in_an_uncovered_city_is_told_the_citys_policy_is_not_held(ask):
    result, text = ask("马鞍山的钢铁企业，做安全环保技改不新增产能，是不是也能由县区主管部门备案？六安文件里有这条")
    assert "马鞍山" in text and "没有收录" in text and "可以由县区主管部门备案" not in text.split("\n")[0]


def test_whether_a_step_is_needed_is_answered_by_the_point_that_says_it_is_not(ask):
    _, text = ask("研发费用加计扣除要不要先去税务局备案？")
    assert text.startswith("研发费用加计扣除事先不需要备案")


def test_whether_the_programme_is_only_for_big_firms_is_answered_by_its_size_rule_before_the_check(ask):
    result, text = ask("千企技改是不是只给大企业？我们是中小企业，项目七百万")
    assert text.startswith("文件对企业规模的要求：") and "可达到规模以上的小型工业企业" in text
    assert "六安" not in text and result.start_form  # the programme named places it: 广西 only


def test_a_detail_cue_does_not_run_across_a_place_name(vocab_question):
    assert "安全评价和节能审查" not in vocab_question("六安评上国家级绿色工厂奖多少？").details  # 六[安评]上
    assert "安全评价和节能审查" in vocab_question("技改项目要做安评吗").details


def test_an_amount_listed_in_the_unlisted_level_deferral_is_not_said_again(ask):
    _, text = ask("六安评上国家级绿色工厂奖多少？省级的呢", honors=["国家级绿色工厂", "省级绿色工厂"])
    assert "只列出了市级、省级称号：省级绿色工厂20万元；市级绿色工厂10万元" in text
    assert "省级绿色工厂：20万元" not in text and "安全评价" not in text


def test_several_units_asked_together_are_answered_unit_by_unit_first(ask):
    _, text = ask("我们同时买了三台设备，一台600万，一台300万，一台100万，都能一次性扣除吗")
    assert text.startswith("不是都能：单位价值不超过500万元的（300万元、100万元）可以一次性扣除，600万元的不能。")
    assert "首年少缴（递延）企业所得税100万元" in text  # (300 + 100) × 25%
    assert text.index("共400万元") < text.index("最短可缩至6年")  # the methods for the 600万 unit after


def test_whether_filing_may_precede_the_environmental_approval_is_deferred(ask):
    result, text = ask("六安的项目环评还没批，能先备案入库吗")
    assert result.kind == "deferral" and "没有规定环评批复与项目备案的先后" in text and "生态环境部门" in text


@pytest.mark.parametrize("text, equipment", [
    ("今年研发费用五百来万，另外买了套节能节水目录里的空压机系统300万，研发加计扣除加上设备抵免，一共能少交多少企业所得税？", "可抵免企业所得税30万元"),
    ("买了台环境保护专用设备，目录里有的，设备款280万（专票，进项能抵），另外运输费和安装调试费一共20万，能抵免多少所得税", "可抵免企业所得税28万元"),
])
def test_equipment_named_by_its_kind_or_its_purpose_clauses_before_is_credited(ask, text, equipment):
    _, reply = ask(text)
    assert equipment in reply  # 300 × 10%; 280 × 10% (freight not in the base)


def test_one_unit_over_the_cap_asked_yes_or_no_is_denied_first(ask):
    _, text = ask("我们柳州的汽车配件厂，今年新买了一台压铸机，单台八百万，能不能一次性税前扣除啊？不能的话还有啥办法少交点税")
    assert text.startswith("不能。单位价值超过500万元的设备（800万元）不能一次性扣除") and "最短可缩至6年" in text
    _, imported = ask("技改项目属于鼓励类，要从德国进口一台设备，完税价格大概1000万。关税能免吗？这台设备能不能一次性在所得税前扣除")
    assert "（1000万元）不能一次性扣除" in imported and "免征关税" in imported


def test_the_rate_of_high_tech_firms_and_ordinary_firms_is_given(ask):
    _, text = ask("高新技术企业的企业所得税税率是15%还是20%啊？普通企业又是多少")
    assert "减按15%的税率" in text and "25%" in text and "没有规定" not in text
    assert "CIT" not in text  # the digest's English is not quoted as the official text


def test_when_and_whether_to_file_are_each_answered(ask):
    _, text = ask("研发费用加计扣除要不要事先去税务局备案审批？什么时候申报")
    assert text.startswith("研发费用加计扣除事先不需要备案") and "7月预缴申报时" in text


def test_a_rate_put_forward_that_the_rule_does_not_give_is_denied(ask):
    _, text = ask("高新企业技术转让超过500万那部分，是不是按15%的一半也就是7.5%交税？")
    assert text.startswith("不是7.5%。") and "12.5%" in text and "请以官方原文为准" in text
    _, right = ask("技术转让超过500万的部分是不是按12.5%交")
    assert not right.startswith("不是")


def test_after_entry_the_duty_and_what_entry_brings_are_both_said(ask):
    _, text = ask("六安的项目进了市级技改项目库以后，企业还要做啥？有啥好处")
    assert "按月报送投资统计数据" in text and "享受技改财政奖补的前提" in text and "基金投放" in text


def test_a_term_both_documents_define_is_given_in_each_and_a_place_before_the_term_is_not_the_term(ask):
    _, text = ask("啥叫技术改造？我们换几台新设备算不算")
    assert "六安文件所说的技术改造，是企业采用新技术" in text and "广西方案所说的技术改造" in text
    result, luan = ask("六安说的技术改造是指什么")
    assert result.kind == "answer" and "六安文件所说的技术改造" in luan and "没有规定" not in luan


def test_a_complaint_about_unanswered_calls_asks_for_no_phone_number(vocab_question):
    assert "联系电话" not in vocab_question("我们材料交到县里一个多月了都没人理，打电话也不接，太气人了，我要投诉").details
    assert "联系电话" in vocab_question("经信局电话是多少").details


def test_two_parts_of_one_project_are_its_investment(vocab_question):
    q = vocab_question("我们是霍邱县一家做羽绒服的规上企业，今年搞了个智能化改造，买了三百来万的设备，还上了MES系统花了五十多万，能进市级项目库吗？")
    assert q.facts["fixed_asset_investment_wan"] == 350.0 and "固定资产投资 = 设备300 + 其他50 = 350万元。" in q.derived
    two_years = vocab_question("去年设备投资了六百万，今年还准备投四百万，能进项目库吗")
    assert two_years.facts["fixed_asset_investment_wan"] != 1000.0  # another year's money is not added


def test_equipment_installed_in_a_month_is_deducted_by_that_month(ask):
    _, text = ask("设备是去年12月买的，今年1月才到货装好，一次性扣除算哪一年？")
    assert "一次性扣除计入2026年度" in text  # put to use 2026-01 → deducted in the year of 2026-02


def test_the_vat_refund_asked_is_answered_by_its_own_point_with_the_2026_caveat(ask):
    _, text = ask("请问增值税留抵退税我们制造业能不能申请，怎么申请")
    assert text.startswith("制造业企业自2022年4月起可按月申请退还增量留抵税额") and "纳税信用A级或B级" in text
    assert "增值税法施行后" in text and "尚未确认" in text
    assert "加计抵减额" not in text  # the other VAT measure of the topic is not the answer


def test_an_over_cap_unit_beside_rd_comes_after_the_estimate(ask):
    _, text = ask("我们公司研发费用去年一共花了1.2个亿，是高新企业，加计扣除能少交多少税？另外我们还有一台进口的检测设备六百万")
    assert "少缴企业所得税1800万元" in text  # 12000 × 100% × 15%
    assert text.index("少缴企业所得税1800万元") < text.index("最短可缩至6年")


def test_the_rd_base_asked_is_not_the_funds_tolerance(ask):
    _, text = ask("研发费用里的人员工资300万，直接投入200万，折旧50万，其他相关费用80万，加计扣除基数是多少")
    assert "容忍率" not in text and "300 + 200 + 50 = 550万元" in text


def test_a_listed_title_beside_an_unlisted_one_is_summed_as_far_as_the_document_goes(ask):
    result, text = ask("我司在舒城，去年被评为省级专精特新，今年又拿了省级数字化车间，市里一共能奖多少钱", honors=["省级数字化车间"])
    assert "没有“省级专精特新”" in text and "省级数字化车间：20万元" in text
    assert "按文件能确定的合计：20万元（省级专精特新文件没有规定奖励，不计入）" in text
    cites = [c for part in result.parts for c in part.citations]
    from policy_kb.answering import dedupe
    assert [c.quote for c in dedupe(cites)] == ["新认定的省级智能工厂、绿色工厂、数字化车间分别奖励50万元、20万元、20万元"]


def test_whether_two_rates_stack_is_said_unverified_beside_the_estimate(ask):
    _, text = ask("我们是高新技术企业，应纳税所得额两百万左右，人数资产也都在小微标准以内，今年研发费用一百五十万。"
                  "高新15%和小微的优惠能不能叠加？研发加计扣除大概能省多少")
    assert "少缴企业所得税22.5万元" in text  # 150 × 100% × 15%
    assert "能否叠加，政策摘要没有核实" in text and "12366" in text


def test_a_title_already_paid_is_left_out_of_this_years_sum(ask):
    _, text = ask("裕安区企业，去年评的市级企业技术中心已经拿了10万，今年又新认定了市级工业设计中心和省级数字化车间，今年能拿多少",
                  honors=["市级企业技术中心", "市级工业设计中心", "省级数字化车间"])
    assert "合计：10 + 20 = 30万元" in text and "市级企业技术中心的奖励您说已经领过" in text


def test_units_said_to_be_on_the_not_exempt_list_are_not_exempt(ask):
    _, text = ask("我们鼓励类项目要进口一批设备，其中有几台在《国内投资项目不予免税的进口商品目录》里，这几台关税能免吗")
    assert text.startswith("不能。列入该目录的设备不免关税")


def test_a_claim_missed_at_prepayment_can_still_be_made(ask):
    _, text = ask("研发费用加计扣除今年7月预缴的时候忘了报了，还能享受吗")
    assert text.startswith("可以。") and "7月未享受的不影响以后享受" in text


def test_the_citys_and_countys_own_awards_name_the_place_not_a_phrase(ask):
    _, text = ask("百色的规上铝加工企业，项目已经入选千企技改了，市里县里还有没有配套奖励，大概多少")
    assert "百色本级自己的技改配套政策我没有收录" in text and "市里县" not in text


@pytest.mark.parametrize("text", ["帮我看看明天六安天气怎么样，要去金寨县跑项目", "明天六安下雨不？要不要把厂里露天的设备盖上"])
def test_a_question_outside_policy_is_said_out_of_scope_not_checked(ask, text):
    result, reply = ask(text)
    assert not result.start_form and reply.startswith("抱歉，这个问题超出了我的范围，相关信息我没有收录")


def test_a_count_after_titles_listed_counts_the_titles():
    from policy_kb.answering import title_count
    assert title_count("我们厂今年一下评了市级智能工厂、市级绿色工厂、市级数字化车间三个，能拿多少？", "市级数字化车间") is None
    assert title_count("我们有市级数字化车间3个", "市级数字化车间") == 3.0


def test_a_branch_said_after_a_check_checks_again(ask):
    result, _ = ask("分公司没有独立法人资格，是总公司统一核算的", region="广西壮族自治区")
    assert result.start_form  # the programme's own check (独立法人) settles it


def test_money_after_entry_is_not_the_statistics_duty(ask):
    _, text = ask("入库以后多久能拿到钱")
    assert "没有规定" in text and "到账时间" in text and "统计局" not in text


def test_a_project_asking_what_it_gets_hears_first_that_investment_alone_earns_no_amount(ask):
    _, text = ask("我们公司在霍山，是做竹木加工的，想搞个自动化改造，大概投三百万，市里有补贴吗？补多少？")
    assert text.startswith("项目本身（投资300万元）按投资额能得多少，文件没有规定。")
    assert text.index("享受技改财政奖补的前提") < text.index("每个新认定称号的奖励")


def test_the_import_vat_asked_beside_the_procedure_is_answered(ask):
    _, text = ask("鼓励类项目进口设备要免税，企业要先办什么手续？进口环节增值税也一起免吗")
    assert "确认书" in text and "进口环节增值税照常征收" in text


def test_commissioned_rd_asked_by_rate_gets_the_eighty_percent(ask):
    _, text = ask("委托外部机构研发，费用能加计扣除吗？按多少算")
    assert text.startswith("委托境内研发按实际发生额的80%计入委托方研发费用")


def test_the_years_tax_says_when_the_one_time_deduction_is_left_out(ask):
    _, text = ask("我们是高新企业，今年应纳税所得额1000万，研发费用400万，买了环保设备200万，今年企业所得税要交多少")
    assert "1000 − 加计扣除 400 = 600万元，600 × 15% = 90万元（没有计入设备一次性扣除" in text
    assert "90 − 20 = 70万元" in text  # the credit, 200 × 10%


def test_the_benefit_rules_other_branch_said_by_the_firm_is_confirmed(ask):
    _, text = ask("千企技改那个效益要求，改完产值要涨多少才行？我们产值涨不了太多，但改完能从规下变规上，这样算不算数")
    assert text.startswith("算：效益要求两项满足其一即可") and "15%以上" in text


def test_a_detail_deferred_for_every_source_is_not_deferred_again_for_one(ask):
    _, text = ask("听说六安对技改项目的土地使用税有减免，具体减多少？")
    assert text.count("没有规定房产税和城镇土地使用税") == 1 and "12366" in text


def test_the_city_awards_asked_beside_a_tax_estimate_are_the_titles_not_the_one_off_deal(ask):
    _, text = ask("我们是裕安区的一家机械厂，不是高新企业，今年研发费用650万，另外买了台480万的设备。税能少多少？市里的技改奖补我们能拿吗")
    assert "少缴企业所得税162.5万元" in text  # 650 × 100% × 25%
    assert "纳入市级技改项目库是享受技改财政奖补的前提" in text and "市级技改示范项目50万元" in text
    assert not text.startswith("高端化改造强链项目")


def test_how_long_until_the_money_comes_is_deferred_with_when_the_plan_is_issued(ask):
    _, text = ask("千企技改入选了一般多久能拿到钱？项目计划什么时候公布？")
    assert "没有规定到账时间" in text and "适时印发" in text
    assert "合作银行" not in text  # not what the programme gives


def test_the_contractor_asked_beside_a_commissioned_estimate_may_not_claim_again(ask):
    _, text = ask("请教两个问题：我们委托省内一所大学做研发，合同金额250万，合同已经在科技部门登记了，这块加计扣除基数怎么算？"
                  "我们是一般企业能少交多少税？还有大学那边还能不能就这笔钱再加计扣除？")
    assert "少缴企业所得税50万元" in text  # 250 × 80% = 200; 200 × 100% × 25%
    assert "受托方不得再就同一笔费用加计扣除" in text


def test_a_title_said_as_the_firms_status_does_not_turn_an_entry_question_into_awards(ask):
    result, text = ask("我们是自治区级企业技术中心，但这次项目固定资产投资只有400万，能不能优先入选",
                       region="广西壮族自治区", honors=["自治区级企业技术中心"])
    assert result.start_form and "奖补金额" not in text


def test_a_building_renovation_is_not_equipment_for_the_one_time_deduction(ask):
    _, text = ask("厂房翻新加固花了300万，这个能一次性税前扣除吗？")
    assert "不能一次性扣除" in text and "75万" not in text  # 300 × 25% would be the wrong figure


def test_whether_transfer_income_is_the_contract_amount_is_answered_no(ask):
    _, text = ask("技术转让所得是不是就是合同金额？我们合同签了800万")
    assert text.startswith("不是。技术转让所得＝技术转让收入－技术转让成本－相关税费")


def test_materials_and_a_template_both_unsaid_are_both_named(ask):
    _, text = ask("六安技改项目入库要交哪些材料？有没有申报表模版？")
    assert "没有规定需要提交的具体材料、表格模板" in text and "备案" in text and "市经信局" in text


def test_two_firms_listed_with_their_own_rd_figures_are_estimated_each(ask):
    _, text = ask("我们集团下面有两家公司，一家是做家具制造的，一家是做建材批发的（批发收入占九成），两家今年都有研发费用，"
                  "制造那家300万，批发那家100万，都能加计扣除吗？分别能少交多少税？都按25%算")
    assert "家具制造那家（研发费用300万元）" in text and "少缴企业所得税75万元" in text  # 300 × 100% × 25%
    assert "建材批发那家（研发费用100万元）" in text and "不适用" in text and "25万" not in text  # 100 × 25% is barred


def test_a_retrofit_contract_is_the_retrofit_spending_capped_at_half_the_basis(ask):
    _, text = ask("我们有台在节能节水目录里的设备，原来的计税基础600万。2025年做数字化改造，加装数据采集和智能控制系统，合同380万，"
                  "其中安装调试费30万。按那个数字化智能化改造的10%抵免，能抵多少")
    assert "600 × 50% = 300万元" in text and "300 × 10% = 可抵免企业所得税30万元" in text
    assert "60万" not in text  # 600 × 10% would price the unit, not its retrofit


def test_the_intangibles_rate_asked_beside_an_estimate_is_the_firms_own_kind(ask):
    _, text = ask("我们是在工业母机企业清单里的高新企业，今年费用化的研发支出400万，加计比例是多少，能少交多少所得税？要是以后形成无形资产是按多少摊销")
    assert "少缴企业所得税72万元" in text  # 400 × 120% × 15%
    assert "形成无形资产的按成本的220%摊销" in text


def test_claiming_the_credit_at_prepayment_is_answered_with_its_start(ask):
    _, text = ask("环保专用设备的10%抵免，以前好像只能在汇算清缴的时候抵，现在是不是季度预缴的时候也能抵了？从什么时候开始的")
    assert text.startswith("专用设备投资抵免填报A107050；自2025年10月1日起可在预缴时享受")


def test_the_years_corporate_tax_said_in_full_limits_the_credit(ask):
    _, text = ask("我们买了台环保专用设备，不含税560万，专票已经抵扣。今年应纳企业所得税才40万，10%抵免用不完怎么办")
    assert "56 − 40 = 16万元结转" in text  # 560 × 10% = 56


def test_whether_an_award_is_taxed_is_deferred_to_the_tax_office_beside_the_amounts(ask):
    _, text = ask("六安的规上企业，今年新认定了省级企业技术中心和省级工业设计中心，两个一共奖多少？这笔奖励收到以后要不要交企业所得税",
                  honors=["省级企业技术中心", "省级工业设计中心"])
    assert "20 + 20 = 40万元" in text and "没有规定奖补收入纳税" in text and "12366" in text


def test_the_library_conditions_asked_with_how_it_runs_say_the_three_year_rolling(ask):
    _, text = ask("六安市级技改项目库的入库条件具体有哪些？这个库是一年一报还是怎么弄的")
    assert "固定资产投资200万元以上" in text and "三年滚动" in text


def test_floor_area_said_in_ping_is_measured_against_the_cap(ask):
    _, text = ask("我们厂原来总建筑面积24000平，想在原工业用地上加建研发展示和服务用房3000平，要不要交土地出让金？")
    assert "3000 ÷ 24000 = 12.5%，未超过15%" in text


def test_the_loss_carry_forward_asked_by_a_new_high_tech_firm_is_ten_years(ask):
    result, text = ask("我们去年刚评上高新，之前几年有亏损还没弥补完，现在亏损弥补期是5年还是10年")
    assert "最长可结转10年弥补" in text and result.kind != "deferral"


def test_a_minimum_share_of_rd_hours_is_deferred_with_the_allocation_rule(ask):
    result, text = ask("研发和生产共用的设备，按工时分摊折旧算研发费用，研发工时占比有没有最低要求？比如低于30%是不是就不能算了")
    assert "没有规定共用设备和人员研发工时占比的最低要求" in text and "按工时等在研发和生产之间分配" in text and "12366" in text


def test_two_workshops_newly_recognised_count_twice(ask):
    _, text = ask("六安一家规上企业，今年两个车间同时新认定为市级数字化车间，另外有两个项目都评上了市级技改示范项目，总共能拿多少奖励",
                  honors=["市级数字化车间", "市级技改示范项目"])
    assert "10 × 2 = 20万元" in text and "20 + 100 = 120万元" in text


def test_two_projects_named_with_a_word_between_count_twice(ask):
    _, text = ask("我們霍山縣的廠今年新認定了省級智能工廠，還有省級綠色工廠，另外兩個技改項目都評上了市級技改示範項目。請問按六安市的政策一共能拿多少獎勵？",
                  honors=["省级智能工厂", "省级绿色工厂", "市级技改示范项目"])
    assert "50 + 20 + 100 = 170万元" in text


def test_stacking_the_high_tech_rate_on_the_small_firms_is_deferred_not_summed(ask):
    _, text = ask("我们是高新企业，利润也就两百来万，人员资产也都在小微标准里，能不能高新15%再叠加小微的优惠，按更低的税率交？")
    assert "能否叠加，政策摘要没有核实" in text and "12366" in text and "30万" not in text  # 200 × 15%


def test_a_rate_named_in_a_yes_no_question_brings_the_rule_of_whom_it_is_for(ask):
    _, text = ask("我们是做数控机床的，研发加计扣除能按120%吗？还是100%")
    assert "列入清单的集成电路企业和工业母机企业" in text and "120%" in text


def test_a_firm_with_no_branch_in_the_region_is_told_the_programme_is_not_for_it(ask):
    result, text = ask("云南昆明的企业能不能报广西千企技改？我们在广西没有子公司也没有厂")
    assert not result.start_form and "昆明的企业不适用" in text


def test_a_small_firm_that_will_be_above_size_after_the_project_hears_it_can(ask):
    result, text = ask("北海一家小型工业企业，现在还没上规，搞完技改以后预计能上规，能不能报千企技改？")
    assert text.startswith("可以（规模这一条满足）：") and "实施技术改造后可达到规模以上的小型工业企业" in text and result.start_form


def test_the_rest_of_an_rd_total_said_with_the_intangible_part_is_expensed(ask):
    _, text = ask("我们是南宁的高新企业，研发费用今年预计1500万，其中200万形成了专利，其余费用化，能少交多少？")
    assert "费用化研发支出1300万元" in text and "少缴企业所得税225万元" in text  # (1300 + 200) × 15%


def test_whether_the_rd_deduction_lasts_past_2027_is_its_no_end_date(ask):
    _, text = ask("请问加计扣除政策2028年以后还有吗")
    assert text.startswith("研发费用未形成无形资产") and "没有截止日期" in text and "亏损" not in text


def test_two_titles_asked_together_are_each_paid(ask):
    _, text = ask("我们在霍邱，想问下绿色工厂和数字化车间能不能同时申报？两个都评上的话奖励能不能都拿", honors=["绿色工厂", "数字化车间"])
    assert text.startswith("可以：奖励按新认定的称号计发，每个称号一份")


def test_a_project_with_its_years_figures_and_filing_is_checked_whatever_rule_it_names(ask):
    result, _ = ask("北海一个项目总投资6000万，已经核准，今年计划完成650万，按30%的要求是不是差得远？还有戏吗")
    assert result.start_form


def test_equipment_and_software_beside_a_tax_question_are_the_projects_investment(vocab_question):
    q = vocab_question("我们公司在舒城，去年营收八千多万，今年上了条自动化产线，设备花了四百五十万左右，另外软件和系统集成大概六十万，"
                       "请问这个能进市里的项目库吗？设备那块税上有什么说法")
    assert q.facts["fixed_asset_investment_wan"] == 510.0 and q.facts["equipment"] == [{"value_wan": 450.0}]


def test_a_total_invested_beside_rd_and_the_city_awards_is_the_projects(vocab_question):
    q = vocab_question("今年我们研发花了大概一百二十来万，还买了两台设备，一台180万一台90万，请问今年所得税能少交多少？"
                       "另外听说市里有技改奖补，我们这种小项目能不能申请，总共投了270万，备案还没办")
    assert q.facts["rd_expense_wan"] == 120.0 and q.facts["fixed_asset_investment_wan"] == 270.0


def test_whether_a_firm_counts_as_an_ic_firm_is_asked_not_said(ask):
    result, text = ask("我們是做PCB電路板的，算不算集成電路企業，研發能不能按120%")
    assert text.startswith("列入清单的集成电路企业和工业母机企业") and not result.start_form


def test_an_income_asked_whether_taxed_is_not_the_tax_payable(vocab_question):
    q = vocab_question("我们不是高新，技术转让所得三百万要交所得税吗")
    assert q.facts == {"tech_transfer_income_wan": 300.0}


def test_the_tax_saved_and_the_titles_award_are_summed_when_asked(ask):
    _, text = ask("研发费用也有四百万，这个能省多少税？跟奖励加起来一共多少", honors=["省级数字化车间"], region="六安市")
    assert "少缴企业所得税100万元" in text and "100 + 20 = 120万元" in text  # 400 × 25%; the title's 20万


def test_a_rate_named_but_not_asked_does_not_pick_the_rule(ask):
    _, text = ask("专用设备数字化智能化改造也能抵免10%，什么样的改造算数字化智能化改造？")
    assert "数据采集" in text


def test_a_high_tech_zone_is_no_high_tech_status(vocab_question):
    assert not vocab_question("合肥高新区的企业，研发三百万能少交多少税").high_tech


def test_a_failed_rd_project_asked_beside_its_estimate_still_counts(ask):
    _, text = ask("我们有个研发项目失败了，花了一百五十万，还能加计扣除吗？能省多少")
    assert "少缴企业所得税37.5万元" in text and "失败的研发活动所发生的研发费用也可以享受" in text  # 150 × 25%


def test_disabled_staff_wages_are_deferred_to_the_tax_office(ask):
    result, text = ask("我们安置了十几个残疾职工，他们的工资能加计扣除吗？")
    assert result.kind == "deferral" and "没有规定安置残疾人员工资的加计扣除" in text and "12366" in text


def test_a_detail_that_names_an_incentive_asked_gets_its_rule_not_a_deferral(ask):
    _, text = ask("你好 我们是叶集的一家木业公司 规上 今年打算投个智能化改造 大概350万 主要是买设备 问一下 1入库要啥条件 2设备能不能抵税 3有没有贷款贴息")
    assert "设备更新贷款财政贴息每年1.5个百分点" in text and "摘要没有规定贴息" not in text


def test_a_point_asked_in_its_own_words_is_answered_beside_the_other_question(ask):
    _, text = ask("我们技改买了人家成熟的生产工艺直接用上了，这算研发吗？能加计不？还有研发失败了的费用能不能加计")
    assert "失败的研发活动所发生的研发费用也可以享受" in text and "直接应用科研成果" in text


def test_a_certificate_expiring_this_year_is_deferred_as_the_rate_of_that_year(ask):
    _, text = ask("高新企业证书今年10月到期了，还没重新认定，今年还能按15%交吗")
    assert "没有规定高新技术企业资格到期当年的税率" in text and "12366" in text
