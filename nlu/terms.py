"""Region, honour and policy-term recognition by longest match over known aliases.

The alias table merges, in increasing priority: honour forms generated from
`honor_levels.txt` × `honor_cores.txt`, the rule table `terms.txt`, and the knowledge
base aliases (`policy_kb.store.open_kb().aliases(kind)`). Pure Python: the Rasa
component in `nlu.components` only feeds it messages.

>>> matcher = TermMatcher.build({"region": {"六安": "六安市"}})
>>> [(t.entity, t.value) for t in matcher.find("六安省智能工厂奖多少")]
[('region', '六安市'), ('honor', '省级智能工厂')]
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from nlu.errors import AliasSourceError
from nlu.tables import read_table, resource

logger = logging.getLogger(__name__)

HONOR = "honor"
# Entities filled from aliases; the KB alias kinds have the same names.
TERM_ENTITIES = (
    "region", "honor", "direction", "program", "incentive", "catalog", "scale",
    "filing", "completion", "project_type",
)
_CONNECTORS = "和|、|及|以及|与|跟|或|或者|还有|,"


@dataclass(frozen=True)
class Term:
    """An alias found in a text: character offsets, entity type and canonical value."""

    start: int
    end: int
    entity: str
    value: str

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass
class HonorRules:
    """Level words (省/市级…), title cores and the canonical titles they may form."""

    levels: Dict[str, str]
    cores: Dict[str, str]
    titles: Set[str]

    @classmethod
    def load(cls, extra_titles: Iterable[str] = ()) -> "HonorRules":
        """Read the shipped tables; `extra_titles` adds titles known to the KB."""
        levels = dict(read_table(resource("honor_levels.txt"), 2))
        cores = dict(read_table(resource("honor_cores.txt"), 2))
        titles = {row[0] for row in read_table(resource("honors.txt"), 1)}
        return cls(levels, cores, titles | set(extra_titles))

    def title(self, level_word: str, core_alias: str) -> Optional[str]:
        """Canonical title for a level word + core alias, None if there is no such title."""
        candidate = self.levels[level_word] + self.cores[core_alias]
        return candidate if candidate in self.titles else None

    def forms(self) -> Dict[str, str]:
        """Every written form → value: "省智能工厂" → 省级智能工厂, "绿色工厂" → 绿色工厂."""
        table = {core: core for core in self.cores}  # no level said: keep the wording
        for core in self.cores:
            for level in self.levels:
                title = self.title(level, core)
                if title:
                    table[level + core] = title
                    table[level + "的" + core] = title
        return table

    def coordination_pattern(self) -> re.Pattern:
        """"省级和市级的智能工厂": the first level word names a second title."""
        levels = "|".join(sorted(map(re.escape, self.levels), key=len, reverse=True))
        cores = "|".join(sorted(map(re.escape, self.cores), key=len, reverse=True))
        return re.compile(
            rf"(?P<first>{levels})的?(?:{_CONNECTORS})(?:{levels})的?(?P<core>{cores})"
        )


class TermMatcher:
    """Longest-match alias finder; `table` maps alias → (entity, canonical value)."""

    def __init__(
        self,
        table: Mapping[str, Tuple[str, str]],
        honors: HonorRules,
        no_fill: Iterable[str] = (),
    ):
        self.table = dict(table)
        self.honors = honors
        # Aliases that only canonicalise DIET's values and never add an entity on their
        # own: verbs like 入库 ("enter the library") and 全国 (not a region of the spec).
        self.no_fill = frozenset(no_fill)
        self._max_len = max((len(alias) for alias in self.table), default=0)
        self._coordination = honors.coordination_pattern()

    @classmethod
    def build(
        cls,
        kb_aliases: Mapping[str, Mapping[str, str]],
        rule_rows: Optional[Sequence[Tuple[str, str, str]]] = None,
    ) -> "TermMatcher":
        """Merge generated honour forms, the rule table and KB aliases (KB wins)."""
        honors = HonorRules.load(kb_aliases.get(HONOR, {}).values())
        table = {form: (HONOR, value) for form, value in honors.forms().items()}
        if rule_rows is None:
            rule_rows = read_table(resource("terms.txt"), 3)
        for entity, alias, canonical in rule_rows:
            table[alias] = (entity, canonical)
        for entity, aliases in kb_aliases.items():
            for alias, canonical in aliases.items():
                table[alias] = (entity, canonical)
                table.setdefault(canonical, (entity, canonical))
        no_fill = [row[0] for row in read_table(resource("no_fill.txt"), 1)]
        return cls(table, honors, no_fill)

    def find(
        self, text: str, boundaries: Optional[Set[int]] = None, fill: bool = True
    ) -> List[Term]:
        """Aliases in `text` that together cover the most of it (“六安市级智能工厂” is 六安 +
        市级智能工厂, not 六安市 + 智能工厂); among equal covers, the longest alias first from
        the left, as a left-to-right longest-match scan would take them.

        A one-character alias (桂) counts only on token `boundaries` when given, so it
        does not fire inside an unrelated word. With `fill`, `no_fill` aliases are skipped.
        """
        skip = self.no_fill if fill else frozenset()
        n = len(text)
        # best[i]: (characters covered from i on, length of the alias to take at i or 0)
        best: List[Tuple[int, int]] = [(0, 0)] * (n + 1)
        for i in range(n - 1, -1, -1):
            choice = (best[i + 1][0], 0)
            for length in self._lengths_at(text, i, boundaries, skip):
                covered = length + best[i + length][0]
                if covered > choice[0] or (covered == choice[0] and length > choice[1]):
                    choice = (covered, length)
            best[i] = choice
        terms: List[Term] = []
        i = 0
        while i < n:
            length = best[i][1]
            if not length:
                i += 1
                continue
            hit = self.table[text[i : i + length]]
            terms.append(Term(i, i + length, hit[0], hit[1]))
            i += length
        return terms + self._coordinated(text, terms)

    def _lengths_at(
        self, text: str, i: int, boundaries: Optional[Set[int]], skip: frozenset
    ) -> List[int]:
        """Lengths of the aliases that start at `i`, longest first."""
        lengths = []
        for length in range(min(self._max_len, len(text) - i), 0, -1):
            alias = text[i : i + length]
            if alias not in self.table or alias in skip:
                continue
            if length == 1 and boundaries is not None and not {i, i + 1} <= boundaries:
                continue
            lengths.append(length)
        return lengths

    def _coordinated(self, text: str, found: List[Term]) -> List[Term]:
        """Titles named only by a level word before a connector ("省级和市级的…")."""
        extra = []
        for match in self._coordination.finditer(text):
            title = self.honors.title(match.group("first"), match.group("core"))
            start, end = match.span("first")
            if title and not any(t.start < end and start < t.end for t in found):
                extra.append(Term(start, end, HONOR, title))
        return extra

    def canonical(self, entity: str, written: str) -> Optional[str]:
        """Canonical value of `written` as an `entity`, also when it contains an alias.

        ``canonical("region", "六安的")`` → ``"六安市"``; None when nothing matches.
        """
        hit = self.table.get(written)
        if hit and hit[0] == entity:
            return hit[1]
        inner = [t for t in self.find(written, fill=False) if t.entity == entity]
        if inner:
            return max(inner, key=lambda t: t.length).value
        return None

    def to_json(self) -> Dict[str, Any]:
        """What the Rasa component persists in the model."""
        return {
            "table": {alias: list(hit) for alias, hit in self.table.items()},
            "levels": self.honors.levels,
            "cores": self.honors.cores,
            "titles": sorted(self.honors.titles),
            "no_fill": sorted(self.no_fill),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "TermMatcher":
        honors = HonorRules(dict(data["levels"]), dict(data["cores"]), set(data["titles"]))
        table = {alias: tuple(hit) for alias, hit in data["table"].items()}
        return cls(table, honors, data.get("no_fill", ()))


def merge_entities(
    existing: List[Dict[str, Any]], found: List[Term], extractor: str, protected: Iterable[str] = ()
) -> List[Dict[str, Any]]:
    """Add `found` terms to entities already extracted, resolving overlaps.

    The longer span wins; on equal length the existing entity (DIET's) stays, so an entity
    found at the same span is never duplicated. A longer term of the same type and value
    adds nothing, so DIET's span (which follows the training annotations) is kept.
    Entities of `protected` types (amounts) are never replaced.
    """
    result = list(existing)
    protected = set(protected)
    for term in sorted(found, key=lambda t: (-t.length, t.start)):
        clashes = [e for e in result if e["start"] < term.end and term.start < e["end"]]
        if any(_keeps_place(e, term, protected) for e in clashes):
            continue
        result = [e for e in result if e not in clashes]
        result.append(_entity(term, extractor))
    return sorted(result, key=lambda e: (e["start"], e["end"]))


def _keeps_place(entity: Dict[str, Any], term: Term, protected: Set[str]) -> bool:
    if entity["entity"] in protected or entity["end"] - entity["start"] >= term.length:
        return True
    return entity["entity"] == term.entity and entity.get("value") == term.value


def _entity(term: Term, extractor: str) -> Dict[str, Any]:
    return {
        "entity": term.entity,
        "start": term.start,
        "end": term.end,
        "value": term.value,
        "extractor": extractor,
    }


def load_kb_aliases(
    kinds: Sequence[str], kb_path: Optional[str] = None, required: bool = True
) -> Dict[str, Dict[str, str]]:
    """{kind: {alias: canonical}} from the knowledge base, for every kind in `kinds`.

    Raises `AliasSourceError` when the KB (or `policy_kb.store`) is missing and
    `required`; otherwise logs a warning and returns {} so the rule tables still work.
    """
    try:
        from policy_kb.errors import KBNotBuiltError
        from policy_kb.store import open_kb
    except ImportError as error:
        return _unavailable(f"policy_kb.store cannot be imported: {error}", required)
    try:
        kb = open_kb(Path(kb_path) if kb_path else None)
    except KBNotBuiltError as error:
        return _unavailable(f"knowledge base not built: {error}", required)
    return {kind: dict(kb.aliases(kind)) for kind in kinds}


def _unavailable(reason: str, required: bool) -> Dict[str, Dict[str, str]]:
    if required:
        raise AliasSourceError(f"{reason} (run `policybot kb build` first)")
    logger.warning("KB aliases unavailable, using nlu/resources tables only: %s", reason)
    return {}
