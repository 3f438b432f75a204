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

from nlu.normalise import chinese_number

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


# --- candidate figures (spaCy) ----------------------------------------------------

COMPARISON_AFTER = ("及以上", "以上", "以下", "以内", "以外")
COMPARISON_BEFORE = ("不超过", "不满", "不低于", "不少于", "高于", "低于", "超过", "至少", "达到", "不足")
_AMOUNT_UNITS = ["万元", "亿元", "元", "万", "亿", "千万"]
_COUNT_UNITS = ["个", "台", "套", "项", "家", "户", "人", "批"]
_DEPT_SUFFIX = "(局|厅|办公室|公司|部门|机构)$"
_DEPT_PREFIX = "^(市|县|区|自治区|省|各|统计|税务|财政|发改)"
_KIND = {"AMOUNT": "amount", "PERCENT": "percent", "COUNT": "count", "DATE": "date", "DURATION": "duration"}

_nlp = None


def _figure_patterns() -> list:
    """EntityRuler patterns: a number with its unit, per kind of figure."""
    num = {"LIKE_NUM": True}
    not_year = {"LIKE_NUM": True, "TEXT": {"REGEX": r"^(?!(19|20)\d\d$)"}}
    cn_num = {"TEXT": {"REGEX": f"^[{_CN_NUM}两]+$"}}
    pats = []
    for n in (num, cn_num):
        pats += [
            {"label": "AMOUNT", "pattern": [n, {"TEXT": {"IN": _AMOUNT_UNITS}}]},
            {"label": "PERCENT", "pattern": [n, {"TEXT": "%"}]},
            {"label": "PERCENT", "pattern": [n, {"TEXT": "个"}, {"TEXT": "百分点"}]},
            {"label": "COUNT", "pattern": [n, {"TEXT": {"IN": _COUNT_UNITS}}, {"TEXT": "（"}, {"TEXT": {"IN": _COUNT_UNITS}}, {"TEXT": "）"}]},
            {"label": "COUNT", "pattern": [n, {"TEXT": {"IN": _COUNT_UNITS}}]},
        ]
    for n in (not_year, cn_num):
        pats.append({"label": "DURATION", "pattern": [n, {"TEXT": {"IN": ["年", "个月", "个纳税年度"]}}]})
    pats += [
        {"label": "PERCENT", "pattern": [{"TEXT": {"REGEX": r"^\d+(\.\d+)?%$"}}]},
        {"label": "PERCENT", "pattern": [{"TEXT": "百分之"}, num]},
        {"label": "PERCENT", "pattern": [{"TEXT": "一半"}]},
        {"label": "DATE", "pattern": [{"TEXT": {"REGEX": r"^(19|20)\d\d$"}}, {"TEXT": "年"}]},
        {"label": "DATE", "pattern": [{"TEXT": {"REGEX": r"^(19|20)\d\d-\d\d-\d\d$"}}]},
        {"label": "DURATION", "pattern": [{"TEXT": {"REGEX": f"^[{_CN_NUM}两]+年$"}}]},
    ]
    return pats


def figure_pipeline():
    """`spacy.blank("zh")` with the jieba segmenter, an EntityRuler for figures and a
    Matcher for department names. Built once: loading jieba takes a second or two."""
    global _nlp
    if _nlp is None:
        import spacy

        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        nlp.add_pipe("sentencizer", config={"punct_chars": ["。", "；", "！", "？", "\n"]})
        ruler = nlp.add_pipe("entity_ruler")
        ruler.add_patterns(_figure_patterns())
        _nlp = nlp
    return _nlp


def _department_matcher(nlp):
    from spacy.matcher import Matcher

    matcher = Matcher(nlp.vocab)
    middle = [{"IS_PUNCT": False, "TEXT": {"NOT_IN": ["的", "对", "要", "在", "及"]}, "OP": "?"}] * 4
    matcher.add("DEPARTMENT", [
        [{"TEXT": {"REGEX": _DEPT_PREFIX}}, *middle, {"TEXT": {"REGEX": _DEPT_SUFFIX}}],
        [{"TEXT": {"REGEX": _DEPT_PREFIX + ".*" + _DEPT_SUFFIX[:-1] + "$"}}],
    ], greedy="LONGEST")
    return matcher


def cn_number(text: str) -> Optional[float]:
    """Digits or Chinese numerals to a number: '500' → 500, '三' → 3, '一千五百' → 1500, '一半' → 50
    (a share: the percent pattern matches it). The numerals are read by `nlu.normalise`, the
    one parser of the project."""
    return 50.0 if text == "一半" else chinese_number(text)


def extract_figures(clause_id: str, text: str) -> List[dict]:
    """Candidate figures and departments of one clause, each marked `review: true`."""
    nlp = figure_pipeline()
    doc = nlp(text)
    found = [_figure(ent, clause_id) for ent in doc.ents]
    matcher = _department_matcher(nlp)
    found += [{"clause": clause_id, "kind": "department", "text": doc[s:e].text, "review": True}
              for _id, s, e in matcher(doc)]
    return [f for f in found if f]


def _figure(ent, clause_id: str) -> Optional[dict]:
    number_text = ent[0].text
    if ent.label_ == "PERCENT":
        number_text = ent[1].text if ent[0].text == "百分之" else ent[0].text.rstrip("%")
    if ent.label_ == "DURATION" and len(ent) == 1:
        number_text = ent.text[:-1]
    value = cn_number(number_text) if ent.label_ != "DATE" else None
    unit = ent.text[len(number_text):] if ent.label_ not in ("DATE",) else None
    cand = {"clause": clause_id, "kind": _KIND[ent.label_], "text": ent.text, "value": value,
            "unit": "%" if ent.label_ == "PERCENT" and unit in ("", "%", None) else unit,
            "comparison": _comparison(ent), "quote": ent.sent.text if ent.doc.has_annotation("SENT_START") else None,
            "review": True}
    if ent.label_ == "DATE":
        cand["value"] = ent.text
    return {k: v for k, v in cand.items() if v is not None}


def _comparison(ent) -> Optional[str]:
    doc = ent.doc
    after = doc[ent.end:ent.end + 2].text
    for word in COMPARISON_AFTER:
        if after.startswith(word):
            return word
    before = doc[max(0, ent.start - 2):ent.start].text
    for word in COMPARISON_BEFORE:
        if before.endswith(word):
            return word
    return None


def draft_source(raw: str, doc_id: str = "draft", region: str = "", source_file: Optional[str] = None) -> dict:
    """A draft source: metadata to fill in, every clause, and candidate figures for review."""
    import datetime as dt

    clauses = split_clauses(raw)
    title = next((c.text.replace("\n", "") for c in clauses if c.id == TITLE_ID), "")
    candidates = [cand for c in clauses for cand in extract_figures(c.id, c.text)]
    return {
        "id": doc_id, "title": title or "待填写", "issuer": "待填写", "region": region or "待填写",
        "status": "征求意见稿" if "征求意见稿" in raw else "正式", "as_of": dt.date.today(),
        "doc_number": None, "source_file": source_file,
        "clauses": [{"id": c.id, "heading_path": c.heading_path, **({"heading": c.heading} if c.heading else {}),
                     "text": c.text} for c in clauses],
        "candidates": candidates,
    }


def draft_yaml(draft: dict) -> str:
    """The draft as YAML. `candidates` is not a source field on purpose: the loader
    rejects the file until a reviewer has moved each figure into awards/targets/figures."""
    import yaml

    from policy_kb.lexicon import Block, LiteralDumper

    data = dict(draft)
    data["clauses"] = [{**c, "text": Block(c["text"])} for c in draft["clauses"]]
    header = ("# 草稿：由 `policybot kb ingest` 生成，须人工复核。\n"
              "# Draft generated by `policybot kb ingest`: review every candidate (review: true),\n"
              "# move confirmed figures into awards/targets/figures with clause and quote, then delete `candidates`.\n")
    return header + yaml.dump(data, allow_unicode=True, sort_keys=False, Dumper=LiteralDumper, width=1000)
