"""Chinese text normalisation and money/percent parsing (pure Python, no Rasa).

Everything here keeps character offsets stable: entity offsets in the training data
and in Rasa messages are computed on the normalised text, so `normalise_text` never
changes the length of its input.

Examples:
    >>> normalise_text("規模以上企業，投資３０００萬")
    '规模以上企业,投资3000万'
    >>> parse_amount("1.5亿")
    15000.0
    >>> parse_percent("百分之二十")
    20.0
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator, List, NamedTuple, Optional, Tuple

# --- full-width → half-width --------------------------------------------------------
# The FF01–FF5E block mirrors ASCII 21–7E at a fixed offset; U+3000 is the ideographic
# space. Chinese-only punctuation (。、《》) has no ASCII twin and is kept.
_FULL_WIDTH_OFFSET = 0xFEE0
_HALF_WIDTH_TABLE = {code: code - _FULL_WIDTH_OFFSET for code in range(0xFF01, 0xFF5F)}
_HALF_WIDTH_TABLE[0x3000] = 0x20


def to_half_width(text: str) -> str:
    """Turn full-width ASCII forms into ASCII: ``"３０００万，２０％"`` → ``"3000万,20%"``."""
    return text.translate(_HALF_WIDTH_TABLE)


# --- traditional → simplified -------------------------------------------------------
@lru_cache(maxsize=1)
def _t2s():
    """The OpenCC converter, created once (loading its dictionaries takes ~0.1 s)."""
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified ones without changing the length.

    OpenCC converts phrase by phrase, which is more accurate than character by
    character, but a phrase rule may in principle change the length; entity offsets
    depend on the length, so such a result is discarded for a per-character conversion.
    """
    if text.isascii():
        return text
    converter = _t2s()
    whole = converter.convert(text)
    if len(whole) == len(text):
        return whole
    return "".join(_convert_char(converter, ch) for ch in text)


def _convert_char(converter, ch: str) -> str:
    """One character converted, or kept when its conversion is not one character."""
    out = converter.convert(ch)
    return out if len(out) == 1 else ch


def normalise_text(text: str) -> str:
    """Half-width and simplified form of `text`, same length (used before tokenising)."""
    return to_simplified(to_half_width(text))


# --- Chinese numerals -----------------------------------------------------------------
CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5,
    "六": 6, "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5,
    "陆": 6, "柒": 7, "捌": 8, "玖": 9,
}
CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
YUAN_PER_WAN = 10_000

_D = "".join(CN_DIGITS)
_S = "".join(CN_SMALL_UNITS)
_B = "".join(CN_BIG_UNITS)
_AR = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A Chinese numeral starts with a digit or 十 (never 万/千: "万一", "千万别" are words).
_CN = rf"[{_D}十拾](?:[{_D}{_S}{_B}]|点(?=[{_D}]))*"
_NUM = rf"(?:{_AR})\s?[{_S}]?|{_CN}"
# Units of money: 万/亿 (and the w of chat slang), optionally 个 before (1个亿), 元 after.
_UNIT = rf"(?:个)?(?:[{_S}]?[{_B}]|[wW](?![a-zA-Z]))"
_YUAN = r"(?:元整|元|块钱|块)"

_MONEY_RE = re.compile(
    rf"(?P<num>{_NUM})(?:\s?(?P<unit>{_UNIT}))?(?:\s?(?P<yuan>{_YUAN}))?"
)
_RANGE_RE = re.compile(rf"(?P<first>{_NUM})\s?(?:到|至|~|-|—|－)\s?(?P<second>{_NUM})")
_NUMBER_TOKEN_RE = re.compile(rf"\d+(?:\.\d+)?|[{_D}]|[{_S}]|[{_B}]")
_CN_DECIMAL_RE = re.compile(rf"([{_D}]+)点([{_D}]+)")


class _Evaluator:
    """Evaluates a token stream of numbers and multipliers (一千五百万 → 15000000).

    Sections below 万 accumulate in `section`, 万-groups in `wan`, 亿-groups in `yi`.
    Colloquial tails ("一千五" = 1500, "一万五" = 15000) scale the last digit by the
    preceding multiplier / 10.
    """

    def __init__(self) -> None:
        self.yi = 0.0
        self.wan = 0.0
        self.section = 0.0
        self.current: Optional[float] = None
        self.last_mult = 1
        self.prev = ""  # kind of the previous token: "num", "cn", "mult"
        self.tail_after_mult = False

    def feed(self, token: str) -> None:
        """Consume one token: an Arabic number, a Chinese digit or a multiplier."""
        if token in CN_DIGITS:
            self._digit(CN_DIGITS[token], chinese=True)
        elif token in CN_SMALL_UNITS:
            self._small(CN_SMALL_UNITS[token])
        elif token in CN_BIG_UNITS:
            self._big(CN_BIG_UNITS[token])
        else:
            self._digit(float(token), chinese=False)

    def _digit(self, value: float, chinese: bool) -> None:
        if chinese and self.prev == "cn" and self.current is not None:
            self.current = self.current * 10 + value  # 二零二四: digit sequence
            self.tail_after_mult = False
        else:
            self.tail_after_mult = self.prev == "mult"
            self.current = value
        self.prev = "cn" if chinese else "num"

    def _small(self, mult: int) -> None:
        self.section += (1 if self.current is None else self.current) * mult
        self._after_mult(mult)

    def _big(self, mult: int) -> None:
        if mult == CN_BIG_UNITS["亿"]:
            group = self.wan + self.section + (self.current or 0)
            self.yi += (group or 1) * mult
            self.wan = 0.0
        else:
            group = self.section + (self.current or 0)
            self.wan += (group or 1) * mult
        self.section = 0.0
        self._after_mult(mult)

    def _after_mult(self, mult: int) -> None:
        self.current = None
        self.last_mult = mult
        self.prev = "mult"

    def value(self) -> float:
        """The number fed so far."""
        tail = self.current or 0
        if self.tail_after_mult and 0 < tail < 10 and self.last_mult >= 100:
            tail *= self.last_mult / 10
        return self.yi + self.wan + self.section + tail


def _prepare_number(text: str) -> str:
    """Drop what does not change the value (commas, 个, 元, spaces) and map w → 万."""
    text = re.sub(r"[,\s个]|元整|元|块钱|块", "", text)
    text = text.replace("w", "万").replace("W", "万")
    # "七百二三十万" (720 to 730), "二三十万": two neighbouring digits before a unit are a range — the lower one
    text = _NEIGHBOURS_RE.sub(lambda m: m.group(1) + m.group(3) if _DIGITS.index(m.group(2)) == _DIGITS.index(m.group(1)) + 1
                              else m.group(0), text)
    return _CN_DECIMAL_RE.sub(_cn_decimal_to_arabic, text)


_DIGITS = "一二三四五六七八九"
_NEIGHBOURS_RE = re.compile(r"([一二三四五六七八])([二三四五六七八九])(十|百|千|万)")


def _cn_decimal_to_arabic(match: re.Match) -> str:
    """一点五 → 1.5 (digits on both sides of 点)."""
    whole, frac = (
        "".join(str(CN_DIGITS[c]) for c in part) for part in match.groups()
    )
    return f"{int(whole)}.{frac}"


def chinese_number(text: str) -> Optional[float]:
    """Value of a number written in Arabic digits, Chinese numerals or a mix.

    ``"一千五百万"`` → 15000000.0, ``"2.5千万"`` → 25000000.0, ``"十二"`` → 12.0;
    None when `text` contains anything else.
    """
    prepared = _prepare_number(text)
    if not prepared or "".join(_NUMBER_TOKEN_RE.findall(prepared)) != prepared:
        return None
    evaluator = _Evaluator()
    for token in _NUMBER_TOKEN_RE.findall(prepared):
        evaluator.feed(token)
    return evaluator.value()


def format_number(value: float) -> str:
    """Entity value string: ``3000.0`` → ``"3000"``, ``2.5`` → ``"2.5"``."""
    rounded = round(value, 4)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.4f}".rstrip("0").rstrip(".")


# --- money ------------------------------------------------------------------------------
def _has_unit(match: re.Match) -> bool:
    """A money match counts only with a unit (万/亿/w/元) somewhere in it."""
    return bool(match.group("unit") or match.group("yuan")) or bool(
        re.search(f"[{_B}]", match.group("num"))
    )


def parse_amount(text: str, bare_unit: Optional[str] = None) -> Optional[float]:
    """Money amount in 万元, or None when `text` is not one amount.

    A bare number ("3000") has no unit; it is read as 万元 only when the caller knows
    the unit from context and passes ``bare_unit="万"`` (``"元"`` reads it as yuan).

    >>> parse_amount("五百万元整"), parse_amount("5,000,000元"), parse_amount("3000")
    (500.0, 500.0, None)
    """
    text = normalise_text(text).strip()
    match = _MONEY_RE.fullmatch(text)
    if match is None:
        return None
    yuan = chinese_number(text)
    if yuan is None:
        return None
    if not _has_unit(match):
        return _bare_to_wan(yuan, bare_unit)
    return round(yuan / YUAN_PER_WAN, 6)


def _bare_to_wan(value: float, bare_unit: Optional[str]) -> Optional[float]:
    """A bare number read in the unit implied by the context."""
    if bare_unit == "万":
        return float(value)
    if bare_unit == "元":
        return round(value / YUAN_PER_WAN, 6)
    return None


# --- percent ----------------------------------------------------------------------------
_PCT_NUM = rf"(?:\d+(?:\.\d+)?|[{_D}{_S}]+(?:点[{_D}]+)?)"
_PERCENT_PATTERNS: List[Tuple[re.Pattern, float, float]] = [
    # (pattern with group "n", multiplier, addition) — 三成 = 30, 三成半 = 35
    (re.compile(rf"百分之(?P<n>{_PCT_NUM})"), 1, 0),
    (re.compile(r"(?P<n>\d+(?:\.\d+)?)\s?%"), 1, 0),
    (re.compile(rf"(?P<n>{_PCT_NUM})个?百分点"), 1, 0),
    (re.compile(rf"(?P<n>{_PCT_NUM})个点"), 1, 0),
    (re.compile(rf"(?<![\d.{_D}{_S}])(?P<n>10|[1-9]|[{_D}十])成半"), 10, 5),
    (
        re.compile(
            rf"(?<![\d.{_D}{_S}])(?P<n>10|[1-9]|[{_D}十])成(?![本为立果功熟交都员品])"
        ),
        10,
        0,
    ),
]


def _percent_matches(text: str) -> Iterator[Tuple[int, int, float]]:
    """Every percentage in `text` as (start, end, value), overlaps not yet removed."""
    for pattern, mult, add in _PERCENT_PATTERNS:
        for match in pattern.finditer(text):
            number = chinese_number(match.group("n"))
            if number is not None:
                yield match.start(), match.end(), number * mult + add


def parse_percent(text: str) -> Optional[float]:
    """Percentage as a number: ``"20%"``, ``"百分之二十"``, ``"20个点"`` → 20.0, ``"三成"`` → 30.0."""
    text = normalise_text(text).strip()
    for start, end, value in _percent_matches(text):
        if start == 0 and end == len(text):
            return float(value)
    return None


# --- finding amounts in a sentence ----------------------------------------------------
class Span(NamedTuple):
    """An amount found in a sentence: offsets into the text, value and kind.

    `kind` is ``"money"`` (value in 万元) or ``"percent"``; `unit_implied` is True for a
    bare number read as 万元 because the caller passed `bare_unit`.
    """

    start: int
    end: int
    value: float
    kind: str
    unit_implied: bool = False


# Bare numbers followed by these are counts, dates or ranks, not money.
_NOT_MONEY_AFTER = re.compile(r"\s?(?:年|月|日|号|个|家|人|名|项|次|天|倍|条|台|套|%|\.|成|点)")
_NOT_MONEY_BEFORE = re.compile(r"(?:第|前|近|这|那)\s?$")


def find_amounts(text: str, bare_unit: Optional[str] = None) -> List[Span]:
    """All money amounts and percentages in `text` (already normalised), by offset.

    Percentages win over money at the same place ("20个点" is not money). With
    `bare_unit`, bare numbers ("投资3000") are returned as money with
    ``unit_implied=True``; a bare number before a range connector takes the unit of
    the number after it ("300到500万" → 300 and 500).

    >>> [(s.value, s.kind) for s in find_amounts("总投资1.5亿,产值增长20%")]
    [(15000.0, 'money'), (20.0, 'percent')]
    """
    spans: List[Span] = [Span(s, e, float(v), "percent") for s, e, v in _percent_matches(text)]
    spans = _drop_overlaps(spans)
    spans = _add_without_overlap(spans, _range_spans(text))
    spans = _add_without_overlap(spans, _money_spans(text, bare_unit))
    return sorted(spans)


def _drop_overlaps(spans: List[Span]) -> List[Span]:
    """Keep the longest of overlapping spans (earlier first on ties)."""
    kept: List[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if not any(_overlaps(span, other) for other in kept):
            kept.append(span)
    return kept


def _add_without_overlap(kept: List[Span], new: List[Span]) -> List[Span]:
    return kept + [s for s in new if not any(_overlaps(s, k) for k in kept)]


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _money_spans(text: str, bare_unit: Optional[str]) -> List[Span]:
    """Money matches with a unit, plus bare numbers when `bare_unit` is given."""
    spans = []
    for match in _MONEY_RE.finditer(text):
        span = _money_span(text, match, bare_unit)
        if span is not None:
            spans.append(span)
    return spans


def _money_span(text: str, match: re.Match, bare_unit: Optional[str]) -> Optional[Span]:
    yuan = chinese_number(match.group(0))
    if yuan is None:
        return None
    if _has_unit(match):
        return Span(match.start(), match.end(), round(yuan / YUAN_PER_WAN, 6), "money")
    if bare_unit is None or not _bare_is_money(text, match):
        return None
    value = _bare_to_wan(yuan, bare_unit)
    return None if value is None else Span(match.start(), match.end(), value, "money", True)


def _bare_is_money(text: str, match: re.Match) -> bool:
    """A bare number is money unless a count/date/rank word sits next to it."""
    if _NOT_MONEY_AFTER.match(text, match.end()):
        return False
    if _NOT_MONEY_BEFORE.search(text[: match.start()]):
        return False
    # A lone Chinese digit ("一下", "三个") is almost never an amount.
    return not re.fullmatch(f"[{_D}]", match.group(0))


def _range_spans(text: str) -> List[Span]:
    """300到500万: the first number takes the unit written after the second."""
    spans = []
    for match in _RANGE_RE.finditer(text):
        after = _MONEY_RE.match(text, match.start("second"))
        if after is None or not _has_unit(after):
            continue
        suffix = text[match.end("second") : after.end()]
        first = chinese_number(match.group("first") + suffix)
        second = chinese_number(after.group(0))
        if first is None or second is None:
            continue
        spans.append(Span(match.start("first"), match.end("first"), first / YUAN_PER_WAN, "money"))
        spans.append(Span(after.start(), after.end(), second / YUAN_PER_WAN, "money"))
    return spans
