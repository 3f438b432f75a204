"""Draft a source YAML from a raw policy text.

Two steps: `split_clauses` cuts the text along its heading scheme
(一、 / （一） / 1. / （1）) into clauses with stable ids, and `extract_figures`
finds candidate figures (amounts, percentages, counts, dates, thresholds,
departments) with a spaCy pipeline. Everything extracted is marked
`review: true`: a person confirms it before it becomes policy data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional

_CN_NUM = "一二三四五六七八九十百零〇"
_ARTEFACT = re.compile(r"\[bookmark:[^\]]*\]")
# (level, pattern); group 1 is the number, group 2 the rest of the line.
_HEADINGS = [
    (1, re.compile(rf"^([{_CN_NUM}]+)、(.*)$")),
    (2, re.compile(rf"^（([{_CN_NUM}]+)）(.*)$")),
    (3, re.compile(r"^(\d+)[.．、](?!\d)(.*)$")),
    (4, re.compile(r"^（(\d+)）(.*)$")),
]
_MARKERS = {1: "{}、", 2: "（{}）", 3: "{}.", 4: "（{}）"}
_ID_PART = {1: "{}", 2: "（{}）", 3: "{}", 4: "（{}）"}
TITLE_ID, PREAMBLE_ID, TAIL_SUFFIX = "标题", "序言", "末段"
_MAX_TITLE_LINE = 40
_MAX_HEADING = 30


@dataclass
class DraftClause:
    """A clause found in raw text; `level` 0 is the title block or preamble."""

    id: str
    level: int
    heading: Optional[str]
    heading_path: List[str]
    lines: List[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def clean_text(raw: str) -> List[str]:
    """Lines of the document without word-processor artefacts and trailing blanks."""
    text = _ARTEFACT.sub("", raw.replace("\r\n", "\n").replace("\u3000", " "))
    return [line.strip() for line in text.split("\n")]


def split_clauses(raw: str) -> List[DraftClause]:
    """Cut a policy text into clauses.

    >>> [c.id for c in split_clauses("标题\\n\\n序\\n一、总体\\n（一）甲。乙")]
    ['标题', '序言', '一', '一.（一）']
    """
    lines = clean_text(raw)
    clauses: List[DraftClause] = []
    start = _title_block(lines, clauses)
    stack: List[DraftClause] = []  # open headings, one per level
    for line in lines[start:]:
        if not line:
            continue
        heading = _match_heading(line)
        if heading:
            level, number, rest = heading
            stack = [c for c in stack if c.level < level]
            clause = _new_clause(level, number, rest, stack)
            stack.append(clause)
            clauses.append(clause)
        else:
            _append_body(line, clauses, stack)
    return clauses


def _title_block(lines: List[str], clauses: List[DraftClause]) -> int:
    """Short lines at the top (blank lines allowed between them) form the title block.

    Returns the index where the body starts.
    """
    block, end = [], 0
    for i, line in enumerate(lines):
        if not line:
            continue
        if len(line) > _MAX_TITLE_LINE or _match_heading(line):
            break
        block.append(line)
        end = i + 1
    if block and end < len(lines):
        clauses.append(DraftClause(TITLE_ID, 0, None, [], block))
        return end
    return 0


def _match_heading(line: str):
    for level, pattern in _HEADINGS:
        m = pattern.match(line)
        if m:
            return level, m.group(1), m.group(2)
    return None


def _new_clause(level: int, number: str, rest: str, parents: List[DraftClause]) -> DraftClause:
    part = _ID_PART[level].format(number)
    clause_id = f"{parents[-1].id}.{part}" if parents else part
    heading = _short_heading(rest)
    marker = _MARKERS[level].format(number)
    path = [*parents[-1].heading_path] if parents else []
    path.append(marker + (heading or ""))
    return DraftClause(clause_id, level, heading, path, [marker + rest])


def _short_heading(rest: str) -> Optional[str]:
    """The item's own title: its first sentence, or first phrase when the sentence is long."""
    for sep in ("。", "，"):
        head = rest.split(sep)[0].strip()
        if head and len(head) <= _MAX_HEADING:
            return head
    return None


def _append_body(line: str, clauses: List[DraftClause], stack: List[DraftClause]) -> None:
    """A line without a heading continues the open clause.

    After a sub-item (（一）…), an unnumbered paragraph usually speaks for the whole
    parent section, so it becomes the parent's `末段` clause rather than being
    glued to the last sub-item.
    """
    if not stack:
        if clauses and clauses[-1].id == PREAMBLE_ID:
            clauses[-1].lines.append(line)
        else:
            clauses.append(DraftClause(PREAMBLE_ID, 0, None, [], [line]))
        return
    current = stack[-1]
    if current.level >= 2 and clauses[-1] is current:
        parent = stack[-2] if len(stack) > 1 else None
        tail_id = f"{parent.id}.{TAIL_SUFFIX}" if parent else TAIL_SUFFIX
        tail = DraftClause(tail_id, current.level, TAIL_SUFFIX, [*(parent.heading_path if parent else []), TAIL_SUFFIX], [line])
        clauses.append(tail)
        return
    clauses[-1].lines.append(line)
