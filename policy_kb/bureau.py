"""送政策入企: match a bureau's firm list (.xlsx or .csv) and write results.xlsx.

One function, `match_file`, serves both the command line (`policybot match firms.xlsx -o
results.xlsx`) and the staff console's background job, so both give the same results.
Per firm and programme it gives the status, the failed and unknown checks, the reasons
(what would make each failed check pass), and whether the firm is *close*: it fails one
check only, a numeric one, by at most `near_miss_fraction` of the requirement (e.g.
“今年完成投资还差100万元”). Bad rows are listed with sheet, row number and reason; they never
stop the batch.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

from policy_kb import eligibility, firm_notice, wording
from policy_kb.batch import Matcher, read_profile
from policy_kb.conditions import fails
from policy_kb.profile import FIELDS
from policy_kb.rules_schema import AllOf, AnyOf, Comparison, Ratio, RulesError, TaxRequestError
from policy_kb.workbook import FIRM_COLUMNS, BadRow, FirmList, FirmRow, XlsxWriter, read_firms

NEAR_MISS_FRACTION = 0.2  # a shortfall of at most 20% of the requirement counts as close
STATUS_NAMES = {"eligible": "符合", "needs_info": "需补充信息", "ineligible": "暂不符合", "error": "数据有误",
                "none": "无适用项目"}
STATUSES = ("eligible", "needs_info", "ineligible")

# The CSV columns of docs/batch.md §2 (row, name, region, status, programs, failed/unknown checks, missing,
# awards, tax saving, notice, error), one row per programme, plus the reasons and the near miss.
RESULT_HEADERS = ["行号", "企业名称", "地区", "企业总体结论", "政策项目", "项目编号", "结论", "未通过的条件",
                  "待确认的条件", "需补充的信息", "原因与建议", "接近符合", "奖补估算（万元）", "税收优惠估算（万元）",
                  "政策告知书（摘要）", "数据问题"]
RESULT_WIDTHS = [6, 30, 14, 12, 26, 26, 12, 30, 24, 24, 60, 30, 12, 14, 60, 40]


@dataclass
class NearMiss:
    """A failed numeric check the firm misses by a small margin."""

    check_id: str
    check_label: str
    field: str
    gap: float
    required: float
    text: str  # “今年完成投资还差100万元”
    fix: str  # “今年完成投资达到900万元（30%）即可满足”


@dataclass
class ProgrammeOutcome:
    program_id: str
    program_name: str
    status: str
    failed: List[str]
    unknown: List[str]
    missing: List[str]
    reasons: List[str]
    near_miss: Optional[NearMiss] = None


@dataclass
class FirmResult:
    """One firm: its programmes' outcomes, awards and tax figures, or the error of its row."""

    row: int
    name: str
    region: str
    status: str
    programmes: List[ProgrammeOutcome] = field(default_factory=list)
    awards_total_wan: Optional[float] = None
    tax_saving_wan: Optional[float] = None
    notice: str = ""
    flat: Dict[str, Any] = field(default_factory=dict)
    error: str = ""


@dataclass
class Summary:
    """The figures of a run: firms, bad rows, counts per programme and status, near misses."""

    rows: int = 0
    ok: int = 0
    bad_rows: int = 0
    overall: Counter = field(default_factory=Counter)
    by_programme: Dict[str, Counter] = field(default_factory=dict)
    programme_names: Dict[str, str] = field(default_factory=dict)
    near_misses: int = 0
    seconds: float = 0.0

    def add(self, firm: FirmResult) -> None:
        self.rows += 1
        self.overall[firm.status] += 1
        if firm.status == "error":
            self.bad_rows += 1
            return
        self.ok += 1
        for p in firm.programmes:
            self.programme_names[p.program_id] = p.program_name
            self.by_programme.setdefault(p.program_id, Counter())[p.status] += 1
            self.near_misses += p.near_miss is not None

    def to_dict(self) -> Dict[str, Any]:
        return {
            "rows": self.rows, "ok": self.ok, "bad_rows": self.bad_rows, "near_misses": self.near_misses,
            "overall": {s: self.overall.get(s, 0) for s in (*STATUSES, "error")},
            "programmes": [{"program_id": pid, "program_name": self.programme_names[pid],
                            "counts": {s: counts.get(s, 0) for s in STATUSES}}
                           for pid, counts in sorted(self.by_programme.items())],
            "seconds": round(self.seconds, 2),
        }


# ---------------------------------------------------------------------------
# Near misses: how far a failed numeric check is from passing
# ---------------------------------------------------------------------------
def shortfall(cond, p: Dict[str, Any]) -> Optional[Tuple[str, float, float]]:
    """(field, how much is missing, the requirement) for a failed numeric condition, else None.

    >>> from policy_kb.rules_schema import Comparison
    >>> shortfall(Comparison(field="fixed_asset_investment_wan", op=">=", value=500), {"fixed_asset_investment_wan": 450})
    ('fixed_asset_investment_wan', 50.0, 500.0)
    """
    if isinstance(cond, Comparison):
        actual = p.get(cond.field)
        if cond.op in (">=", ">") and isinstance(actual, (int, float)) and not isinstance(actual, bool):
            gap = float(cond.value) - actual
            return (cond.field, round(gap, 6), float(cond.value)) if gap >= 0 else None
        return None
    if isinstance(cond, Ratio):
        num, den = cond.ratio
        a, b = p.get(num), p.get(den)
        if cond.op not in (">=", ">") or a is None or not b:
            return None
        needed = wording.ceil_money(cond.value * b)
        return (num, round(needed - a, 6), needed) if needed > a else None
    if isinstance(cond, AllOf):
        failing = [c for c in cond.all if fails(c, p)]
        return shortfall(failing[0], p) if len(failing) == 1 else None
    if isinstance(cond, AnyOf):
        options = [s for s in (shortfall(c, p) for c in cond.any) if s]
        return min(options, key=lambda s: s[1] / s[2] if s[2] else 1e9, default=None)
    return None


def _gap_text(name: str, gap: float) -> str:
    spec = FIELDS.get(name)
    unit = spec.unit if spec else ""
    amount = wording.fmt_number(wording.ceil_money(gap))
    return f"{wording.label(name)}还差{amount}{'个百分点' if unit == '%' else unit}"


def near_miss(cc, p: Dict[str, Any], fraction: float) -> Optional[NearMiss]:
    """The near miss of one failed check, when it is numeric and the gap is within `fraction`."""
    hit = shortfall(cc.check.condition, p)
    if hit is None:
        return None
    name, gap, required = hit
    if required <= 0 or gap <= 0 or gap / required > fraction:
        return None
    return NearMiss(cc.check.id, cc.check.label, name, gap, required, _gap_text(name, gap),
                    wording.fix_sentence(cc, p))


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------
class BureauMatcher:
    """`policy_kb.batch.Matcher` plus the reasons and near misses a bureau's dashboard needs."""

    def __init__(self, kb=None, near_miss_fraction: float = NEAR_MISS_FRACTION):
        self.matcher = Matcher(kb)
        self.kb = self.matcher.kb
        self.fraction = near_miss_fraction

    def match(self, firm: FirmRow) -> FirmResult:
        values = firm.values
        name = (values.get("name") or "").strip()
        if firm.error:
            return FirmResult(firm.row, name, values.get("region", ""), "error", error=firm.error)
        try:
            return self._match(firm.row, name, values)
        except RulesError as exc:
            label = _column_header(exc.field)
            reason = f"第{firm.row}行“{label}”：{exc}" if label else f"第{firm.row}行：{exc}"
            return FirmResult(firm.row, name, values.get("region", ""), "error", error=reason)

    def _check_purposes(self, equipment: str) -> None:
        """A special-equipment category the credit does not know would be left out silently: refuse it."""
        known = self.matcher.tax.purposes
        for part in filter(None, equipment.split(";")):
            purpose = part.split("@")[2].strip() if part.count("@") >= 2 else ""
            if purpose and purpose not in known:
                raise TaxRequestError(f"专用设备类别应为{'、'.join(sorted(known))}之一（普通设备不填），收到“{purpose}”",
                                      field="equipment")

    def _match(self, row: int, name: str, values: Dict[str, str]) -> FirmResult:
        m = self.matcher
        self._check_purposes(values.get("equipment") or "")
        region = m.region((values.get("region") or "").strip())
        flat = read_profile(values)
        decisions = [(cp, cp.decide(flat)) for cp in eligibility.compiled_programs(region, self.kb)]
        awards_total = m.awards_total(region, values.get("honors") or "")
        tax_saving = m.tax_saving(values)
        lines = [firm_notice.program_line(cp, d) for cp, d in decisions]
        short = firm_notice.firm_notice(name, lines, awards_total, tax_saving, any(m.is_draft(cp) for cp, _ in decisions))
        return FirmResult(row, name, region, _overall(d.status for _, d in decisions),
                          [self._outcome(cp, d) for cp, d in decisions], awards_total, tax_saving, short, flat)

    def _outcome(self, cp, d) -> ProgrammeOutcome:
        p = d.profile
        failed = [cc for cc, ok, _ in d.outcomes if ok is False]
        if d.status == "ineligible":
            reasons = [f"{cc.check.label}：{wording.fix_sentence(cc, p)}" for cc in failed]
        elif d.status == "needs_info":
            reasons = [f"请补充：{wording.labels(d.missing)}"]
        else:
            reasons = []
        close = near_miss(failed[0], p, self.fraction) if len(failed) == 1 else None
        return ProgrammeOutcome(cp.program.id, cp.program.name, d.status, [cc.check.id for cc in failed],
                                [cc.check.id for cc, ok, _ in d.outcomes if ok is None], list(d.missing),
                                reasons, close)


def _overall(statuses: Iterable[str]) -> str:
    statuses = list(statuses)
    return next((s for s in STATUSES if s in statuses), "none")


def _column_header(name: Optional[str]) -> str:
    if not name:
        return ""
    name = name.split("[", 1)[0]  # honors[0] -> honors
    if name == "equipment":
        return "设备"
    return next((c.header for c in FIRM_COLUMNS if c.key == name), name)


# ---------------------------------------------------------------------------
# results.xlsx
# ---------------------------------------------------------------------------
def result_rows(firm: FirmResult) -> List[List[Any]]:
    """The rows of results.xlsx for one firm: one per programme (one row for a bad row)."""
    if firm.status == "error":
        error = STATUS_NAMES["error"]
        return [[firm.row, firm.name, firm.region, error, "", "", error, "", "", "", "", "", None, None, "", firm.error]]
    out = []
    for p in firm.programmes:
        out.append([firm.row, firm.name, firm.region, STATUS_NAMES.get(firm.status, firm.status), p.program_name,
                    p.program_id, STATUS_NAMES[p.status],
                    "；".join(p.failed), "；".join(p.unknown), wording.labels(p.missing), "；".join(p.reasons),
                    p.near_miss.text if p.near_miss else "", firm.awards_total_wan, firm.tax_saving_wan,
                    firm.notice, ""])
    return out


class _Results:
    """Collects what results.xlsx needs besides the streamed main sheet (small lists)."""

    def __init__(self) -> None:
        self.summary = Summary()
        self.near: List[List[Any]] = []
        self.bad: List[BadRow] = []

    def add(self, firm: FirmResult, sheet: str) -> None:
        self.summary.add(firm)
        if firm.status == "error":
            self.bad.append(BadRow(sheet, firm.row, firm.error))
        for p in firm.programmes:
            if p.near_miss:
                self.near.append([firm.row, firm.name, firm.region, p.program_name, p.near_miss.text, p.near_miss.fix])


def _write_tail(book: XlsxWriter, results: _Results, firms: FirmList) -> None:
    with book.sheet("接近符合", ["行号", "企业名称", "地区", "政策项目", "差距", "怎样可以符合"],
                    [6, 30, 14, 26, 30, 60]) as sheet:
        for row in results.near:
            sheet.append(row)
    with book.sheet("有误的行", ["工作表", "行号", "原因"], [10, 6, 90]) as sheet:
        for bad in sorted(results.bad + firms.bad, key=lambda b: (b.sheet != firms.firm_sheet, b.row)):
            sheet.append([bad.sheet, bad.row, bad.reason])
    s = results.summary.to_dict()
    with book.sheet("汇总", ["项目", "符合", "需补充信息", "暂不符合"], [30, 10, 12, 10]) as sheet:
        for p in s["programmes"]:
            sheet.append([p["program_name"], *(p["counts"][k] for k in STATUSES)])
        sheet.append([])
        for label, value in (("文件", firms.filename), ("企业（行）", s["rows"]), ("比对成功", s["ok"]),
                             ("数据有误的行", s["bad_rows"] + len(firms.bad)), ("接近符合（项目次）", s["near_misses"])):
            sheet.append([label, value])
        for note in firms.notes:
            sheet.append(["说明", note])


@dataclass
class RunReport:
    """What `match_file` did (the figures shown to staff and printed by the CLI)."""

    summary: Summary
    notes: List[str]
    bad: List[BadRow]
    filename: str

    def to_dict(self) -> Dict[str, Any]:
        return {**self.summary.to_dict(), "filename": self.filename, "notes": self.notes,
                "bad": [{"sheet": b.sheet, "row": b.row, "reason": b.reason} for b in self.bad]}


Sink = Callable[[FirmResult], None]
Progress = Callable[[int, int], None]


def match_file(in_path: Union[str, Path], out: Union[str, Path, Any], kb=None, filename: Optional[str] = None,
               near_miss_fraction: float = NEAR_MISS_FRACTION, sink: Optional[Sink] = None,
               progress: Optional[Progress] = None, progress_every: int = 500) -> RunReport:
    """Match every firm of a .xlsx/.csv file and write results.xlsx to `out`.

    `sink` receives every firm's result (the console stores them for its dashboard);
    `progress(done, total)` is called every `progress_every` rows. WorkbookError when the
    file cannot be read at all; bad rows are reported, never raised.
    """
    start = time.perf_counter()
    firms = read_firms(in_path, filename)
    matcher = BureauMatcher(kb, near_miss_fraction)
    results = _Results()
    with XlsxWriter(out) as book:
        with book.sheet("比对结果", RESULT_HEADERS, RESULT_WIDTHS) as sheet:
            for i, row in enumerate(firms.rows(), start=1):
                firm = matcher.match(row)
                results.add(firm, firms.firm_sheet)
                for values in result_rows(firm):
                    sheet.append(values)
                if sink:
                    sink(firm)
                if progress and i % progress_every == 0:
                    progress(i, max(firms.total, i))
        _write_tail(book, results, firms)
    results.summary.seconds = time.perf_counter() - start
    if progress:
        progress(results.summary.rows, results.summary.rows)
    bad = sorted(results.bad + firms.bad, key=lambda b: (b.sheet != firms.firm_sheet, b.row))
    return RunReport(results.summary, firms.notes, bad, firms.filename)
