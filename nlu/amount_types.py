"""Which entity an amount is (investment, this-year investment, other amount, percent).

The decision is table-driven (`nlu/resources/amount_cues.txt`) and looks only at the
clause around the number, so "总投资3000万，今年投800万" gives two different entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from nlu.normalise import Span
from nlu.tables import read_table, resource

INVESTMENT = "investment"
INVESTMENT_THIS_YEAR = "investment_this_year"
AMOUNT = "amount"
PERCENT = "percent"
IGNORE = "ignore"  # money that is not a fact about the firm (an award asked about)
APPROXIMATE = "approximate"  # "不到两百万", "几十万": a bound, not a value
AMOUNT_ENTITIES = (INVESTMENT, INVESTMENT_THIS_YEAR, AMOUNT, PERCENT)

_CLAUSE_BREAK = re.compile(r"[,.;!?，。；！？\n]")
# A cue after the number counts only right after it, possibly through 的 and a
# modifier ("300万的环保设备"), never across other words ("3000万其中设备").
_AFTER_REACH = 4


@dataclass(frozen=True)
class CueTable:
    """Cue words per entity type, read from a rule table."""

    cues: Dict[str, Tuple[str, ...]]

    @classmethod
    def load(cls, path: Optional[Path] = None) -> "CueTable":
        """Read `amount_cues.txt` (or another table with the same columns)."""
        grouped: Dict[str, List[str]] = {}
        for entity, cue in read_table(path or resource("amount_cues.txt"), 2):
            grouped.setdefault(entity, []).append(cue)
        return cls({entity: tuple(cues) for entity, cues in grouped.items()})

    def nearest_before(self, window: str, entities: Sequence[str]) -> Optional[str]:
        """The entity whose cue ends closest to the end of `window`, if any."""
        best: Optional[Tuple[int, str]] = None
        for entity in entities:
            for cue in self.cues.get(entity, ()):
                end = window.rfind(cue)
                if end >= 0 and (best is None or end + len(cue) > best[0]):
                    best = (end + len(cue), entity)
        return best[1] if best else None

    def decide_before(self, window: str) -> Optional[str]:
        """Entity named by the cues before a number, or None.

        The nearest cue decides, except that an investment cue is weak: "今年计划完成投资"
        and "研发投入" are this-year and amount, because those cues are in the window too.
        """
        near = self.nearest_before(window, (AMOUNT, INVESTMENT_THIS_YEAR, IGNORE, INVESTMENT))
        if near != INVESTMENT:
            return near
        return self.nearest_before(window, (AMOUNT, INVESTMENT_THIS_YEAR)) or INVESTMENT

    def is_approximate(self, window: str) -> bool:
        """True when the number is only a bound ("不到两百万") or a guess ("几十万")."""
        return any(window.endswith(cue) for cue in self.cues.get(APPROXIMATE, ()))

    def starts_after(self, window: str, entity: str) -> bool:
        """True when a cue of `entity` begins within reach after the number."""
        if not window.startswith("的") and not any(
            window.startswith(cue) for cue in self.cues.get(entity, ())
        ):
            return False
        head = window[: _AFTER_REACH + 2]
        return any(cue in head for cue in self.cues.get(entity, ()))


def classify(text: str, spans: List[Span], index: int, cues: CueTable) -> Optional[str]:
    """Entity type of ``spans[index]`` from the cue words of its own clause.

    Returns `AMOUNT` for award amounts, `IGNORE` for bounds, None when no cue decides (the caller
    then keeps DIET's type, tries `classify_wide`, or falls back to `investment`).
    """
    span = spans[index]
    if span.kind == "percent":
        return PERCENT
    before, after = _windows(text, spans, index)
    if cues.is_approximate(before):
        return IGNORE
    decided = cues.decide_before(before)
    if decided == IGNORE:
        # An award asked about ("省智能工厂奖励是20万吗") is "any other money" (docs/nlu-spec.md):
        # typed `amount`, never the firm's investment.
        return AMOUNT
    if decided is not None:
        return decided
    return AMOUNT if cues.starts_after(after, AMOUNT) else None


def classify_wide(text: str, spans: List[Span], index: int, cues: CueTable) -> Optional[str]:
    """Like `classify`, over the earlier clauses back to the previous amount.

    "今年能完成三分之一左右,大概1000万": the cue is one clause before the number.
    """
    left = spans[index - 1].end if index > 0 else 0
    decided = cues.decide_before(text[left : spans[index].start])
    return None if decided == IGNORE else decided


def _windows(text: str, spans: List[Span], index: int) -> Tuple[str, str]:
    """Text of the same clause before and after the span, cut at neighbouring amounts."""
    span = spans[index]
    left = spans[index - 1].end if index > 0 else 0
    right = spans[index + 1].start if index + 1 < len(spans) else len(text)
    before = text[left : span.start]
    after = text[span.end : right]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    cut = _CLAUSE_BREAK.search(after)
    if cut:
        after = after[: cut.start()]
    return before, after
