"""Checks that the held-out NLU set is well formed and keeps to docs/nlu-spec.md.

These tests do not measure the model (that is `make bench`/`rasa test nlu`); they make sure
the yardstick itself is right: it parses with Rasa's reader, covers every intent, every entity
value is one the spec allows, every hand-normalised amount and percentage matches its text,
spans fall on jieba word boundaries, and no example was copied from the training data.
"""
from __future__ import annotations

import math
import pathlib
import re
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import stats  # noqa: E402  (sibling script, not a package)

REPO = pathlib.Path(__file__).resolve().parents[2]
TRAINING_NLU = REPO / "bot" / "rasa" / "data" / "nlu"

MAIN_INTENTS = {"ask_award", "ask_eligibility", "inform", "ask_tax_incentive", "ask_procedure",
                "ask_policy_overview"}
OTHER_INTENTS = {"greet", "goodbye", "thank", "affirm", "deny", "bot_capabilities", "compare_regions",
                 "ask_document_status", "request_human", "complain", "ask_payment_status", "out_of_scope"}
CANONICAL_HONORS = {"市级技改示范项目", "省级智能工厂", "省级绿色工厂", "省级数字化车间", "市级智能工厂",
                    "市级绿色工厂", "市级数字化车间", "省级企业技术中心", "省级工业设计中心",
                    "市级企业技术中心", "市级工业设计中心", "高端化改造强链项目"}
CLOSED_VALUES = {
    "region": {"六安市", "广西壮族自治区"},
    "direction": {"高端化", "智能化", "信息化", "自动化", "绿色化", "创新化"},
    "program": {"项目库", "千企技改"},
    "incentive": {"研发费用加计扣除", "设备一次性扣除", "专用设备投资抵免", "技术转让所得减免", "加速折旧",
                  "进口设备免税", "增值税加计抵减", "技改再贷款", "设备更新贷款贴息"},
    "catalog": {"鼓励类", "允许类", "限制类", "淘汰类"},
    "scale": {"规上", "规下"},
    "filing": {"已备案", "未备案"},
    "completion": {"年内竣工", "年内不能竣工"},
    "project_type": {"节能技改", "安全性能提升"},
}
MONEY_ENTITIES = {"investment", "investment_this_year", "amount"}
DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
          "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000}


@pytest.fixture(scope="module")
def td():
    return stats.load()


def entities(td):
    """(entity dict, normalised span text, example text) for every annotation."""
    for message in td.training_examples:
        text = message.get("text")
        for ent in message.get("entities", []):
            yield ent, stats.normalise(text[ent["start"]:ent["end"]]), text


def chinese_number_to_yuan(text: str) -> float:
    """Value of a number written with Arabic or Chinese digits and 十百千万亿 units (no unit → as is)."""
    total = section = current = 0.0
    for token in re.findall(r"\d+(?:\.\d+)?|.", text):
        if token[0].isdigit():
            current = float(token)
        elif token in DIGITS:
            current = DIGITS[token]
        elif token in SMALL_UNITS:
            section += (current or 1) * SMALL_UNITS[token]
            current = 0
        elif token == "亿":
            total, section, current = (total + section + current) * BIG_UNITS[token], 0, 0
        elif token in BIG_UNITS:
            total, section, current = total + (section + current) * BIG_UNITS[token], 0, 0
        else:
            raise ValueError(f"unexpected {token!r} in amount {text!r}")
    return total + section + current


def money_in_wan(span: str) -> float:
    """An amount span as written (1.5亿, 三千万元, 5,000,000元, 800w, 五百万元整) in 万元."""
    text = span.replace(",", "").replace("整", "").replace("个", "")
    if text.endswith("万元"):
        text = text[:-1]
    elif text.endswith("元"):
        return chinese_number_to_yuan(text[:-1]) / 10_000
    return chinese_number_to_yuan(text) / 10_000


def percent_value(span: str) -> float:
    """A percentage span (20%, 百分之二十) as a number."""
    text = span.replace("%", "").replace("百分之", "")
    return chinese_number_to_yuan(text)


@pytest.mark.parametrize("span, expected", [
    ("1500万", 1500), ("1.5亿", 15000), ("一千五百万", 1500), ("三千万元", 3000), ("两百万", 200),
    ("五百万元整", 500), ("5,000,000元", 500), ("800w", 800), ("2.5千万", 2500), ("两个亿", 20000),
    ("一百八十万", 180), ("1亿2000万", 12000),
])
def test_money_parser_matches_spec_table(span, expected):
    assert money_in_wan(span) == expected


def test_set_is_large_enough_and_covers_every_intent(td):
    counts = stats.intent_counts(td)
    assert sum(counts.values()) >= 330
    assert set(counts) == MAIN_INTENTS | OTHER_INTENTS
    assert {i: counts[i] for i in MAIN_INTENTS if counts[i] < 25} == {}
    assert {i: counts[i] for i in OTHER_INTENTS if counts[i] < 12} == {}


def test_every_entity_type_of_the_spec_is_annotated(td):
    assert set(stats.entity_counts(td)) == set(CLOSED_VALUES) | MONEY_ENTITIES | {"honor", "percent"}


def test_closed_entity_values_are_canonical(td):
    bad = [(e["entity"], e["value"], text) for e, _span, text in entities(td)
           if e["entity"] in CLOSED_VALUES and e["value"] not in CLOSED_VALUES[e["entity"]]]
    assert bad == []


def test_honor_value_is_canonical_or_the_levelless_span(td):
    """Spec: a title without its level (绿色工厂) keeps the span as value; a levelled one is canonical."""
    bad = [(e["value"], span, text) for e, span, text in entities(td) if e["entity"] == "honor"
           and e["value"] not in CANONICAL_HONORS and (e["value"] != span or re.search("[省市]", span))]
    assert bad == []


def test_money_values_match_their_text(td):
    bad = [(e["entity"], span, e["value"], text) for e, span, text in entities(td)
           if e["entity"] in MONEY_ENTITIES and not math.isclose(money_in_wan(span), float(e["value"]))]
    assert bad == []


def test_percent_values_match_their_text(td):
    bad = [(span, e["value"], text) for e, span, text in entities(td)
           if e["entity"] == "percent" and percent_value(span) != float(e["value"])]
    assert bad == []


def test_spans_fall_on_jieba_word_boundaries(td):
    import jieba

    jieba.setLogLevel(60)
    assert stats.misaligned(td, jieba.Tokenizer()) == []


def test_no_example_is_duplicated(td):
    texts = [m.get("text") for m in td.intent_examples]
    assert sorted({t for t in texts if texts.count(t) > 1}) == []


def _training_texts() -> set[str]:
    """Plain texts of the training examples (markup stripped), read without looking at intents."""
    texts = set()
    for path in TRAINING_NLU.rglob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"\s+- (.+)$", line)
            if match:
                plain = re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", match.group(1))
                texts.add(stats.normalise(plain.strip()))
    return texts


def test_no_heldout_example_appears_in_training_data(td):
    """Held-out means held out: a sentence also in bot/rasa/data/nlu would measure memory, not skill.

    Single-word social turns (你好, 谢谢, 是的 …) are bound to coincide and carry no signal, so only
    examples with an entity or of five characters or more count.
    """
    assert TRAINING_NLU.is_dir(), "training data directory moved: update TRAINING_NLU"
    training = _training_texts()
    overlap = [m.get("text") for m in td.intent_examples
               if (m.get("entities") or len(m.get("text")) >= 5) and stats.normalise(m.get("text")) in training]
    assert overlap == []
