"""Firm lists as bureau staff keep them: the Excel template, reading .xlsx/.csv, writing .xlsx.

The template has a sheet of firms (`企业`, one row per firm), a sheet of equipment (`设备`,
one row per item: firm, value, purchase date, special purpose), drop-down lists for the
yes/no and choice columns, an example row and a sheet explaining every column and its unit.

Reading turns each firm row into the flat text row `policy_kb.batch.Matcher` reads (the
CSV columns of docs/batch.md §1), so a workbook and a CSV give the same results. What staff type is
accepted as they type it: amounts such as “三百万元” (the chat's amount parser), 20% or
百分之二十, dates typed as text (2025年3月1日, 2025/3/1), merged cells (the value fills every
row of the range), formulas (their saved result). What cannot be read makes that row bad,
with its row number as Excel shows it and the reason; a file that cannot be read at all
(wrong type, no 地区 column) raises `WorkbookError`.

Writing is a small streaming .xlsx writer (inline strings, one pass, constant memory):
100,000 firms' results are written in seconds, where openpyxl's write-only mode takes minutes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import escape

from policy_kb.errors import PolicyKBError
from policy_kb.profile import CATALOGS, DIRECTIONS, FIELDS, REGION_SHORT, REGIONS

FIRM_SHEET, EQUIPMENT_SHEET, NOTES_SHEET = "企业", "设备", "填写说明"
EXAMPLE_PREFIX = "示例"
HEADER_SEARCH_ROWS = 5  # a title row or two above the header is allowed
YES_NO = ("是", "否")


class WorkbookError(PolicyKBError):
    """The file as a whole cannot be read (wrong type, no firm sheet, missing columns)."""


@dataclass(frozen=True)
class Column:
    """One column of the template: the batch field it fills, its Chinese header and how to read it."""

    key: str
    header: str
    kind: str  # text | bool | enum | money | percent | rate | date | list
    note: str
    choices: Tuple[str, ...] = ()
    example: Any = None
    width: int = 14


def _field_header(name: str) -> str:
    spec = FIELDS[name]
    return f"{spec.label}（{spec.unit}）" if spec.unit else spec.label


def _bool_column(name: str, note: str, example: str = "") -> Column:
    return Column(name, _field_header(name), "bool", note, YES_NO, example or None)


FIRM_COLUMNS: Tuple[Column, ...] = (
    Column("name", "企业名称", "text", "企业全称；设备表按此名称对应到企业。以“示例”开头的行不参与比对。",
           example="示例：六安某某机械有限公司", width=28),
    Column("region", "地区", "text",
           f"{' 或 '.join(REGIONS)}（也可写 {'、'.join(REGION_SHORT[r] for r in REGIONS)}）。必填。",
           REGIONS, REGIONS[0], 16),
    _bool_column("independent_legal_person", "是/否；不填按“是”判断（广西要求具有独立法人资格）。"),
    _bool_column("operating_normally", "是/否；不填按“是”判断。"),
    _bool_column("above_designated_size", "是/否：是否规模以上工业企业（规上）。", "是"),
    _bool_column("above_size_after_project", "是/否：小型工业企业改造后能否新增成为规上企业。"),
    Column("direction", _field_header("direction"), "enum", "“六化”改造方向，从下拉列表选择。", DIRECTIONS, "智能化"),
    Column("fixed_asset_investment_wan", _field_header("fixed_asset_investment_wan"), "money",
           "项目固定资产投资总额，单位万元；可写 300、300万、三百万元、3,000,000元。", example=300),
    Column("investment_this_year_wan", _field_header("investment_this_year_wan"), "money",
           "本年度预计完成的投资额，单位万元。", example=120),
    Column("output_growth_pct", _field_header("output_growth_pct"), "percent",
           "改造后工业总产值预期增长，单位%：填 20 或 20% 表示增长20%。", example=20),
    _bool_column("filed_or_approved", "是/否：项目是否已办理备案（核准）手续。", "是"),
    _bool_column("completes_this_year", "是/否：项目能否在年度内竣工投产。"),
    _bool_column("energy_saving_or_safety", "是/否：是否节能技改或安全性能提升项目。"),
    Column("industry_catalog", _field_header("industry_catalog"), "enum",
           "鼓励类/允许类/限制类/淘汰类；不填按允许类判断。", CATALOGS),
    Column("honors", "新认定称号", "list", "本年新认定的称号，多个用分号（；）分隔，写法见本表末尾的称号列表。",
           example="省级智能工厂", width=24),
    Column("income_tax_rate", "企业所得税税率", "rate", "小数或百分数：0.25 或 25%；不填按25%。", example=0.25),
    Column("industry", "所属行业", "text", "用于判断研发费用加计扣除负面清单，如 制造业。"),
    Column("rd_expense_wan", "研发费用（万元）", "money", "本年度研发费用（费用化部分），单位万元。", example=100),
    Column("rd_intangible_wan", "研发形成无形资产（万元）", "money", "研发形成无形资产的成本，单位万元。"),
    Column("tech_transfer_income_wan", "技术转让所得（万元）", "money", "本年度技术转让所得，单位万元。"),
)

EQUIPMENT_COLUMNS: Tuple[Column, ...] = (
    Column("firm", "企业名称", "text", "与企业表中的企业名称一致。", example="示例：六安某某机械有限公司", width=28),
    Column("value_wan", "单价（万元）", "money", "一台（套）设备的价格，单位万元。", example=300),
    Column("purchase_date", "购置日期", "date", "日期，如 2025-03-01（也可写 2025/3/1、2025年3月1日）。",
           example=dt.date(2025, 3, 1)),
    Column("special_purpose", "专用设备类别", "enum", "环境保护、节能节水、安全生产专用设备选择类别；普通设备不填。",
           example="环境保护"),
)

# Header text (normalised) -> column key; the CSV names of docs/batch.md §1 are accepted too.
_PAREN = re.compile(r"[（(][^）)]*[）)]")


def _norm_header(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or "")).replace("(", "（").replace(")", "）").lower()


def _aliases(columns: Sequence[Column]) -> Dict[str, str]:
    table: Dict[str, str] = {}
    for col in columns:
        for alias in (col.header, _PAREN.sub("", col.header), col.key):
            table.setdefault(_norm_header(alias), col.key)
    return table


_FIRM_ALIASES = {**_aliases(FIRM_COLUMNS), "equipment": "equipment", "设备": "equipment"}
_EQUIPMENT_ALIASES = {**_aliases(EQUIPMENT_COLUMNS), "firm": "firm", "name": "firm", "value": "value_wan",
                      "单价": "value_wan", "价格（万元）": "value_wan", "购置时间": "purchase_date",
                      "专用设备": "special_purpose", "purpose": "special_purpose"}
_FIRM_BY_KEY = {c.key: c for c in FIRM_COLUMNS}
_EQUIPMENT_BY_KEY = {c.key: c for c in EQUIPMENT_COLUMNS}
REQUIRED_FIRM_COLUMNS = ("region",)
REQUIRED_EQUIPMENT_COLUMNS = ("firm", "value_wan", "purchase_date")


# ---------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------
def build_template(path_or_stream, honors: Sequence[str], special_purposes: Sequence[str]) -> None:
    """Write the input template: firms, equipment (drop-down lists, example rows) and notes.

    `honors` and `special_purposes` come from the knowledge base (the titles it knows, the
    equipment categories of the special-equipment credit), so a policy added in YAML shows up here.
    """
    from openpyxl import Workbook

    wb = Workbook()
    firms = wb.active
    firms.title = FIRM_SHEET
    _template_sheet(firms, FIRM_COLUMNS)
    equipment = wb.create_sheet(EQUIPMENT_SHEET)
    columns = tuple(c if c.key != "special_purpose" else Column(c.key, c.header, c.kind, c.note,
                                                              tuple(special_purposes), c.example)
                    for c in EQUIPMENT_COLUMNS)
    _template_sheet(equipment, columns)
    equipment.cell(row=2, column=3).number_format = "yyyy-mm-dd"
    _notes_sheet(wb.create_sheet(NOTES_SHEET), honors, special_purposes)
    wb.save(path_or_stream)


def _template_sheet(ws, columns: Sequence[Column]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font, cell.fill = bold, fill
        ws.cell(row=2, column=i, value=col.example)
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(col.width, len(col.header) * 2 + 2)
        if col.choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="请从列表中选择",
                                error=f"{col.header}：请选择 {'、'.join(col.choices)}")
            dv.add(f"{letter}2:{letter}100000")
            ws.add_data_validation(dv)
    ws.freeze_panes = "B2"


def _notes_sheet(ws, honors: Sequence[str], special_purposes: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Font

    rows: List[Tuple[Any, ...]] = [("技改政策比对：企业名单填写说明",), (),
                                   ("工作表", "列名", "单位/取值", "说明")]
    for sheet, columns in ((FIRM_SHEET, FIRM_COLUMNS), (EQUIPMENT_SHEET, EQUIPMENT_COLUMNS)):
        for col in columns:
            rows.append((sheet, col.header, _unit_text(col, special_purposes), col.note))
    rows += [(), ("称号列表（新认定称号列可填写）",), *[(h,) for h in honors], (),
             ("其他说明",),
             ("每家企业一行；一家企业有多台设备时，在设备表中每台一行。",),
             ("“是/否”列也接受 是/否、有/无、1/0；金额可写 300、300万、三百万元；日期可写 2025-03-01、2025年3月1日。",),
             ("公式按 Excel 保存的计算结果读取；合并单元格的值视为填入合并范围的每一行。",),
             ("有误的行不会中断比对：结果中列出行号和原因，改正后可重新上传。",),
             ("比对结果依据的政策文件为征求意见稿，以正式发布文件为准。",)]
    for row in rows:
        ws.append(list(row))
    ws["A1"].font = Font(bold=True, size=14)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (10, 30, 30, 70), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _unit_text(col: Column, special_purposes: Sequence[str]) -> str:
    if col.kind == "bool":
        return "是/否（下拉选择）"
    if col.key == "special_purpose":
        return "、".join(special_purposes) + "（下拉选择）"
    if col.choices:
        return "、".join(col.choices) + "（下拉选择）"
    return {"money": "万元", "percent": "%", "rate": "小数或百分数", "date": "日期",
            "list": "多个用；分隔"}.get(col.kind, "文字")


# ---------------------------------------------------------------------------
# Reading cells
# ---------------------------------------------------------------------------
class CellError(ValueError):
    """One cell cannot be read; the message is Chinese and names the problem."""


_TRUE_MARKS = {"√": "是", "✓": "是", "✔": "是", "×": "否", "✗": "否", "✘": "否", "true": "是", "false": "否"}


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _money(value: Any) -> str:
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return _to_text(value)
    text = _to_text(value)
    if not text:
        return ""
    try:
        return _number_text(float(text.replace(",", "").replace("，", "")))
    except ValueError:
        pass
    from nlu.normalise import parse_amount

    amount = parse_amount(text, bare_unit="万")
    if amount is None:
        raise CellError(f"应为金额（万元），如 300 或 三百万元，收到“{text}”")
    return _number_text(amount)


def _percent(value: Any) -> str:
    text = _to_text(value)
    if not text or not isinstance(value, str):
        return text
    try:
        return _number_text(float(text.rstrip("%％").strip()))
    except ValueError:
        pass
    from nlu.normalise import parse_percent

    pct = parse_percent(text)
    if pct is None:
        raise CellError(f"应为百分数，如 20 或 20%，收到“{text}”")
    return _number_text(pct)


def _rate(value: Any) -> str:
    text = _to_text(value)
    if isinstance(value, str) and text.endswith(("%", "％")):
        try:
            return _number_text(float(text[:-1]) / 100)
        except ValueError:
            raise CellError(f"应为税率，如 0.25 或 25%，收到“{text}”") from None
    return text


def _bool(value: Any) -> str:
    text = _to_text(value)
    return _TRUE_MARKS.get(text.lower(), text)


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _date(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return (_EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()  # a date serial without a date format
    text = _to_text(value).replace(" ", "") if not isinstance(value, str) else value.strip()
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                raise CellError(f"日期不存在：“{text}”") from None
    raise CellError(f"应为日期，如 2025-03-01 或 2025年3月1日，收到“{text}”")


_READERS = {"text": _to_text, "enum": _to_text, "list": _to_text, "bool": _bool, "money": _money,
            "percent": _percent, "rate": _rate, "date": _date}


# ---------------------------------------------------------------------------
# Rows read from a file
# ---------------------------------------------------------------------------
@dataclass
class FirmRow:
    """One firm as the batch matcher reads it; `error` set when the row cannot be read."""

    row: int  # row number as the spreadsheet shows it (header = 1 in the template)
    values: Dict[str, str]
    error: Optional[str] = None


@dataclass
class BadRow:
    sheet: str
    row: int
    reason: str


@dataclass
class FirmList:
    """The firms of a file, read lazily; `notes` and `bad` fill while `rows()` runs."""

    filename: str
    firm_sheet: str
    total: int  # firm rows expected (the sheet's last row minus the header); 0 when unknown
    notes: List[str] = field(default_factory=list)
    bad: List[BadRow] = field(default_factory=list)  # rows of other sheets (equipment) that were not used
    _rows: Optional[Iterator[FirmRow]] = None

    def rows(self) -> Iterator[FirmRow]:
        assert self._rows is not None
        return self._rows


class _Header:
    """Where each known column is in a sheet; unknown headers are reported, not fatal."""

    def __init__(self, cells: Sequence[Any], aliases: Dict[str, str], columns: Dict[str, Column],
                 sheet: str, required: Sequence[str], notes: List[str]):
        self.index: List[Tuple[int, str]] = []
        unknown = []
        for i, cell in enumerate(cells):
            text = _norm_header(cell)
            if not text:
                continue
            key = aliases.get(text) or aliases.get(_norm_header(_PAREN.sub("", str(cell))))
            if key and key not in {k for _, k in self.index}:
                self.index.append((i, key))
            else:
                unknown.append(str(cell).strip())
        missing = [k for k in required if k not in {k for _, k in self.index}]
        if missing:
            names = "、".join(f"“{columns[k].header}”" for k in missing)
            raise WorkbookError(f"“{sheet}”表缺少{names}列：请使用模板的表头（第1行）。")
        if unknown:
            notes.append(f"“{sheet}”表有未识别的列，已忽略：{'、'.join(unknown)}")
        self.columns = columns

    def read(self, cells: Sequence[Any], row_no: int) -> Tuple[Dict[str, str], Optional[str]]:
        values: Dict[str, str] = {}
        for i, key in self.index:
            raw = cells[i] if i < len(cells) else None
            if raw is None:
                continue
            col = self.columns.get(key)
            try:
                values[key] = _READERS[col.kind](raw) if col else _to_text(raw)
            except CellError as exc:
                return values, f"第{row_no}行“{col.header}”：{exc}"
        return values, None


def _find_header(rows: Iterator[Tuple[int, Sequence[Any]]], aliases: Dict[str, str]) -> Tuple[int, Sequence[Any]]:
    """The first of the top rows naming at least two known columns."""
    for row_no, cells in rows:
        if sum(1 for c in cells if _norm_header(c) in aliases) >= 2:
            return row_no, cells
        if row_no >= HEADER_SEARCH_ROWS:
            break
    return 0, ()


def _blank(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def read_firms(path: Union[str, Path], filename: Optional[str] = None) -> FirmList:
    """The firms of a .xlsx or .csv file; WorkbookError when the file cannot be read at all."""
    path = Path(path)
    filename = filename or path.name
    suffix = Path(filename).suffix.lower()
    if suffix in (".xls", ".et", ".wps", ".ods", ".numbers"):
        raise WorkbookError(f"不支持 {suffix} 文件：请在 Excel/WPS 中“另存为”Excel 工作簿（.xlsx）后再上传。")
    if suffix == ".xlsx" or (suffix != ".csv" and zipfile.is_zipfile(path)):
        return _read_xlsx(path, filename)
    if suffix == ".csv":
        return _read_csv(path, filename)
    raise WorkbookError(f"不支持的文件类型“{suffix or filename}”：请上传 Excel 工作簿（.xlsx）或 CSV 文件（.csv）。")


# -- CSV ------------------------------------------------------------------------------------
def _decode_csv(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise WorkbookError("文件不是 CSV 文本：请上传 Excel 工作簿（.xlsx）或 CSV 文件（.csv）。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise WorkbookError("CSV 文件的编码无法识别：请另存为 UTF-8 编码的 CSV，或上传 .xlsx。")


def _read_csv(path: Path, filename: str) -> FirmList:
    text = _decode_csv(path)
    rows = enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    firms = FirmList(filename, "CSV", max(0, text.count("\n") - 1))
    header_row, cells = _find_header(rows, _FIRM_ALIASES)
    if not header_row:
        raise WorkbookError("CSV 文件没有可识别的表头：请使用模板的表头（企业名称、地区……）。")
    header = _Header(cells, _FIRM_ALIASES, _FIRM_BY_KEY, "CSV", REQUIRED_FIRM_COLUMNS, firms.notes)
    firms._rows = _firm_rows(rows, header, {}, firms)
    return firms


# -- xlsx -----------------------------------------------------------------------------------
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>]")


@dataclass
class _SheetFacts:
    has_formulas: bool
    merges: List[Tuple[int, int, int, int]]  # (first row, first col, last row, last col), 1-based
    rows: int = 0  # rows with cells (for the progress bar; openpyxl's max_row would parse the sheet)


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _scan_sheet(zf: zipfile.ZipFile, member: str) -> _SheetFacts:
    """Formulas and merged ranges of a sheet, found in its XML without parsing every cell."""
    has_formulas, merges, tail, rows = False, [], b"", 0
    with zf.open(member) as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            rows += len(_ROW.findall(chunk))  # a tag split across chunks is missed: only a progress total
            data = tail + chunk
            has_formulas = has_formulas or bool(_FORMULA.search(data))
            merges += [m for m in _MERGE.finditer(data) if m.start() >= len(tail) - 200 or not tail]
            tail = data[-200:]
    seen = {}
    for m in merges:
        key = (int(m.group(2)), _col_number(m.group(1)), int(m.group(4)), _col_number(m.group(3)))
        seen[key] = None
    return _SheetFacts(has_formulas, list(seen), rows)


def _open_workbook(path: Path, data_only: bool):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WorkbookError(f"无法读取该 Excel 文件（{type(exc).__name__}）：请确认是 .xlsx 工作簿，"
                            "可在 Excel/WPS 中打开后另存为 .xlsx 再上传。") from None


def _read_xlsx(path: Path, filename: str) -> FirmList:
    if not zipfile.is_zipfile(path):
        raise WorkbookError("文件不是有效的 Excel 工作簿（.xlsx）：请在 Excel/WPS 中另存为 .xlsx 后再上传。")
    wb = _open_workbook(path, data_only=True)
    ws = wb[FIRM_SHEET] if FIRM_SHEET in wb.sheetnames else wb.worksheets[0]
    facts = _facts(path, ws)
    firms = FirmList(filename, ws.title, max(0, facts.rows - 1))
    rows = _sheet_rows(path, ws, facts, firms)
    header_row, cells = _find_header(rows, _FIRM_ALIASES)
    if not header_row:
        raise WorkbookError(f"“{ws.title}”表前{HEADER_SEARCH_ROWS}行中没有可识别的表头：请使用模板（企业名称、地区……）。")
    header = _Header(cells, _FIRM_ALIASES, _FIRM_BY_KEY, ws.title, REQUIRED_FIRM_COLUMNS, firms.notes)
    firms.total = max(0, facts.rows - header_row)
    equipment = _read_equipment(path, wb, firms) if EQUIPMENT_SHEET in wb.sheetnames else {}
    firms._rows = _firm_rows(rows, header, equipment, firms)
    return firms


def _facts(path: Path, ws) -> _SheetFacts:
    with zipfile.ZipFile(path) as zf:
        member = _member_of(zf, ws)
        return _scan_sheet(zf, member) if member else _SheetFacts(True, [])


def _member_of(zf: zipfile.ZipFile, ws) -> Optional[str]:
    """The zip member of a read-only worksheet (openpyxl stores its path as `_worksheet_path`)."""
    member = getattr(ws, "_worksheet_path", None)
    if member:
        member = member.lstrip("/")
        return member if member in zf.namelist() else None
    return None


def _sheet_rows(path: Path, ws, facts: _SheetFacts, firms: FirmList) -> Iterator[Tuple[int, list]]:
    """(row number, cell values) with merged ranges filled and formulas checked."""
    ws.reset_dimensions()
    values = ws.iter_rows(values_only=True)
    formulas = None
    if facts.has_formulas:
        fwb = _open_workbook(path, data_only=False)
        fws = fwb[ws.title]
        fws.reset_dimensions()
        formulas = fws.iter_rows(values_only=True)
    fill = _MergeFill(facts.merges, ws.title, firms.notes)
    formula_note = _FormulaNote(ws.title, firms.notes)
    row_no = 0
    try:
        for row_no, cells in enumerate(values, start=1):
            cells = list(cells)
            if formulas is not None:
                formula_note.apply(row_no, cells, next(formulas, ()))
            if fill.active:
                fill.apply(row_no, cells)
            yield row_no, cells
    except (ParseError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError) as exc:
        raise WorkbookError(f"“{ws.title}”表第{row_no + 1}行起无法读取，文件可能已损坏（{type(exc).__name__}）："
                            "请在 Excel/WPS 中打开并另存为 .xlsx 后再上传。") from None
    formula_note.finish()


class _MergeFill:
    """Merged cells: the top-left value stands for every cell of the range (noted once per range)."""

    def __init__(self, merges: List[Tuple[int, int, int, int]], sheet: str, notes: List[str]):
        self.merges = [m for m in merges if m[2] > m[0]]  # ranges over columns only do not hide values
        self.active = bool(self.merges)
        self.values: Dict[Tuple[int, int], Any] = {}
        if self.merges:
            spans = "、".join(f"第{r0}–{r1}行第{c0}列" if c0 == c1 else f"第{r0}–{r1}行第{c0}–{c1}列"
                             for r0, c0, r1, c1 in self.merges[:5])
            more = f"等{len(self.merges)}处" if len(self.merges) > 5 else ""
            notes.append(f"“{sheet}”表有合并单元格（{spans}{more}）：已按合并范围内每一行都填写了该值处理。")

    def apply(self, row_no: int, cells: list) -> None:
        for r0, c0, r1, c1 in self.merges:
            if not r0 <= row_no <= r1:
                continue
            while len(cells) < c1:
                cells.append(None)
            for c in range(c0, c1 + 1):
                if row_no == r0:
                    self.values[(r0, c)] = cells[c0 - 1]
                else:
                    cells[c - 1] = self.values.get((r0, c))


class _FormulaNote:
    """Formulas are read as their saved results; a formula Excel never calculated makes its row bad."""

    def __init__(self, sheet: str, notes: List[str]):
        self.sheet, self.notes, self.count, self.first = sheet, notes, 0, None

    def apply(self, row_no: int, cells: list, formulas: Sequence[Any]) -> None:
        for i, f in enumerate(formulas):
            if isinstance(f, str) and f.startswith("=") and i < len(cells):
                if cells[i] is None:
                    cells[i] = _Uncalculated(f)
                    continue
                self.count += 1
                self.first = self.first or (row_no, f)

    def finish(self) -> None:
        if self.count:
            row_no, f = self.first
            self.notes.append(f"“{self.sheet}”表有{self.count}个单元格是公式（如第{row_no}行 {f}）："
                              "已按 Excel 保存的计算结果读取。")


class _Uncalculated(str):
    """A formula cell without a saved result (e.g. a file written by a program, never opened in Excel)."""


def _check_uncalculated(cells: Sequence[Any], header: _Header, row_no: int) -> Optional[str]:
    for i, key in header.index:
        if i < len(cells) and isinstance(cells[i], _Uncalculated):
            col = header.columns.get(key)
            name = col.header if col else key
            return (f"第{row_no}行“{name}”是公式（{cells[i]}），文件中没有计算结果："
                    "请在 Excel/WPS 中打开并保存后再上传，或把公式粘贴为数值。")
    return None


# -- firms and their equipment -------------------------------------------------------------
def _firm_rows(rows: Iterator[Tuple[int, Sequence[Any]]], header: _Header,
               equipment: Dict[str, List[str]], firms: FirmList) -> Iterator[FirmRow]:
    examples, names = [], set()
    for row_no, cells in rows:
        if _blank(cells):
            continue
        values, error = header.read(cells, row_no)
        error = _check_uncalculated(cells, header, row_no) or error
        name = values.get("name", "")
        if name.startswith(EXAMPLE_PREFIX):
            examples.append(row_no)
            continue
        names.add(name)
        units = equipment.get(name)
        if units:
            broken = [u for u in units if isinstance(u, _Broken)]
            error = error or (f"设备表{broken[0]}" if broken else None)
            good = [u for u in units if not isinstance(u, _Broken)]
            values["equipment"] = ";".join(filter(None, [values.get("equipment", ""), *good]))
        yield FirmRow(row_no, values, error)
    if examples:
        firms.notes.append(f"已跳过示例行（企业名称以“{EXAMPLE_PREFIX}”开头）：第{'、'.join(map(str, examples))}行。")
    for firm, units in equipment.items():
        if firm not in names:
            for unit in units:
                if not isinstance(unit, _Broken):
                    firms.bad.append(BadRow(EQUIPMENT_SHEET, unit.row, f"第{unit.row}行企业“{firm}”不在企业表中"))


def _read_equipment(path: Path, wb, firms: FirmList) -> Dict[str, List[str]]:
    """Firm name -> equipment units as `value@date[@purpose]`; a bad item is reported and left out
    of the firm's estimate, and the firm's row says so."""
    ws = wb[EQUIPMENT_SHEET]
    rows = _sheet_rows(path, ws, _facts(path, ws), firms)
    header_row, cells = _find_header(rows, _EQUIPMENT_ALIASES)
    if not header_row:
        if not _blank(cells):
            firms.notes.append(f"“{EQUIPMENT_SHEET}”表没有可识别的表头，未读取设备。")
        return {}
    header = _Header(cells, _EQUIPMENT_ALIASES, _EQUIPMENT_BY_KEY, EQUIPMENT_SHEET, REQUIRED_EQUIPMENT_COLUMNS,
                     firms.notes)
    units: Dict[str, List[str]] = {}
    for row_no, cells in rows:
        if _blank(cells):
            continue
        values, error = header.read(cells, row_no)
        error = _check_uncalculated(cells, header, row_no) or error
        firm = values.get("firm", "")
        if firm.startswith(EXAMPLE_PREFIX):
            continue
        if not error:
            error = _equipment_problem(values, row_no)
        if error:
            firms.bad.append(BadRow(EQUIPMENT_SHEET, row_no, error))
            if firm:
                units.setdefault(firm, []).append(_Broken(error))
            continue
        purpose = values.get("special_purpose", "")
        units.setdefault(firm, []).append(_Unit(f"{values['value_wan']}@{values['purchase_date']}" +
                                                (f"@{purpose}" if purpose else ""), row_no))
    return units


def _equipment_problem(values: Dict[str, str], row_no: int) -> Optional[str]:
    for key in REQUIRED_EQUIPMENT_COLUMNS:
        if not values.get(key):
            return f"第{row_no}行缺少“{_EQUIPMENT_BY_KEY[key].header}”"
    if values["value_wan"].startswith("-"):
        return f"第{row_no}行“单价（万元）”不能为负数"
    return None


class _Unit(str):
    """One equipment item as `value@date[@purpose]`, remembering its row of the equipment sheet."""

    def __new__(cls, text: str, row: int):
        unit = super().__new__(cls, text)
        unit.row = row
        return unit


class _Broken(str):
    """An equipment item that could not be read: it makes its firm's row bad (with the reason)."""


# ---------------------------------------------------------------------------
# Writing .xlsx (streaming)
# ---------------------------------------------------------------------------
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _cell(ref: str, value: Any, style: str = "") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{style}><v>{_number_text(value)}</v></c>'
    text = escape(_ILLEGAL_XML.sub("", str(value)))
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


class _SheetStream:
    def __init__(self, stream, columns: int):
        self.stream, self.row, self.letters = stream, 0, [_letters(i + 1) for i in range(columns)]

    def append(self, values: Sequence[Any], header: bool = False) -> None:
        self.row += 1
        style = ' s="1"' if header else ""
        cells = "".join(_cell(f"{self.letters[i]}{self.row}", v, style) for i, v in enumerate(values))
        self.stream.write(f'<row r="{self.row}">{cells}</row>'.encode("utf-8"))


class XlsxWriter:
    """Write a workbook one sheet at a time, one row at a time; `close()` finishes the file.

    >>> with XlsxWriter("out.xlsx") as book:                 # doctest: +SKIP
    ...     with book.sheet("结果", ["企业名称", "结论"], [30, 10]) as sheet:
    ...         sheet.append(["某公司", "符合"])
    """

    def __init__(self, path_or_stream):
        self.zip = zipfile.ZipFile(path_or_stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.sheets: List[str] = []

    def __enter__(self) -> "XlsxWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def sheet(self, title: str, headers: Sequence[str], widths: Sequence[int] = ()) -> "_SheetContext":
        self.sheets.append(title)
        return _SheetContext(self, len(self.sheets), headers, widths)

    def close(self) -> None:
        if self.zip.fp is None:
            return
        sheets = "".join(f'<sheet name="{escape(t)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, t in enumerate(self.sheets, start=1))
        self.zip.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                          f'<workbook {_NS} {_RNS}><sheets>{sheets}</sheets></workbook>')
        rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, len(self.sheets) + 1))
        rels += f'<Relationship Id="rId{len(self.sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        self.zip.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                          f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
                          "</Relationships>")
        self.zip.writestr("xl/styles.xml", _STYLES)
        self.zip.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                          '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                          f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                          "</Relationships>")
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                            for i in range(1, len(self.sheets) + 1))
        self.zip.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                          '<Default Extension="xml" ContentType="application/xml"/>'
                          '<Override PartName="/xl/workbook.xml" ContentType="application/'
                          'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                          '<Override PartName="/xl/styles.xml" ContentType="application/'
                          f'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>')
        self.zip.close()


class _SheetContext:
    def __init__(self, book: XlsxWriter, number: int, headers: Sequence[str], widths: Sequence[int]):
        self.book, self.number, self.headers, self.widths = book, number, list(headers), list(widths)

    def __enter__(self) -> _SheetStream:
        self.stream = self.book.zip.open(f"xl/worksheets/sheet{self.number}.xml", "w", force_zip64=True)
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                       for i, w in enumerate(self.widths, start=1))
        self.stream.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                           f'<worksheet {_NS} {_RNS}><sheetViews><sheetView workbookViewId="0">'
                           '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                           "</sheetView></sheetViews>" + (f"<cols>{cols}</cols>" if cols else "") +
                           "<sheetData>").encode("utf-8"))
        sheet = _SheetStream(self.stream, max(len(self.headers), 1))
        if self.headers:
            sheet.append(self.headers, header=True)
        self._sheet = sheet
        return sheet

    def __exit__(self, *exc) -> None:
        last = _letters(max(len(self.headers), 1))
        tail = "</sheetData>"
        if self.headers and self._sheet.row > 1:
            tail += f'<autoFilter ref="A1:{last}{self._sheet.row}"/>'
        self.stream.write((tail + "</worksheet>").encode("utf-8"))
        self.stream.close()
