"""The Rasa components run on real rasa Message objects (no training needed)."""

import pytest
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components import AmountEntityExtractor, ChineseTextNormaliser, KBEntityExtractor
from nlu.errors import AliasSourceError, ResourceError
from nlu.tables import read_table
from nlu.terms import Term, TermMatcher, merge_entities

# A small stand-in for the knowledge base's aliases (same shape as KnowledgeBase.aliases).
KB_ALIASES = {
    "region": {"全国": "全国", "六安": "六安市", "皖西": "六安市", "广西": "广西壮族自治区", "桂": "广西壮族自治区"},
    "honor": {"技改示范项目": "市级技改示范项目", "强链项目": "高端化改造强链项目"},
    "direction": {"机器换人": "自动化", "数字化": "信息化", "智能化改造": "智能化"},
    "program": {"千企技改": "千企技改", "技改项目库": "项目库", "入库": "项目库"},
    "incentive": {"加计扣除": "研发费用加计扣除", "研发费加计": "研发费用加计扣除"},
}


@pytest.fixture(scope="module")
def tokenizer():
    return JiebaTokenizer(JiebaTokenizer.get_default_config(), None, None)


@pytest.fixture(scope="module")
def kb_extractor():
    return KBEntityExtractor({}, None, None, TermMatcher.build(KB_ALIASES))


def run(text, tokenizer, kb_extractor, entities=()):
    """Normaliser → jieba → (DIET's `entities`) → amounts → KB terms, like config.yml."""
    message = Message({"text": text})
    ChineseTextNormaliser().process([message])
    tokenizer.process([message])
    message.set("entities", [dict(e) for e in entities])
    AmountEntityExtractor({}).process([message])
    kb_extractor.process([message])
    return message


def triples(message):
    text = message.get("text")
    return [(e["entity"], text[e["start"] : e["end"]], e["value"]) for e in message.get("entities")]


# --- ChineseTextNormaliser -----------------------------------------------------------
def test_normaliser_rewrites_message_text():
    message = Message({"text": "規模以上企業，投資３０００萬"})
    ChineseTextNormaliser().process([message])
    assert message.get("text") == "规模以上企业,投资3000万"


def test_normaliser_leaves_intent_commands_alone():
    message = Message({"text": "/inform{\"region\": \"六安市\"}"})
    ChineseTextNormaliser().process([message])
    assert message.get("text") == "/inform{\"region\": \"六安市\"}"


def test_normaliser_on_training_data_keeps_entity_offsets_and_fixes_written_values():
    example = Message(
        {
            "text": "我們是規上企業，投資３０００萬",
            "intent": "inform",
            "entities": [
                {"entity": "scale", "start": 3, "end": 5, "value": "規上"},
                {"entity": "investment", "start": 10, "end": 15, "value": "3000"},
            ],
        }
    )
    data = ChineseTextNormaliser().process_training_data(TrainingData([example]))
    out = data.training_examples[0]
    assert out.get("text") == "我们是规上企业,投资3000万"
    assert [out.get("text")[e["start"] : e["end"]] for e in out.get("entities")] == ["规上", "3000万"]
    assert [e["value"] for e in out.get("entities")] == ["规上", "3000"]


# --- AmountEntityExtractor ------------------------------------------------------------
AMOUNT_CASES = {
    "总投资3000万,今年能投800万": [("investment", "3000万", "3000"), ("investment_this_year", "800万", "800")],
    "項目投1.5億": [("investment", "1.5亿", "15000")],
    "年内完成八百万": [("investment_this_year", "八百万", "800")],
    "买了300万的环保设备能抵多少税": [("amount", "300万", "300")],
    "研发费用八百万,总投资1.5亿": [("amount", "八百万", "800"), ("investment", "1.5亿", "15000")],
    "技术转让收入600万": [("amount", "600万", "600")],
    "产值能增长百分之二十": [("percent", "百分之二十", "20")],
    "产值能提高三成": [("percent", "三成", "30")],
    "增长１５％": [("percent", "15%", "15")],
    "不对,是2500万": [("investment", "2500万", "2500")],
    "3000万,已经备案": [("investment", "3000万", "3000"), ("filing", "已经备案", "已备案")],
    "投资3000,已经备案": [("investment", "3000", "3000"), ("filing", "已经备案", "已备案")],
    "800": [("investment", "800", "800")],
    "5,000,000元的项目": [("investment", "5,000,000元", "500")],
    "2024年有50个项目": [],
    # Award amounts asked about and bounds are not facts about the firm.
    "省智能工厂五十万是真的吗": [("honor", "省智能工厂", "省级智能工厂"), ("amount", "五十万", "50")],
    "评上省级绿色工厂能拿几十万吗": [("honor", "省级绿色工厂", "省级绿色工厂")],
    "市级设计中心奖十万对吗": [("honor", "市级设计中心", "市级工业设计中心"), ("amount", "十万", "10")],
    "投资不够两百万也行吗": [],
    "88": [],
    # A weak investment cue loses to a this-year or amount cue in the same clause.
    "今年计划完成投资800万": [("investment_this_year", "800万", "800")],
    "研发投入800万": [("amount", "800万", "800")],
    "我们工厂投资3000万": [("investment", "3000万", "3000")],
    "请问投资180万的设备更新项目": [("investment", "180万", "180")],
    "300万的设备能一次性扣除吗": [("amount", "300万", "300")],
    # The cue may sit in the clause before the number.
    "今年能完成三分之一左右,大概1000万": [("investment_this_year", "1000万", "1000")],
}


@pytest.mark.parametrize("text,expected", AMOUNT_CASES.items())
def test_amount_entities(text, expected, tokenizer, kb_extractor):
    assert triples(run(text, tokenizer, kb_extractor)) == expected


def test_amount_extractor_replaces_diet_values_and_names_itself(tokenizer, kb_extractor):
    diet = [{"entity": "investment", "start": 3, "end": 8, "value": "3000万", "extractor": "DIETClassifier"}]
    message = run("总投资3000万", tokenizer, kb_extractor, diet)
    assert message.get("entities") == [
        {"entity": "investment", "start": 3, "end": 8, "value": "3000", "extractor": "AmountEntityExtractor"}
    ]


def test_diet_type_kept_when_no_cue(tokenizer, kb_extractor):
    diet = [{"entity": "investment_this_year", "start": 0, "end": 4, "value": "800万", "extractor": "DIETClassifier"}]
    assert triples(run("800万吧", tokenizer, kb_extractor, diet)) == [("investment_this_year", "800万", "800")]


def test_cue_overrides_diet_type(tokenizer, kb_extractor):
    diet = [{"entity": "investment", "start": 4, "end": 8, "value": "300万", "extractor": "DIETClassifier"}]
    assert triples(run("研发费用300万", tokenizer, kb_extractor, diet)) == [("amount", "300万", "300")]


def test_diet_amount_without_a_number_is_dropped(tokenizer, kb_extractor):
    diet = [{"entity": "investment", "start": 0, "end": 2, "value": "很多", "extractor": "DIETClassifier"}]
    assert triples(run("很多钱", tokenizer, kb_extractor, diet)) == []


# --- KBEntityExtractor -------------------------------------------------------------
TERM_CASES = {
    "六安省智能工厂奖励多少": [("region", "六安", "六安市"), ("honor", "省智能工厂", "省级智能工厂")],
    "評上市級綠色工廠和數字化車間一共能拿多少錢": [
        ("honor", "市级绿色工厂", "市级绿色工厂"),
        ("honor", "数字化车间", "数字化车间"),
    ],
    "省级和市级的智能工厂能拿多少": [("honor", "省级", "省级智能工厂"), ("honor", "市级的智能工厂", "市级智能工厂")],
    "我们是广西的规模以上企业,想问问能不能入选千企技改": [
        ("region", "广西", "广西壮族自治区"),
        ("scale", "规模以上", "规上"),
        ("program", "千企技改", "千企技改"),
    ],
    "还不是规上,还没备案,年底完不了工": [
        ("scale", "还不是规上", "规下"),
        ("filing", "还没备案", "未备案"),
        ("completion", "年底完不了工", "年内不能竣工"),
    ],
    "机器换人和数字化改造都支持吗": [("direction", "机器换人", "自动化"), ("direction", "数字化", "信息化")],
    "节能改造项目属于鼓励类": [("project_type", "节能改造", "节能技改"), ("catalog", "鼓励类", "鼓励类")],
    "研发费加计怎么算": [("incentive", "研发费加计", "研发费用加计扣除")],
    "桂林的企业": [],
    "我们在桂": [("region", "桂", "广西壮族自治区")],
    "技改示范项目奖多少": [("honor", "技改示范项目", "市级技改示范项目")],
    "市级只能工厂": [("honor", "市级只能工厂", "市级智能工厂")],
    # 入库 is a verb here; only an explicit name of the library is an entity.
    "我们能不能入库": [],
    "能进技改项目库吗": [("program", "技改项目库", "项目库")],
}


@pytest.mark.parametrize("text,expected", TERM_CASES.items())
def test_term_entities(text, expected, tokenizer, kb_extractor):
    assert triples(run(text, tokenizer, kb_extractor)) == expected


def test_diet_value_mapped_to_canonical(tokenizer, kb_extractor):
    diet = [{"entity": "region", "start": 0, "end": 3, "value": "六安的", "extractor": "DIETClassifier"}]
    message = run("六安的政策", tokenizer, kb_extractor, diet)
    assert message.get("entities") == [
        {
            "entity": "region",
            "start": 0,
            "end": 3,
            "value": "六安市",
            "extractor": "DIETClassifier",
            "processors": ["KBEntityExtractor"],
        }
    ]


def test_no_fill_alias_still_maps_diet_value(tokenizer, kb_extractor):
    diet = [{"entity": "program", "start": 2, "end": 4, "value": "入库", "extractor": "DIETClassifier"}]
    assert triples(run("能否入库", tokenizer, kb_extractor, diet)) == [("program", "入库", "项目库")]


def test_national_is_not_a_region(tokenizer, kb_extractor):
    assert triples(run("全国都适用吗", tokenizer, kb_extractor)) == []


def test_same_span_found_by_diet_is_not_duplicated(tokenizer, kb_extractor):
    diet = [{"entity": "honor", "start": 0, "end": 5, "value": "省级智能工厂", "extractor": "DIETClassifier"}]
    message = run("省智能工厂奖多少", tokenizer, kb_extractor, diet)
    assert [(e["entity"], e["extractor"]) for e in message.get("entities")] == [("honor", "DIETClassifier")]


def test_longer_span_with_more_information_replaces_diet(tokenizer, kb_extractor):
    diet = [{"entity": "honor", "start": 2, "end": 6, "value": "智能工厂", "extractor": "DIETClassifier"}]
    message = run("省级智能工厂", tokenizer, kb_extractor, diet)
    assert triples(message) == [("honor", "省级智能工厂", "省级智能工厂")]


def test_longer_span_with_same_value_keeps_diet_span(tokenizer, kb_extractor):
    diet = [{"entity": "scale", "start": 0, "end": 2, "value": "规上", "extractor": "DIETClassifier"}]
    assert triples(run("规模以上", tokenizer, kb_extractor, diet)) == [("scale", "规模", "规上")]


def test_amounts_are_never_replaced_by_terms():
    existing = [{"entity": "investment", "start": 0, "end": 4, "value": "3000"}]
    merged = merge_entities(existing, [Term(0, 6, "region", "六安市")], "x", protected=["investment"])
    assert merged == existing


def test_matcher_survives_persistence():
    matcher = TermMatcher.build(KB_ALIASES)
    again = TermMatcher.from_json(matcher.to_json())
    assert again.find("六安省级和市级的绿色工厂") == matcher.find("六安省级和市级的绿色工厂")


def test_kb_required_but_missing_is_a_named_error(tmp_path):
    config = {**KBEntityExtractor.get_default_config(), "kb_path": str(tmp_path / "none.sqlite")}
    with pytest.raises(AliasSourceError):
        KBEntityExtractor.build_matcher(config)


def test_malformed_rule_table_names_file_and_line(tmp_path):
    table = tmp_path / "bad.txt"
    table.write_text("# comment\nfiling\t已备案\n", encoding="utf-8")
    with pytest.raises(ResourceError, match="bad.txt:2"):
        read_table(table, 3)
