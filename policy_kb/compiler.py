"""Compile the YAML sources into the SQLite knowledge base.

`build(sources_dir, db_path)` validates every source first, writes the whole
database into a temporary file beside `db_path` and swaps it in with
`os.replace`, so readers see either the old or the new database, never a half
one, and a failed build leaves the previous file byte-identical. It also writes
the jieba user dictionary and the Rasa lookup/synonym file generated from the
same sources.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, List, Optional

import sqlite_utils

from policy_kb import generated, lexicon
from policy_kb.errors import BuildError
from policy_kb.loader import load_files, load_sources
from policy_kb.paths import DEFAULT_DB, NLU_LOOKUPS, SOURCES_DIR, USERDICT
from policy_kb.schema import Source

SCHEMA_VERSION = 1


@dataclass
class BuildReport:
    """What a build produced, for the CLI and the benchmark."""

    db_path: Path
    documents: int
    clauses: int
    seconds: float
    userdict: Optional[Path]
    lookups: Optional[Path]


def build(
    sources_dir: Path = SOURCES_DIR,
    db_path: Path = DEFAULT_DB,
    *,
    extra_files: Iterable[Path] = (),
    userdict_path: Optional[Path] = USERDICT,
    lookups_path: Optional[Path] = NLU_LOOKUPS,
    honors_path: Optional[Path] = None,
    regions_domain_path: Optional[Path] = None,
    profile_vocabulary_path: Optional[Path] = None,
    echo: Callable[[str], None] = lambda msg: None,
) -> BuildReport:
    """Validate all sources and write the database atomically.

    `extra_files` adds source files from elsewhere (tests use it for a fixture
    document). Pass `userdict_path=None` / `lookups_path=None` to skip writing
    the generated NLU files; `honors_path` / `regions_domain_path` / `profile_vocabulary_path` (`policy_kb.generated`)
    are written only when given (`policybot kb build` does). Raises SourceError or BuildError.
    """
    start = time.perf_counter()
    files = sorted(Path(sources_dir).glob("*.yaml")) + [Path(f) for f in extra_files]
    sources = load_files(files) if files else load_sources(sources_dir)
    echo(f"已校验 {len(sources)} 个政策源文件 (validated {len(sources)} sources)")
    entries = lexicon.collect_terms(sources)
    db_path = Path(db_path)
    _write_db_atomic(sources, entries, db_path, echo)
    if userdict_path:
        lexicon.write_atomic(Path(userdict_path), lexicon.userdict_text(entries))
        echo(f"jieba 用户词典 (user dictionary): {userdict_path} ({len(entries)} 词)")
    if lookups_path:
        lexicon.write_atomic(Path(lookups_path), lexicon.rasa_lookups_text(sources))
        echo(f"Rasa 查找表和同义词 (lookups/synonyms): {lookups_path}")
    for path, text, what in ((honors_path, generated.honors_text, "称号表 (honour titles)"),
                             (regions_domain_path, generated.regions_domain_text, "地区槽位和按钮 (region slot and buttons)"),
                             (profile_vocabulary_path, generated.profile_vocabulary_text,
                              "改造方向和目录类别 (directions, catalogue classes)")):
        if path:
            lexicon.write_atomic(Path(path), text(sources))
            echo(f"{what}: {path}")
    seconds = time.perf_counter() - start
    n_clauses = sum(len(s.clauses) for s in sources)
    echo(f"构建完成 (built) {db_path}: {len(sources)} 个文件, {n_clauses} 条条款, 用时 {seconds:.2f} 秒")
    return BuildReport(db_path, len(sources), n_clauses, seconds, userdict_path, lookups_path)


def _write_db_atomic(sources: List[Source], entries, db_path: Path, echo) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=db_path.parent, prefix=f".{db_path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        try:
            db = sqlite_utils.Database(conn)
            _fill(db, sources, entries, echo)
            conn.commit()
        finally:
            conn.close()
        os.replace(tmp, db_path)
    except sqlite3.Error as exc:
        raise BuildError(f"写入知识库失败 (cannot write the database): {exc}") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)


def _fill(db: sqlite_utils.Database, sources: List[Source], entries, echo) -> None:
    segmenter = lexicon.segmenter(entries)
    db["meta"].insert_all([
        {"key": "schema_version", "value": str(SCHEMA_VERSION)},
        {"key": "built_at", "value": dt.datetime.now().isoformat(timespec="seconds")},
    ], pk="key")
    db["lexicon"].insert_all([{"word": w, "freq": f, "pos": p} for w, f, p in entries], pk="word")
    _create_empty_tables(db)
    for order, source in enumerate(sources):
        _insert_document(db, source, order)
        _insert_clauses(db, source, segmenter)
        _insert_parts(db, source)
        echo(f"  {source.id}: {len(source.clauses)} 条条款 (clauses)")
    db["clauses"].enable_fts(["words", "heading_words", "grams", "related_words"], fts_version="FTS5", tokenize="unicode61")
    db["aliases"].create_index(["alias"])
    db["clauses"].create_index(["document_id", "clause_id"], unique=True)


def _insert_document(db, source: Source, order: int) -> None:
    db["documents"].insert({
        "id": source.id, "ord": order, "title": source.title, "short_title": source.short_title or source.title,
        "issuer": source.issuer, "region": source.region, "status": source.status,
        "as_of": _iso(source.as_of), "published": _iso(source.published), "doc_number": source.doc_number,
        "source_file": source.source_file, "contact": source.contact, "notes": _json(source.notes),
        "region_short": source.region_short, "region_label": source.region_label, "listed": source.listed,
        "default_for_awards": int(source.default_for_awards),
    }, pk="id")


def _related_text(source: Source) -> dict:
    """clause id -> names and summaries of the items that cite it.

    Indexed with the clause so that a question in Chinese finds a clause whose own
    text is terse or (national facts) partly English: 加速折旧 finds clause 2.
    """
    related: dict = {}

    def add(clause: str, *texts) -> None:
        related.setdefault(clause, []).extend(t for t in texts if t)

    for inc in source.incentives:
        add(inc.clause, inc.name, inc.summary, *inc.notes)
    for item in source.awards:
        add(item.clause, item.honor, item.note)
    for item in [*source.targets, *source.figures]:
        add(item.clause, item.name)
    for item in source.departments:
        add(item.clause, item.name, *item.handles)
    for item in source.procedures:
        add(item.clause, item.name, item.description)
    for item in source.directions:
        add(item.clause, item.name, item.description)
    for item in source.award_notes:
        add(item.clause, item.text)
    for item in source.points:
        add(item.clause, item.text)
    return {k: "\n".join(v) for k, v in related.items()}


def _insert_clauses(db, source: Source, segmenter: "lexicon.Segmenter") -> None:
    rows = []
    related = _related_text(source)
    for order, clause in enumerate(source.clauses):
        plain = lexicon.normalise(clause.text) if clause.searchable else ""
        heading = lexicon.normalise(" ".join(clause.heading_path) or (clause.heading or "")) if clause.searchable else ""
        rows.append({
            "document_id": source.id, "clause_id": clause.id, "ord": order, "region": source.region,
            "heading": clause.heading, "heading_path": _json(clause.heading_path), "text": clause.text,
            "words": " ".join(segmenter.words(plain)),
            "heading_words": " ".join(segmenter.words(heading)),
            "grams": " ".join(lexicon.char_bigrams(plain)),
            "related_words": " ".join(segmenter.words(lexicon.normalise(related.get(clause.id, "")))) if clause.searchable else "",
        })
    db["clauses"].insert_all(rows)


def _insert_parts(db, source: Source) -> None:
    base = {"document_id": source.id, "region": source.region}
    simple = {
        "awards": source.awards, "award_notes": source.award_notes, "targets": source.targets,
        "figures": source.figures, "departments": source.departments, "procedures": source.procedures,
        "directions": source.directions, "aliases": source.aliases,
    }
    db["topics"].insert_all([{**base, **_row(item), "cues": _json(item.cues)} for item in source.topics], alter=True)
    db["points"].insert_all([{**base, **_row(item), "aspects": _json(item.aspects),
                               "excludes": _json(item.excludes), "asked": _json(item.asked)} for item in source.points],
                            alter=True)
    for table, items in simple.items():
        db[table].insert_all([{**base, **_row(item)} for item in items], alter=True)
    for inc in source.incentives:
        row = _row(inc)
        row.pop("parameters")
        row["firm_rate"] = int(row["firm_rate"])
        row["sentences"] = _json(row["sentences"])
        db["value_cues"].insert_all([
            {**base, "incentive_id": inc.id, "value": value, "cue": cue}
            for value, cues in row.pop("value_cues").items() for cue in cues
        ])
        db["incentives"].insert({**base, **row}, pk="id", alter=True)
        db["parameters"].insert_all([
            {**base, "incentive_id": inc.id, "name": name, **_param_row(value)}
            for name, values in inc.parameters.items() for value in values
        ], alter=True)
    _insert_programs(db, source, base)


def _insert_programs(db, source: Source, base: dict) -> None:
    for program in source.programs:
        data = json.loads(program.json())
        db["programs"].insert({**base, "id": program.id, "name": program.name, "program_region": program.region,
                               "clause": program.clause, "quote": program.quote, "data": json.dumps(data, ensure_ascii=False)},
                              pk="id", alter=True)
        db["rules"].insert_all([
            {"program_id": program.id, **base, "ord": i, "check_id": c["id"], "label": c["label"],
             "clause": c["clause"], "quote": c["quote"], "condition": _json(c["condition"]),
             "when_condition": _json(c.get("when")), "unless_condition": _json(c.get("unless")),
             "assume": _json(c.get("assume") or [])}
            for i, c in enumerate(data["checks"])
        ], alter=True)


_EMPTY_TABLES = {
    "awards": {"document_id": str, "region": str, "honor": str, "level": str, "category": str, "amount_wan": float,
               "unit": str, "basis": str, "funding": str, "note": str, "clause": str, "quote": str},
    "award_notes": {"document_id": str, "region": str, "text": str, "clause": str, "quote": str},
    "targets": {"document_id": str, "region": str, "id": str, "name": str, "value": float, "unit": str,
                "comparison": str, "period": str, "clause": str, "quote": str},
    "figures": {"document_id": str, "region": str, "id": str, "name": str, "value": float, "unit": str,
                "comparison": str, "clause": str, "quote": str},
    "departments": {"document_id": str, "region": str, "name": str, "handles": str, "clause": str, "quote": str},
    "procedures": {"document_id": str, "region": str, "id": str, "name": str, "description": str,
                   "department": str, "clause": str, "quote": str},
    "directions": {"document_id": str, "region": str, "name": str, "description": str, "clause": str, "quote": str},
    "aliases": {"document_id": str, "region": str, "alias": str, "canonical": str, "kind": str},
    "topics": {"document_id": str, "region": str, "id": str, "name": str, "kind": str, "cues": str},
    "points": {"document_id": str, "region": str, "id": str, "topic": str, "aspects": str, "text": str,
               "basis": str, "status": str, "department": str, "applies_to": str, "excludes": str, "clause": str,
               "quote": str, "subject": str, "asked": str},
    "incentives": {"document_id": str, "region": str, "id": str, "name": str, "kind": str, "estimated": int,
                   "summary": str, "basis": str, "status": str, "clause": str, "quote": str, "notes": str,
                   "firm_rate": int, "sentences": str},
    "value_cues": {"document_id": str, "region": str, "incentive_id": str, "value": str, "cue": str},
    "parameters": {"document_id": str, "region": str, "incentive_id": str, "name": str, "value": str, "unit": str,
                   "effective_from": str, "effective_to": str, "basis": str, "status": str, "clause": str,
                   "quote": str, "note": str},
    "programs": {"document_id": str, "region": str, "id": str, "name": str, "program_region": str,
                 "clause": str, "quote": str, "data": str},
    "rules": {"program_id": str, "document_id": str, "region": str, "ord": int, "check_id": str, "label": str,
              "clause": str, "quote": str, "condition": str, "when_condition": str, "unless_condition": str,
              "assume": str},
}


def _create_empty_tables(db) -> None:
    """Create typed tables up front: they exist even when no source fills them, and a
    first row with a null amount does not decide a column's type."""
    for name, columns in _EMPTY_TABLES.items():
        db[name].create(columns, pk="id" if name in ("incentives", "programs") else None)


def _row(item) -> dict:
    row = {}
    for key, value in item.dict().items():
        row[key] = _json(value) if isinstance(value, list) and key != "parameters" else value
    return row


def _param_row(value) -> dict:
    row = value.dict()
    row["value"] = _json(row["value"])
    row["effective_from"] = _iso(row["effective_from"])
    row["effective_to"] = _iso(row["effective_to"])
    return row


def _iso(value) -> Optional[str]:
    return value.isoformat() if value else None


def _json(value) -> Optional[str]:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)
