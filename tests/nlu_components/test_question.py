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
