"""Read access to the compiled knowledge base (`build/policy_kb.sqlite`).

`open_kb()` returns a cached `KnowledgeBase` per path; when the file is replaced
by an atomic rebuild (new inode or mtime) the next `open_kb()` opens the new
file, so a running server picks up a rebuild without restarting. The
connection is read-only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Type, TypeVar, Union

from policy_kb.errors import KBNotBuiltError, NotFoundError
from policy_kb.paths import DEFAULT_DB
from policy_kb.rules_schema import Program

PathLike = Union[str, Path]
NATIONAL_REGION = "全国"
R = TypeVar("R")


@dataclass(frozen=True)
class Citation:
    """Where a statement comes from. For national facts `document` is the official text (文号)."""

    document: str
    clause: str
    quote: str
    document_id: str
    status: str
    official: bool = True
    basis: Optional[str] = None  # 文号 of an incentive or parameter


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    short_title: str
    issuer: str
    region: str
    status: str
    as_of: Optional[str]
    published: Optional[str]
    doc_number: Optional[str]
    source_file: Optional[str]
    contact: Optional[str]
    notes: Tuple[str, ...]
    region_short: Optional[str] = None
    region_label: Optional[str] = None
    listed: Optional[int] = None
    default_for_awards: bool = False


@dataclass(frozen=True)
class Clause:
    document_id: str
    document: str  # the document's title
    clause: str
    heading: Optional[str]
    heading_path: Tuple[str, ...]
    text: str
    region: str
    status: str


@dataclass(frozen=True)
class Cited:
    """What every cited record of a source carries: its region, document and clause."""

    region: str
    document_id: str
    clause: str
    quote: str
    citation: Citation


@dataclass(frozen=True)
class Award(Cited):
    """One honour of an award schedule; `amount_wan` None means no fixed amount (一事一议)."""

    honor: str
    level: Optional[str]
    category: Optional[str]
    amount_wan: Optional[float]
    unit: Optional[str]
    basis: Optional[str]
    funding: Optional[str]
    note: Optional[str]


@dataclass(frozen=True)
class AwardNote(Cited):
    text: str


@dataclass(frozen=True)
class Target(Cited):
    id: str
    name: str
    value: Optional[float]
    unit: Optional[str]
    comparison: Optional[str]
    period: Optional[str]


@dataclass(frozen=True)
class Figure(Cited):
    id: str
    name: str
    value: Optional[float]
    unit: Optional[str]
    comparison: Optional[str]


@dataclass(frozen=True)
class Department(Cited):
    name: str
    handles: Tuple[str, ...]


@dataclass(frozen=True)
class Procedure(Cited):
    id: str
    name: str
    description: str
    department: Optional[str]


@dataclass(frozen=True)
class Direction(Cited):
    name: str
    description: Optional[str]


@dataclass(frozen=True)
class Incentive(Cited):
    """A national incentive; `parameters` names its dated parameters."""

    id: str
    name: str
    kind: str
    estimated: bool
    summary: str
    basis: Optional[str]
    status: str
    notes: Tuple[str, ...]
    parameters: Tuple[str, ...]
    firm_rate: bool = False
    sentences: Dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Parameter(Cited):
    """One dated value of an incentive parameter."""

    incentive_id: str
    name: str
    value: Any
    unit: Optional[str]
    effective_from: Optional[str]
    effective_to: Optional[str]
    basis: Optional[str]
    status: str
    note: Optional[str]


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    kind: str
    cues: Tuple[str, ...]


@dataclass(frozen=True)
class Point:
    """One statement of a source (`policy_kb/sources/*.yaml` `points`)."""

    id: str
    topic: str
    aspects: Tuple[str, ...]
    text: str
    region: str
    department: Optional[str]
    citation: Citation
    applies_to: Optional[str] = None
    excludes: Tuple[str, ...] = ()
    subject: Optional[str] = None  # narrower than the topic's incentive (增量留抵退税)
    asked: Tuple[str, ...] = ()  # how people ask about it in words it does not use


_cache: Dict[str, "KnowledgeBase"] = {}
_lock = threading.Lock()


def open_kb(path: Optional[PathLike] = None) -> "KnowledgeBase":
    """The knowledge base at `path` (default `paths.DEFAULT_DB`), reopened if the file changed."""
    resolved = Path(path or DEFAULT_DB).resolve()
    key = str(resolved)
    with _lock:
        kb = _cache.get(key)
        if kb is None or kb.file_changed():
            # The old instance is not closed here: another thread may still be reading
            # from it; its connection closes when the last reference goes.
            kb = _cache[key] = KnowledgeBase(resolved)
        return kb


def open_default() -> "KnowledgeBase":
    """The knowledge base at `paths.DEFAULT_DB` (what `policybot kb build` writes)."""
    return open_kb()


def or_default(kb: Optional["KnowledgeBase"]) -> "KnowledgeBase":
    """`kb` itself, or the default knowledge base when it is None (library functions take `kb=None`)."""
    return kb if kb is not None else open_default()


def _file_id(path: Path):
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise KBNotBuiltError(f"知识库尚未构建：{path}（请先运行 policybot kb build）") from None
    return st.st_ino, st.st_mtime_ns, st.st_size


class KnowledgeBase:
    """Queries over one compiled database file. Thread-safe for reading."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._file_id = _file_id(self.path)
        self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self._docs = {row["id"]: self._doc_dict(row) for row in self._rows("SELECT * FROM documents ORDER BY ord")}
        self._lexicon = None
        self._parsed_programs: Optional[List[Tuple[Program, Tuple[str, str]]]] = None

    # --- lifecycle -------------------------------------------------------------

    def file_changed(self) -> bool:
        try:
            return _file_id(self.path) != self._file_id
        except KBNotBuiltError:
            return False  # keep serving the open (unlinked) file rather than failing

    def close(self) -> None:
        self.conn.close()

    def _rows(self, sql: str, params=()) -> List[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    # --- documents and clauses -----------------------------------------------------

    @staticmethod
    def _doc_dict(row) -> Document:
        doc = dict(row)
        doc["notes"] = tuple(json.loads(doc["notes"] or "[]"))
        doc["default_for_awards"] = bool(doc.get("default_for_awards"))
        return _record(Document, doc)

    def documents(self) -> List[Document]:
        """All documents, in build order."""
        return list(self._docs.values())

    def document(self, doc_id: str) -> Document:
        try:
            return self._docs[doc_id]
        except KeyError:
            raise NotFoundError(f"没有这个文件：{doc_id}") from None

    def document_of_region(self, region: str) -> Optional[Document]:
        """The (first) document of a canonical region, None when there is none."""
        return next((d for d in self._docs.values() if d.region == region), None)

    def regions(self) -> List[str]:
        """Canonical regions that have their own documents (the national one left out), in build order."""
        return list(dict.fromkeys(d.region for d in self._docs.values() if d.region != NATIONAL_REGION))

    def listed_regions(self) -> List[str]:
        """The covered regions in the order the assistant lists them (`listed` in the sources)."""
        place = {r: self.document_of_region(r).listed for r in self.regions()}
        return sorted(place, key=lambda r: (place[r] is None, place[r] or 0))

    def short_region(self, region: str) -> str:
        """How users name a region (广西壮族自治区 → 广西); the region itself when no source says."""
        doc = self.document_of_region(region)
        return (doc.region_short if doc else None) or region

    def region_label(self, region: str) -> str:
        """How the assistant names a region in lists and on its button (六安市, 广西)."""
        doc = self.document_of_region(region)
        return (doc.region_label if doc else None) or self.short_region(region)

    def default_award_region(self) -> Optional[str]:
        """The region an award question that names none is answered for."""
        return next((d.region for d in self._docs.values() if d.default_for_awards), None)

    def citation(self, doc_id: str, clause_id: str, quote: str = "") -> Citation:
        """The citation used everywhere: document title, clause, quote, document_id, status."""
        doc = self.document(doc_id)
        return Citation(document=doc.title, clause=clause_id, quote=quote, document_id=doc_id, status=doc.status)

    def clause(self, doc_id: str, clause_id: str) -> Clause:
        rows = self._rows("SELECT * FROM clauses WHERE document_id = ? AND clause_id = ?", (doc_id, clause_id))
        if not rows:
            self.document(doc_id)
            raise NotFoundError(f"文件 {doc_id} 中没有条款 {clause_id}")
        return self._clause_dict(rows[0])

    def clauses(self, doc_id: Optional[str] = None) -> List[Clause]:
        if doc_id is not None:
            self.document(doc_id)
            rows = self._rows("SELECT * FROM clauses WHERE document_id = ? ORDER BY ord", (doc_id,))
        else:
            rows = self._rows("SELECT c.* FROM clauses c JOIN documents d ON d.id = c.document_id ORDER BY d.ord, c.ord")
        return [self._clause_dict(r) for r in rows]

    def _clause_dict(self, row) -> Clause:
        doc = self._docs[row["document_id"]]
        return Clause(document_id=row["document_id"], document=doc.title, clause=row["clause_id"],
                      heading=row["heading"], heading_path=tuple(json.loads(row["heading_path"])),
                      text=row["text"], region=row["region"], status=doc.status)

    # --- programmes ------------------------------------------------------------------

    def programs(self, region: Optional[str] = None) -> List[Program]:
        """Programmes (rules_schema.Program) of a region (alias accepted), all when None."""
        region = self._region_filter(region)
        return [program for program, regions in self._programs() if region is None or region in regions]

    def _programs(self) -> List[Tuple[Program, Tuple[str, str]]]:
        """Every programme parsed once per file (parsing its rules was most of an action's
        look-up time); the same objects are handed out, so callers must not change them."""
        if self._parsed_programs is None:
            rows = self._rows("SELECT p.* FROM programs p JOIN documents d ON d.id = p.document_id ORDER BY d.ord, p.rowid")
            self._parsed_programs = [(Program.parse_raw(r["data"]), (r["region"], r["program_region"])) for r in rows]
        return self._parsed_programs

    def program_document(self, program_id: str) -> Document:
        """The document a programme comes from."""
        rows = self._rows("SELECT document_id FROM programs WHERE id = ?", (program_id,))
        if not rows:
            raise NotFoundError(f"没有这个项目：{program_id}")
        return self.document(rows[0]["document_id"])

    # --- awards, targets, departments, procedures, directions -------------------------

    def awards(self, region: Optional[str] = None) -> List[Award]:
        """The award schedule of a region (alias accepted), all when None."""
        return self._cited(Award, "awards", region)

    def award_notes(self, region: Optional[str] = None) -> List[AwardNote]:
        """Sentences about awards (e.g. 广西 has no fixed amounts), with citation."""
        return self._cited(AwardNote, "award_notes", region)

    def targets(self, region: Optional[str] = None) -> List[Target]:
        return self._cited(Target, "targets", region)

    def figures(self, region: Optional[str] = None) -> List[Figure]:
        """Thresholds and other quantified provisions that are not goals."""
        return self._cited(Figure, "figures", region)

    def departments(self, region: Optional[str] = None) -> List[Department]:
        return self._cited(Department, "departments", region, json_cols=("handles",))

    def procedures(self, region: Optional[str] = None) -> List[Procedure]:
        return self._cited(Procedure, "procedures", region)

    def directions(self, region: Optional[str] = None) -> List[Direction]:
        return self._cited(Direction, "directions", region)

    def topics(self) -> List["Topic"]:
        """Every topic once, its cues merged over the sources that declare it (read once per
        instance: an instance is one build of the file, see `open_kb`)."""
        cached = self.__dict__.get("_topics_memo")
        if cached is not None:
            return list(cached)
        merged: Dict[str, Topic] = {}
        for row in self._rows("SELECT t.* FROM topics t JOIN documents d ON d.id = t.document_id ORDER BY d.ord, t.rowid"):
            cues = tuple(json.loads(row["cues"] or "[]"))
            known = merged.get(row["id"])
            merged[row["id"]] = Topic(row["id"], row["name"], row["kind"], (known.cues if known else ()) + cues)
        self.__dict__["_topics_memo"] = tuple(merged.values())
        return list(merged.values())

    def points(self, region: Optional[str] = None, topic: Optional[str] = None) -> List["Point"]:
        """Statements people ask about; `region` keeps that region's and the national ones. The
        points are read once per instance (the planner asks for them many times a message)."""
        every = self.__dict__.get("_points_memo")
        if every is None:
            rows = self._rows("SELECT p.* FROM points p JOIN documents d ON d.id = p.document_id ORDER BY d.ord, p.rowid")
            every = self.__dict__["_points_memo"] = tuple(self._point(row) for row in rows)
        wanted = self._region_filter(region)
        return [p for p in every if (not topic or p.topic == topic) and (not wanted or p.region in (wanted, NATIONAL_REGION))]

    def _point(self, row) -> "Point":
        doc = self._docs[row["document_id"]]
        citation = Citation(document=row["basis"] or doc.title, clause=row["clause"], quote=row["quote"],
                            document_id=row["document_id"], status=row["status"] or doc.status,
                            official=bool(row["basis"]) or doc.status in ("征求意见稿", "正式"))
        return Point(row["id"], row["topic"], tuple(json.loads(row["aspects"])), row["text"], row["region"],
                     row["department"], citation, row["applies_to"], tuple(json.loads(row["excludes"] or "[]")),
                     row["subject"], tuple(json.loads(row["asked"] or "[]")))

    def _cited(self, cls: Type[R], table: str, region: Optional[str], json_cols=()) -> List[R]:
        region = self._region_filter(region)
        sql = f"SELECT t.* FROM {table} t JOIN documents d ON d.id = t.document_id"
        sql += " WHERE t.region = ?" if region else ""
        rows = self._rows(sql + " ORDER BY d.ord, t.rowid", (region,) if region else ())
        out = []
        for row in rows:
            item = dict(row)
            for col in json_cols:
                item[col] = tuple(json.loads(item[col] or "[]"))
            item["citation"] = self.citation(item["document_id"], item["clause"], item["quote"])
            out.append(_record(cls, item))
        return out

    def _region_filter(self, region: Optional[str]) -> Optional[str]:
        if region is None:
            return None
        return self.resolve_region(region) or region

    # --- incentives and dated parameters -----------------------------------------------

    def incentives(self) -> List[Incentive]:
        """National incentives, in source order."""
        return [self._incentive_dict(r) for r in self._rows("SELECT * FROM incentives ORDER BY rowid")]

    def incentive(self, incentive_id: str) -> Incentive:
        rows = self._rows("SELECT * FROM incentives WHERE id = ?", (incentive_id,))
        if not rows:
            raise NotFoundError(f"没有这项优惠政策：{incentive_id}")
        return self._incentive_dict(rows[0])

    def _incentive_dict(self, row) -> Incentive:
        item = dict(row)
        item["estimated"] = bool(item["estimated"])
        item["firm_rate"] = bool(item.get("firm_rate"))
        item["sentences"] = json.loads(item.get("sentences") or "{}")
        item["notes"] = tuple(json.loads(item["notes"] or "[]"))
        item["citation"] = replace(self.citation(item["document_id"], item["clause"], item["quote"]),
                                   status=item["status"], basis=item["basis"])
        item["parameters"] = tuple(sorted({r["name"] for r in self._rows(
            "SELECT name FROM parameters WHERE incentive_id = ?", (item["id"],))}))
        return _record(Incentive, item)

    def parameter_history(self, incentive_id: str, name: str) -> List[Parameter]:
        """Every dated value of a parameter, oldest first."""
        rows = self._rows("SELECT * FROM parameters WHERE incentive_id = ? AND name = ? ORDER BY effective_from",
                          (incentive_id, name))
        if not rows:
            self.incentive(incentive_id)
            raise NotFoundError(f"优惠政策 {incentive_id} 没有参数 {name}")
        return [self._param_dict(r) for r in rows]

    def parameter(self, incentive_id: str, name: str, on: Optional[Union[dt.date, str]] = None) -> Parameter:
        """The value of a parameter in effect on `on` (default: today).

        Raises NotFoundError when no value is in effect on that date.
        """
        day = _as_date(on)
        for item in reversed(self.parameter_history(incentive_id, name)):
            if _in_effect(item, day):
                return item
        raise NotFoundError(f"{incentive_id}.{name} 在 {day.isoformat()} 没有有效取值")

    def _param_dict(self, row) -> Parameter:
        item = dict(row)
        item["value"] = json.loads(item["value"])
        item["citation"] = replace(self.citation(item["document_id"], item["clause"], item["quote"]),
                                   status=item["status"], basis=item["basis"])
        return _record(Parameter, item)

    def value_cues(self) -> List[Tuple[str, str, str]]:
        """(cue, value, incentive id): words of a question that name a value of a list parameter."""
        return [(r["cue"], r["value"], r["incentive_id"]) for r in self._rows("SELECT * FROM value_cues ORDER BY rowid")]

    # --- aliases --------------------------------------------------------------------------

    def aliases(self, kind: Optional[str] = None) -> Dict[str, str]:
        """{alias: canonical}, for one kind (region, honor, term, direction, incentive, scale …) or all."""
        sql = "SELECT alias, canonical FROM aliases" + (" WHERE kind = ?" if kind else "") + " ORDER BY rowid"
        return {r["alias"]: r["canonical"] for r in self._rows(sql, (kind,) if kind else ())}

    def alias_kinds(self) -> Dict[str, List[tuple]]:
        """alias -> [(canonical, kind, region of the defining document)], for search expansion."""
        out: Dict[str, List[tuple]] = {}
        for r in self._rows("SELECT alias, canonical, kind, region FROM aliases ORDER BY rowid"):
            out.setdefault(r["alias"], []).append((r["canonical"], r["kind"], r["region"]))
        return out

    def resolve_region(self, text: Optional[str]) -> Optional[str]:
        """'六安' / '广西' / '广西壮族自治区' … -> canonical region, None if unknown."""
        if not text:
            return None
        text = text.strip()
        regions = {d.region for d in self._docs.values()}
        if text in regions:
            return text
        return self.aliases("region").get(text)

    def resolve_honor(self, text: Optional[str]) -> Optional[str]:
        """'省智能工厂' / '省级的智能工厂' … -> canonical honour name, None if unknown."""
        if not text:
            return None
        text = text.strip()
        honors = {r["honor"] for r in self._rows("SELECT honor FROM awards")}
        if text in honors:
            return text
        return self.aliases("honor").get(text)

    def lexicon(self) -> List[tuple]:
        """(word, freq, pos) of the domain vocabulary the database was built with."""
        if self._lexicon is None:
            self._lexicon = [(r["word"], r["freq"], r["pos"]) for r in self._rows("SELECT * FROM lexicon")]
        return self._lexicon


def _as_date(on) -> dt.date:
    if on is None:
        return dt.date.today()
    if isinstance(on, dt.datetime):
        return on.date()
    if isinstance(on, dt.date):
        return on
    return dt.date.fromisoformat(str(on))


def _record(cls: Type[R], row: Dict[str, Any]) -> R:
    """A dataclass from a row that may carry more columns than it has fields."""
    return cls(**{f.name: row.get(f.name) for f in fields(cls)})


def _in_effect(item: Parameter, day: dt.date) -> bool:
    start, end = item.effective_from, item.effective_to
    return (not start or dt.date.fromisoformat(start) <= day) and (not end or day <= dt.date.fromisoformat(end))
