"""Table tests for nlu.normalise: input → expected, worked out by hand."""

import pytest

from nlu.normalise import (
    Span,
    chinese_number,
    find_amounts,
    format_number,
    normalise_text,
    parse_amount,
    parse_percent,
    to_half_width,
    to_simplified,
)

# Money in 万元. Every form of docs/nlu-spec.md's table plus colloquial variants.
AMOUNTS = {
    "1500万": 1500,
    "1.5亿": 15000,
    "一千五百万": 1500,
    "三千万元": 3000,
    "两百万": 200,
    "五百万元整": 500,
    "5,000,000元": 500,
    "800w": 800,
    "800W": 800,
    "2.5千万": 2500,
    "3000万元": 3000,
    "三百五十万": 350,
    "1个亿": 10000,
    "两个亿": 20000,
    "十万": 10,
    "0.8亿": 8000,
    "一亿五千万": 15000,
    "一点五亿": 15000,
    "2千万": 2000,
    "3000 万": 3000,
    "１５００万": 1500,
    "３０００萬": 3000,
    "壹佰万元": 100,
    "十二万五千": 12.5,
    "一万五": 1.5,
    "500元": 0.05,
    "5000块钱": 0.5,
    "300万元": 300,
    "一百五十万": 150,
    "两千五百万": 2500,
    "1.2亿元": 12000,
    "12,000,000元": 1200,
    "九百万": 900,
    "八百万": 800,
    "2亿": 20000,
    "一千万": 1000,
    "20万元": 20,
    "3千万元": 3000,
    "四千五百万元": 4500,
}

NOT_AMOUNTS = ["3000", "三千", "千万别", "万一", "一下", "多少钱", "", "20%", "2024年"]

BARE_AS_WAN = {"3000": 3000, "800": 800, "三千": 3000, "一千五": 1500, "2500": 2500}

PERCENTS = {
    "20%": 20,
    "15％": 15,
    "百分之二十": 20,
    "百分之十五": 15,
    "百分之二十五": 25,
    "百分之2.5": 2.5,
    "20个点": 20,
    "两个点": 2,
    "二十个百分点": 20,
    "三成": 30,
    "3成": 30,
    "三成半": 35,
    "0.5%": 0.5,
    "30%": 30,
    "百分之三十": 30,
    "百分之百": 100,
}

NOT_PERCENTS = ["完成", "20", "二十", "成本", "百分之", "这个点"]

HALF_WIDTH = {
    "３０００万": "3000万",
    "２０％": "20%",
    "，": ",",
    "（一）": "(一)",
    "ＡＢＣ１２３": "ABC123",
    "投资\u3000500万": "投资 500万",
    "。、《》": "。、《》",
}

SIMPLIFIED = {
    "規模以上企業": "规模以上企业",
    "這個文件正式發佈了嗎": "这个文件正式发布了吗",
    "研發費用加計扣除": "研发费用加计扣除",
    "省級智能工廠": "省级智能工厂",
    "數字化車間": "数字化车间",
    "沒有備案": "没有备案",
    "獎勵多少": "奖励多少",
    "已经简体": "已经简体",
    "abc 123": "abc 123",
}


@pytest.mark.parametrize("text,expected", AMOUNTS.items())
def test_parse_amount(text, expected):
    assert parse_amount(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_not_an_amount_without_context(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize("text,expected", BARE_AS_WAN.items())
def test_bare_number_read_as_wan_when_unit_implied(text, expected):
    assert parse_amount(text, bare_unit="万") == pytest.approx(expected)


def test_bare_number_read_as_yuan():
    assert parse_amount("5000000", bare_unit="元") == pytest.approx(500)


@pytest.mark.parametrize("text,expected", PERCENTS.items())
def test_parse_percent(text, expected):
    assert parse_percent(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", NOT_PERCENTS)
def test_not_a_percent(text):
    assert parse_percent(text) is None


@pytest.mark.parametrize("text,expected", HALF_WIDTH.items())
def test_to_half_width(text, expected):
    assert to_half_width(text) == expected


@pytest.mark.parametrize("text,expected", SIMPLIFIED.items())
def test_to_simplified(text, expected):
    assert to_simplified(text) == expected


@pytest.mark.parametrize(
    "text", [*AMOUNTS, *PERCENTS, *SIMPLIFIED, *HALF_WIDTH, "乾隆皇帝", "著作權", "後來的發展"]
)
def test_normalise_text_keeps_length(text):
    assert len(normalise_text(text)) == len(text)


def test_normalise_text_combines_both():
    assert normalise_text("總投資３０００萬，已經備案") == "总投资3000万,已经备案"


@pytest.mark.parametrize(
    "text,expected",
    {"一千零五": 1005, "二十": 20, "十五": 15, "一千五": 1500, "2.5千万": 25_000_000, "abc": None}.items(),
)
def test_chinese_number(text, expected):
    assert chinese_number(text) == expected


@pytest.mark.parametrize(
    "value,expected", {3000.0: "3000", 2.5: "2.5", 0.05: "0.05", 15000.000001: "15000"}.items()
)
def test_format_number(value, expected):
    assert format_number(value) == expected


FIND = {
    "总投资1.5亿,产值增长20%": [(3, 7, 15000, "money"), (12, 15, 20, "percent")],
    "总投资3000万,今年能投800万": [(3, 8, 3000, "money"), (13, 17, 800, "money")],
    "300到500万的项目": [(0, 3, 300, "money"), (4, 8, 500, "money")],
    "买了300万的设备,研发费用八百万": [(2, 6, 300, "money"), (14, 17, 800, "money")],
    "产值能提高三成": [(5, 7, 30, "percent")],
    "增长20个点": [(2, 6, 20, "percent")],
    "2024年投了50个项目": [],
    "千万别说一下": [],
}


@pytest.mark.parametrize("text,expected", FIND.items())
def test_find_amounts(text, expected):
    found = [(s.start, s.end, pytest.approx(s.value), s.kind) for s in find_amounts(text)]
    assert found == expected


def test_find_amounts_bare_only_with_flag():
    assert find_amounts("投资3000,今年800万") == [Span(9, 13, 800.0, "money")]
    spans = find_amounts("投资3000,今年800万", bare_unit="万")
    assert spans[0] == Span(2, 6, 3000.0, "money", True)


@pytest.mark.parametrize("text", ["第3期", "2024年", "50个项目", "这3家"])
def test_bare_counts_dates_ranks_are_not_money(text):
    assert find_amounts(text, bare_unit="万") == []
