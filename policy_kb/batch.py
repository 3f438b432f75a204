"""Batch matcher for tax and industry-bureau staff (docs/batch.md): one row per firm in, one out.

Input CSV columns (all but `region` optional; blank = not given):
    name, region, independent_legal_person, operating_normally, above_designated_size,
    above_size_after_project, direction, fixed_asset_investment_wan, investment_this_year_wan,
    output_growth_pct, filed_or_approved, completes_this_year, energy_saving_or_safety,
    industry_catalog, honors (titles separated by `;`), income_tax_rate, industry,
    rd_expense_wan, rd_intangible_wan, equipment, tech_transfer_income_wan
`equipment` lists units as `value_wan@YYYY-MM-DD[@special purpose]`, separated by `;`
(e.g. `300@2025-03-01@环境保护;120@2024-06-01`).

Output per firm: status per programme, failed and unknown checks, missing facts, awards
total, tax-saving estimate and a short 政策告知书. A bad row is written with its error and
reported (row number and reason); it never stops the batch.

Speed: programmes are compiled once (`eligibility.compiled_programs`), tax parameters read
once (`tax.FastTax`), awards and regions cached per distinct text; no SQLite or pydantic per row.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, TextIO, Tuple, Union

from policy_kb import awards, eligibility, firm_notice, wording
from policy_kb.profile import FALSE_WORDS, FIELDS, TRUE_WORDS
from policy_kb.rules_schema import ProfileError, RulesError, TaxRequestError
from policy_kb.store import or_default
from policy_kb.tax import FastTax

PROFILE_COLUMNS = list(FIELDS)
INPUT_COLUMNS = ["name", "region", *PROFILE_COLUMNS, "honors", "income_tax_rate", "industry",
                 "rd_expense_wan", "rd_intangible_wan", "equipment", "tech_transfer_income_wan"]
OUTPUT_COLUMNS = ["row", "name", "region", "status", "programs", "failed_checks", "unknown_checks", "missing",
                  "awards_total_wan", "tax_saving_wan", "notice", "error"]
FORMATS = ("csv", "jsonl")


@dataclass
class BatchReport:
    """What a run did: rows read, rows written without error, bad rows (row number, reason)."""

    rows: int = 0
    ok: int = 0
    bad: List[Tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# ---------------------------------------------------------------------------
# Reading one row (fast converters with the Chinese messages of policy_kb.profile)
# ---------------------------------------------------------------------------
def _bool(name: str) -> Callable[[str], Optional[bool]]:
    label = FIELDS[name].label

    def convert(text: str) -> Optional[bool]:
        key = text.strip().lower()
        if key in TRUE_WORDS:
            return True
        if key in FALSE_WORDS:
            return False if key else None
        raise ProfileError(f"{label}应为是/否，收到“{text}”", field=name)
    return convert


def _number(name: str, unit: str = "", non_negative: bool = True) -> Callable[[str], Optional[float]]:
    label = (FIELDS[name].label if name in FIELDS else name)

    def convert(text: str) -> Optional[float]:
        text = text.strip()
        if not text:
            return None
        try:
            value = float(text.replace(",", ""))
        except ValueError:
            raise ProfileError(f"{label}应为数字，收到“{text}”", field=name) from None
        if math.isnan(value) or math.isinf(value) or (non_negative and value < 0):
            raise ProfileError(f"{label}不能为负数或非数字，收到“{text}”", field=name)
        return value
    return convert


def _enum(name: str) -> Callable[[str], Optional[str]]:
    spec = FIELDS[name]

    def convert(text: str) -> Optional[str]:
        text = text.strip()
        if not text:
            return None
        if text not in spec.choices:
            raise ProfileError(f"{spec.label}应为{'、'.join(spec.choices)}之一，收到“{text}”", field=name)
        return text
    return convert


_CONVERTERS: Dict[str, Callable[[str], Any]] = {
    name: (_bool(name) if spec.kind == "bool" else _number(name) if spec.kind == "number" else _enum(name))
    for name, spec in FIELDS.items()
}
_CONVERTER_ITEMS = list(_CONVERTERS.items())
_TAX_COLUMNS = ("rd_expense_wan", "rd_intangible_wan", "tech_transfer_income_wan", "equipment")
_rd, _intangible, _transfer = (_number(c) for c in ("rd_expense_wan", "rd_intangible_wan", "tech_transfer_income_wan"))


def _rate(text: str) -> Optional[float]:
    value = _number("income_tax_rate")(text)
    if value is not None and value >= 1:
        raise TaxRequestError(f"企业所得税税率应为0到1之间的小数，收到“{text}”", field="income_tax_rate")
    return value


_EQUIPMENT = re.compile(r"^\s*([0-9.,]+)\s*@\s*(\d{4}-\d{2}-\d{2})\s*(?:@\s*(\S+))?\s*$")


def parse_equipment(text: str) -> List[Tuple[float, dt.date, Optional[str]]]:
    """'300@2025-03-01@环境保护;120@2024-06-01' -> [(300.0, date, '环境保护'), (120.0, date, None)]."""
    units = []
    for part in filter(str.strip, (text or "").split(";")):
        m = _EQUIPMENT.match(part)
        if not m:
            raise TaxRequestError(f"设备应写作“单价万元@购置日期[@专用设备类别]”，收到“{part}”", field="equipment")
        try:
            units.append((float(m.group(1).replace(",", "")), dt.date.fromisoformat(m.group(2)), m.group(3)))
        except ValueError:
            raise TaxRequestError(f"设备购置日期无效：“{part}”", field="equipment") from None
    return units


def read_profile(row: Dict[str, str]) -> Dict[str, Any]:
    """The flat profile of a CSV row; ProfileError naming the column when a value is wrong."""
    flat = {}
    for name, convert in _CONVERTER_ITEMS:
        text = row.get(name)
        flat[name] = convert(text) if text else None
    return flat


# ---------------------------------------------------------------------------
# Matching one firm
# ---------------------------------------------------------------------------
class Matcher:
    """Everything read from the knowledge base once, reused for every row."""

    def __init__(self, kb=None):
        self.kb = or_default(kb)
        self.tax = FastTax(self.kb)
        self._regions: Dict[str, Union[str, RulesError]] = {}
        self._awards: Dict[Tuple[str, str], Union[float, RulesError]] = {}
        self._drafts: Dict[str, bool] = {}
        self._programs: Dict[str, list] = {}

    def region(self, text: str) -> str:
        hit = self._regions.get(text)
        if hit is None:
            try:
                hit = eligibility.resolve_region(text, self.kb)
            except RulesError as exc:
                hit = exc
            self._regions[text] = hit
        if isinstance(hit, RulesError):
            raise hit
        return hit

    def awards_total(self, region: str, honors: str) -> Optional[float]:
        if not honors.strip():
            return None
        key = (region, honors)
        hit = self._awards.get(key)
        if hit is None:
            titles = [h.strip() for h in re.split(r"[;；]", honors) if h.strip()]
            try:
                hit = awards.calculate(region, titles, kb=self.kb).total_wan
            except RulesError as exc:
                hit = exc
            self._awards[key] = hit
        if isinstance(hit, RulesError):
            raise hit
        return hit

    def tax_saving(self, row: Dict[str, str]) -> Optional[float]:
        if not any(row.get(c) for c in _TAX_COLUMNS):
            return None
        rd, intangible = _rd(row.get("rd_expense_wan") or ""), _intangible(row.get("rd_intangible_wan") or "")
        transfer = _transfer(row.get("tech_transfer_income_wan") or "")
        equipment = parse_equipment(row.get("equipment") or "")
        if rd is None and intangible is None and transfer is None and not equipment:
            return None
        rate = _rate(row.get("income_tax_rate") or "")
        return self.tax.total(rate, row.get("industry"), rd, intangible, equipment, transfer)

    def is_draft(self, cp) -> bool:
        doc_id = cp.program.document
        if doc_id not in self._drafts:
            self._drafts[doc_id] = eligibility.document_status(self.kb, doc_id) == wording.DRAFT_STATUS
        return self._drafts[doc_id]

    def match_row(self, row: Dict[str, str]) -> Dict[str, Any]:
        """The output record of one firm; RulesError when the row is bad."""
        region = self.region((row.get("region") or "").strip())
        flat = read_profile(row)
        programs = self._programs.get(region)
        if programs is None:
            programs = self._programs[region] = eligibility.compiled_programs(region, self.kb)
        decisions = [(cp, cp.decide(flat)) for cp in programs]
        awards_total = self.awards_total(region, row.get("honors") or "")
        tax_saving = self.tax_saving(row)
        name = (row.get("name") or "").strip()
        lines = [firm_notice.program_line(cp, d) for cp, d in decisions]
        short = firm_notice.firm_notice(name, lines, awards_total, tax_saving, any(self.is_draft(cp) for cp, _ in decisions))
        return {
            "name": name, "region": region, "status": _overall(d.status for _, d in decisions),
            "programs": [_program_record(cp, d) for cp, d in decisions],
            "awards_total_wan": awards_total, "tax_saving_wan": tax_saving, "notice": short, "flat": flat,
        }


def _overall(statuses: Iterable[str]) -> str:
    statuses = list(statuses)
    for status in ("eligible", "needs_info", "ineligible"):
        if status in statuses:
            return status
    return "none"


def _program_record(cp, d) -> Dict[str, Any]:
    return {
        "program_id": cp.program.id, "status": d.status,
        "failed": [cc.check.id for cc, ok, _ in d.outcomes if ok is False],
        "unknown": [cc.check.id for cc, ok, _ in d.outcomes if ok is None],
        "missing": d.missing,
    }


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------
def _csv_row(row_no: int, rec: Dict[str, Any]) -> List[Any]:
    statuses, failed, unknown, missing = [], [], [], []
    for p in rec.get("programs", ()):
        pid = p["program_id"]
        statuses.append(f"{pid}={p['status']}")
        failed += [f"{pid}/{c}" for c in p["failed"]]
        unknown += [f"{pid}/{c}" for c in p["unknown"]]
        missing += p["missing"]
    return [
        row_no, rec.get("name", ""), rec.get("region", ""), rec.get("status", "error"),
        ";".join(statuses), ";".join(failed), ";".join(unknown), ";".join(missing),
        _blank(rec.get("awards_total_wan")), _blank(rec.get("tax_saving_wan")), rec.get("notice", ""),
        rec.get("error", ""),
    ]


def _blank(value: Optional[float]) -> str:
    return "" if value is None else wording.fmt_number(value)


def _json_row(row_no: int, rec: Dict[str, Any]) -> str:
    out = {k: v for k, v in rec.items() if k != "flat"}
    return json.dumps({"row": row_no, **out}, ensure_ascii=False)


class _Writer:
    def __init__(self, out: TextIO, fmt: str):
        self.fmt = fmt
        self.out = out
        self.csv = csv.writer(out) if fmt == "csv" else None
        if self.csv:
            self.csv.writerow(OUTPUT_COLUMNS)

    def write(self, row_no: int, rec: Dict[str, Any]) -> None:
        if self.csv:
            self.csv.writerow(_csv_row(row_no, rec))
        else:
            self.out.write(_json_row(row_no, rec) + "\n")


# ---------------------------------------------------------------------------
# Notices
# ---------------------------------------------------------------------------
def _safe_name(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", text).strip("_")[:40] or "firm"


def write_notice(directory: Path, row_no: int, rec: Dict[str, Any], matcher: Matcher) -> Path:
    """One Markdown 政策告知书 with every check, its clause and the advice."""
    results = eligibility.evaluate({"region": rec["region"], **rec["flat"]}, kb=matcher.kb)
    text = firm_notice.firm_notice_markdown(rec["name"], rec["region"], results, rec["notice"],
                                       rec["awards_total_wan"], rec["tax_saving_wan"])
    path = directory / f"{row_no:06d}-{_safe_name(rec['name'])}.md"
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------
def _open_out(out: Union[str, Path, TextIO]) -> Tuple[TextIO, bool]:
    if hasattr(out, "write"):
        return out, False
    return open(out, "w", encoding="utf-8", newline=""), True


def _progress(rows: Iterable, total: int, enabled: bool):
    if enabled and sys.stderr.isatty():
        import click

        return click.progressbar(rows, length=total, label="比对中", file=sys.stderr)
    return _Null(rows)


class _Null:
    def __init__(self, rows):
        self.rows = rows

    def __enter__(self):
        return self.rows

    def __exit__(self, *exc):
        return False


def _count_rows(path: Path) -> int:
    with open(path, "rb") as f:
        return max(0, sum(1 for _ in f) - 1)


def match(in_csv: Union[str, Path], out: Union[str, Path, TextIO], fmt: str = "csv",
          notices_dir: Optional[Union[str, Path]] = None, progress: bool = True, kb=None) -> BatchReport:
    """Match every firm of `in_csv` (UTF-8, BOM allowed) and write one record per firm to `out`.

    Row numbers count data rows from 1 (the header is row 0). Bad rows are written with
    their error and listed in the report; they never stop the batch.
    """
    if fmt not in FORMATS:
        raise ValueError(f"未知输出格式 {fmt}（可选 csv、jsonl）")
    start = time.perf_counter()
    matcher, report = Matcher(kb), BatchReport()
    notices = Path(notices_dir) if notices_dir else None
    if notices:
        notices.mkdir(parents=True, exist_ok=True)
    total = _count_rows(Path(in_csv)) if progress and sys.stderr.isatty() else 0
    stream, owned = _open_out(out)
    try:
        with open(in_csv, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            _check_header(reader.fieldnames, in_csv)
            _run(reader, _Writer(stream, fmt), matcher, report, notices, _progress, progress, total)
    finally:
        if owned:
            stream.close()
    report.seconds = time.perf_counter() - start
    return report


def _check_header(fieldnames: Optional[List[str]], in_csv) -> None:
    if not fieldnames or "region" not in fieldnames:
        raise ProfileError(f"{in_csv}：缺少表头或没有 region 列", field="region")


def _run(reader, writer: _Writer, matcher: Matcher, report: BatchReport, notices: Optional[Path],
         progress_factory, progress: bool, total: int) -> None:
    with progress_factory(reader, total, progress) as rows:
        for row_no, row in enumerate(rows, start=1):
            report.rows += 1
            try:
                rec = matcher.match_row(row)
            except RulesError as exc:
                reason = f"{exc.field}: {exc}" if exc.field else str(exc)
                report.bad.append((row_no, reason))
                writer.write(row_no, {"name": (row.get("name") or "").strip(), "region": row.get("region") or "",
                                      "status": "error", "error": reason})
                continue
            report.ok += 1
            writer.write(row_no, rec)
            if notices:
                write_notice(notices, row_no, rec, matcher)
