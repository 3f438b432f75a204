"""Question analysis, as tables: the firm's facts with their roles, rule mentions, topics, aspects."""

import pytest

from nlu.question import Vocabulary, analyse
from policy_kb.store import open_kb


@pytest.fixture(scope="module")
def vocab(kb_path):
    kb = open_kb(kb_path)
    regions = {d.region: d.region for d in kb.documents()}
    regions.update(kb.aliases("region"))
    return Vocabulary.load(kb.topics(), regions)


FACTS = {
    "我们是高新企业，去年研发花了600万，还买了两百万的节能设备，税能少多少":
        {"rd_expense_wan": 600.0, "equipment": [{"value_wan": 200.0, "special_purpose": "节能节水"}]},
    "研发投入450万，应纳税额才30万": {"rd_expense_wan": 450.0, "tax_payable_wan": 30.0},
    "技术转让收入八百万要交多少税": {"tech_transfer_income_wan": 800.0},
    "六安，自动化改造，投资260万，能入库吗": {"fixed_asset_investment_wan": 260.0},
    "总投资3000万，今年投800万": {"fixed_asset_investment_wan": 3000.0, "investment_this_year_wan": 800.0},
    "設備單價不超過500萬元的才能一次性扣除嗎": {},
    "500万元以上的设备能不能加速折旧": {},
    # this round: an aside, a list going on, a list number, a tariff rate, a loan, equipment money in a programme question
    "还买了200万（不含税，专票抵了）的环保专用设备": {"equipment": [{"value_wan": 200.0, "special_purpose": "环境保护"}],
                                              "vat_deducted": 1.0},
    "买了节能设备，价税合计339万": {"equipment": [{"value_wan": 339.0, "special_purpose": "节能节水", "gross": True}]},
    "我们是一般纳税人，专票进项已经抵扣了，税率13%": {"vat_deducted": 1.0, "vat_rate_pct": 13.0},
    "专利非独占许可，许可期3年，许可费的所得200万": {"licence_years": 3.0, "tech_transfer_income_wan": 200.0},
    "两台设备：一台480万一台650万": {"equipment": [{"value_wan": 480.0}, {"value_wan": 650.0}]},
    "1、今年技术转让所得900万；2、研发费用300万": {"tech_transfer_income_wan": 900.0, "rd_expense_wan": 300.0},
    "完税价格1000万，关税税率5%": {"customs_value_wan": 1000.0, "tariff_rate_pct": 5.0},
    "设备更新贷款2000万，一年能贴多少": {"loan_wan": 2000.0},
    "六安的规上企业，技改投了600万买设备，已备案，能入库吗": {"fixed_asset_investment_wan": 600.0},
    "买了安全生产专用设备，投资一千二百万，抵免怎么算": {"equipment": [{"value_wan": 1200.0, "special_purpose": "安全生产"}]},
}


@pytest.mark.parametrize("text, facts", FACTS.items())
def test_facts_are_bound_to_their_meaning(vocab, text, facts):
    assert analyse(text, vocab).facts == facts


RULES = {
    "设备单价不超过500万元的才能一次性扣除吗": [500.0],
    "500万元以上的设备能不能加速折旧": [500.0],
    "我们买了超过500万的设备": [],  # the firm speaks of itself: a fact, not a rule
}


@pytest.mark.parametrize("text, values", RULES.items())
def test_thresholds_in_the_question_are_rule_mentions(vocab, text, values):
    assert [m.value for m in analyse(text, vocab).rule_mentions] == values


TOPICS = {
    "六安的技改项目库对投资额有门槛吗": (["program"], "threshold", ["六安市"]),
    "千企技改的项目什么时候申报，去哪里报": (["program", "plan"], "timing", []),
    "研發費用加計扣除要准备什么材料": (["rd-super-deduction"], "materials", []),
    "南宁的企业能参加千企技改吗": (["program"], "who", ["广西壮族自治区"]),
    "一次性扣除和专用设备抵免能同时享受吗": (["equipment-one-time-deduction", "special-equipment-credit"], "interaction", []),
}


@pytest.mark.parametrize("text, expected", TOPICS.items())
def test_topics_aspect_and_region(vocab, text, expected):
    topics, aspect, regions = expected
    q = analyse(text, vocab)
    assert (q.topics, q.aspect) == (topics, aspect)
    assert [r if r in ("六安市", "广西壮族自治区") else {"六安": "六安市", "广西": "广西壮族自治区"}[r]
            for r in q.regions] == regions


def test_status_industry_and_other_places(vocab):
    q = analyse("我们是合肥的小微企业，做房地产的", vocab)
    assert (q.other_places, q.small_profit, q.industry) == (["合肥"], True, "房地产业")
    assert analyse("安徽六安的企业", vocab).other_places == []


def test_a_firm_that_will_be_above_size_after_the_project_says_so(vocab):
    q = analyse("廣西這邊，我們現在還不是規上，年產值也就一千多萬，做完技改能上規，能申請千企技改嗎", vocab)
    assert q.flags == {"above_designated_size": False, "above_size_after_project": True}


FLAGS = {
    "南宁开的分公司，没有独立法人资格，投资一千二百万": {"independent_legal_person": False},
    "已经在县发改备了案": {"filed_or_approved": True},
    "核准已经批了，今年能投700万": {"filed_or_approved": True},
    "备案还在走流程没批下来": {"filed_or_approved": False},
    "核准批文拿到了，今年能干700万": {"filed_or_approved": True},
    "2500万的技改项目，备案好了": {"filed_or_approved": True},
    "项目还没拿到批文": {"filed_or_approved": False},
    "备案还没好": {"filed_or_approved": False},
    "现在还没上规，做完这个技改就能过规上线了": {"above_designated_size": False, "above_size_after_project": True},
    "今年11月投产，产值涨25%": {"completes_this_year": True},
    "明年3月投产": {"completes_this_year": False},  # next year: not completed within this one
}


@pytest.mark.parametrize("text, flags", FLAGS.items())
def test_yes_no_facts_in_words(vocab, text, flags):
    assert analyse(text, vocab).flags == flags


def test_the_firms_percentage_beside_the_rules(vocab):
    q = analyse("千企技改要求产值增长15%以上对吧？我们测算改造后工业总产值刚好增长15%", vocab)
    assert q.facts["output_growth_pct"] == 15.0 and [m.value for m in q.rule_mentions] == [15.0]
    q = analyse("今年要完成30%的投资才行？", vocab)
    assert "output_growth_pct" not in q.facts and [m.value for m in q.rule_mentions] == [30.0]
    q = analyse("研发费用500万，税率25%，加计扣除能省多少？", vocab)
    assert q.facts["income_tax_rate_pct"] == 25.0 and "rate" not in q.aspects


def test_circumstances_and_payment_words(vocab):
    assert analyse("我们是合伙企业，核定征收的", vocab).circumstances == ["partnership", "deemed_tax"]
    assert analyse("奖补资金什么时候到账", vocab).asks_payment
    assert not analyse("今年的千企技改项目计划什么时候公布？我们好安排进度", vocab).asks_payment


@pytest.mark.parametrize("text, said", [
    ("研发费用-500万能加计多少", "负数"),
    ("研发费用1e308万能省多少税", "科学计数法"),
    ("技术转让所得999999999999999999999万交多少税", "金额过大"),
    ("投资500-2000万的项目有什么要求", None),
    ("产值增长-5%还能入选吗", None),
])
def test_an_amount_no_estimate_should_use_is_named(vocab, text, said):
    message = analyse(text, vocab).unreadable_amount
    assert (said in message) if said else message is None


def test_equipment_cost_with_taxes_is_the_equipment_not_a_transfers_taxes():
    from actions.common import vocabulary
    from nlu.question import analyse

    q = analyse("2025年3月买了一台加工中心，含税费安装各项一共4,800,000元，当月就装好投用了", vocabulary())
    assert q.facts["equipment"][0]["value_wan"] == 480.0 and "transfer_taxes_wan" not in q.facts
    q = analyse("成本大概200万，相关税费100万，我们不是高新", vocabulary())
    assert q.facts == {"transfer_cost_wan": 200.0, "transfer_taxes_wan": 100.0}


def test_a_research_platform_is_a_project_not_rd_spending_or_a_website():
    from actions.common import vocabulary
    from nlu.question import analyse

    q = analyse("六安的规上公司，今年做创新化改造，建企业技术中心配套的研发平台，投了120万，已经备案，能入库吗", vocabulary())
    assert "rd-super-deduction" not in q.topics and "where" not in q.aspects and not q.details
    assert q.facts["fixed_asset_investment_wan"] == 120.0


def test_fiscal_funds_named_as_the_moneys_source_ask_no_payment():
    from actions.common import vocabulary
    from nlu.question import analyse

    assert not analyse("用财政拨款买的环保设备300万，能抵免吗", vocabulary()).asks_payment
    assert analyse("财政拨款的奖补资金还没到账", vocabulary()).asks_payment


def test_a_rate_said_as_how_the_firm_pays_is_its_income_tax_rate(vocab):
    assert analyse("研发费用去年发生了680万，我们不是高新，按25%交税，能少交多少", vocab).facts["income_tax_rate_pct"] == 25.0


def test_a_project_word_after_the_amount_still_makes_it_the_investment(vocab):
    assert analyse("广西的3000万技改项目，报千企技改之前手续上要先办好什么", vocab).facts["fixed_asset_investment_wan"] == 3000.0


def test_a_rate_asked_about_is_not_the_firms(vocab):
    assert "income_tax_rate_pct" not in analyse("我们既是高新又符合小型微利，研发100万，按15%还是按5%算？能叠加吗", vocab).facts
    assert "income_tax_rate_pct" not in analyse("俺们是小型微利企业，今年研发花了80万，加计扣除能省多少税？也是按25%算吗", vocab).facts
    assert analyse("高新企业研发500万，按15%算能省多少", vocab).facts["income_tax_rate_pct"] == 15.0


def test_a_tariff_rate_assumed_is_the_tariff(vocab):
    assert analyse("鼓励类项目，打算进口一条生产线，完税价格大概1个亿，关税税率假设8%，能免多少税", vocab).facts["tariff_rate_pct"] == 8.0


def test_not_yet_above_size_is_no_payment_and_reaching_it_after_the_project_is_read(vocab):
    q = analyse("我们在玉林，是小型工业企业，现在还没到规上，做完这个技改后产值能上去，够得上规上。千企技改对我们开放吗？", vocab)
    assert not q.asks_payment
    assert q.flags.get("above_designated_size") is False and q.flags.get("above_size_after_project") is True


def test_a_two_year_build_is_no_completion_this_year(vocab):
    q = analyse("我们项目固定资产投资2000万，建设期要两年，今年只能完成一半左右。按千企技改的要求行不行？", vocab)
    assert q.completion_denied and q.facts["fixed_asset_investment_wan"] == 2000.0


def test_the_income_left_after_the_deduction_is_taxable_income_net_of_it(vocab):
    q = analyse("研发费用200万。做完研发加计扣除以后，应纳税所得额还剩120万", vocab)
    assert q.facts["taxable_income_wan"] == 120.0 and q.facts.get("income_after_deductions")
    assert "transfer_cost_wan" not in q.facts


def test_when_only_at_the_annual_filing_is_asked_is_timing(vocab):
    q = analyse("汇算清缴时才能享受加计扣除吗", vocab)
    assert "timing" in q.aspects and "who" not in q.aspects
