"""Reading what bureau staff type into the template, and the template itself."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from policy_kb import workbook
from policy_kb.workbook import WorkbookError, read_firms


def _rows(path: Path):
    firms = read_firms(path)
    return firms, list(firms.rows())


def _sheet(tmp_path: Path, rows, name: str = "企业", equipment=None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = name
    for row in rows:
        ws.append(row)
    if equipment is not None:
        eq = wb.create_sheet("设备")
        for row in equipment:
            eq.append(row)
    path = tmp_path / "firms.xlsx"
    wb.save(path)
    return path


def test_template_has_sheets_validations_example_and_notes(tmp_path):
    path = tmp_path / "t.xlsx"
    workbook.build_template(path, ["省级智能工厂"], ["环境保护", "节能节水", "安全生产"])
    wb = load_workbook(path)
    assert wb.sheetnames == ["企业", "设备", "填写说明"]
    firms, equipment, notes = wb["企业"], wb["设备"], wb["填写说明"]
    assert [c.value for c in firms[1]][:3] == ["企业名称", "地区", "独立法人资格"]
    assert firms["A2"].value.startswith("示例")
    lists = {dv.formula1 for dv in firms.data_validations.dataValidation}
    assert '"是,否"' in lists and '"高端化,智能化,信息化,自动化,绿色化,创新化"' in lists
    assert '"鼓励类,允许类,限制类,淘汰类"' in lists
    assert {dv.formula1 for dv in equipment.data_validations.dataValidation} == {'"环境保护,节能节水,安全生产"'}
    assert [c.value for c in equipment[1]] == ["企业名称", "单价（万元）", "购置日期", "专用设备类别"]
    explained = {row[1] for row in notes.iter_rows(min_row=4, values_only=True) if row[1]}
    assert {c.header for c in workbook.FIRM_COLUMNS + workbook.EQUIPMENT_COLUMNS} <= explained
    units = {row[1]: row[2] for row in notes.iter_rows(min_row=4, values_only=True) if row[1]}
    assert units["固定资产投资（万元）"] == "万元" and units["规模以上工业企业"].startswith("是/否")


def test_the_template_as_downloaded_reads_as_no_firms(tmp_path):
    path = tmp_path / "t.xlsx"
    workbook.build_template(path, [], ["环境保护"])
    firms, rows = _rows(path)
    assert rows == [] and any("示例" in n for n in firms.notes)


@pytest.mark.parametrize("typed,expected", [
    ("三百万元", "300"), ("300万", "300"), ("3,000,000元", "300"), ("1.5亿", "15000"), (" 250 ", "250"), (120.5, "120.5"),
])
def test_amounts_are_read_as_the_chat_reads_them(tmp_path, typed, expected):
    path = _sheet(tmp_path, [["企业名称", "地区", "固定资产投资（万元）"], ["甲", "六安", typed]])
    assert _rows(path)[1][0].values["fixed_asset_investment_wan"] == expected


def test_an_unreadable_amount_makes_the_row_bad_with_its_number(tmp_path):
    path = _sheet(tmp_path, [["企业名称", "地区", "固定资产投资（万元）"], ["甲", "六安", "三百多万"], ["乙", "六安", 300]])
    rows = _rows(path)[1]
    assert rows[0].row == 2 and rows[0].error.startswith("第2行“固定资产投资（万元）”：应为金额")
    assert rows[1].error is None


@pytest.mark.parametrize("typed,expected", [
    ("2025年3月1日", "2025-03-01"), ("2025/3/1", "2025-03-01"), ("2025.03.01", "2025-03-01"), ("20250301", "2025-03-01"),
    (dt.datetime(2025, 3, 1), "2025-03-01"), (45717, "2025-03-01"),
])
def test_dates_typed_as_text_are_read(tmp_path, typed, expected):
    path = _sheet(tmp_path, [["企业名称", "地区"], ["甲", "广西"]],
                  equipment=[["企业名称", "单价（万元）", "购置日期"], ["甲", 100, typed]])
    assert _rows(path)[1][0].values["equipment"] == f"100@{expected}"


def test_a_date_that_is_not_one_is_reported_on_both_sheets(tmp_path):
    path = _sheet(tmp_path, [["企业名称", "地区"], ["甲", "广西"]],
                  equipment=[["企业名称", "单价（万元）", "购置日期"], ["甲", 100, "去年三月"]])
    firms, rows = _rows(path)
    assert "购置日期" in rows[0].error and firms.bad[0].sheet == "设备" and firms.bad[0].row == 2


def test_percentages_and_rates_in_any_form(tmp_path):
    path = _sheet(tmp_path, [["企业名称", "地区", "改造后工业总产值预期增长（%）", "企业所得税税率"],
                             ["甲", "广西", "百分之十五", "15%"], ["乙", "广西", "20%", 0.25]])
    rows = _rows(path)[1]
    assert (rows[0].values["output_growth_pct"], rows[0].values["income_tax_rate"]) == ("15", "0.15")
    assert (rows[1].values["output_growth_pct"], rows[1].values["income_tax_rate"]) == ("20", "0.25")


def test_missing_region_column_is_a_clear_error(tmp_path):
    path = _sheet(tmp_path, [["企业名称", "固定资产投资（万元）"], ["甲", 300]])
    with pytest.raises(WorkbookError, match="缺少“地区”列"):
        read_firms(path)


def test_unknown_columns_are_ignored_and_said(tmp_path):
    path = _sheet(tmp_path, [["企业名称", "地区", "联系人"], ["甲", "六安", "张三"]])
    firms, rows = _rows(path)
    assert rows[0].error is None and "联系人" in firms.notes[0]


def test_a_title_row_above_the_header_is_allowed(tmp_path):
    path = _sheet(tmp_path, [["金安区2026年技改企业名单"], ["企业名称", "地区"], ["甲", "六安"]])
    rows = _rows(path)[1]
    assert [(r.row, r.values["name"]) for r in rows] == [(3, "甲")]


def test_english_csv_headers_and_gbk_encoding(tmp_path):
    path = tmp_path / "firms.csv"
    path.write_bytes("企业名称,地区,固定资产投资（万元）\n甲公司,六安,三百万\n".encode("gb18030"))
    assert _rows(path)[1][0].values == {"name": "甲公司", "region": "六安", "fixed_asset_investment_wan": "300"}
    path.write_text("name,region,fixed_asset_investment_wan\n乙,广西,600\n", encoding="utf-8-sig")
    assert _rows(path)[1][0].values["fixed_asset_investment_wan"] == "600"


@pytest.mark.parametrize("name,content,message", [
    ("firms.xls", b"\xd0\xcf\x11\xe0", "另存为"),
    ("firms.pdf", b"%PDF-1.4", "不支持的文件类型"),
    ("firms.xlsx", b"not a zip at all", "不是有效的 Excel 工作簿"),
    ("firms.csv", b"\x00\x01\x02", "不是 CSV"),
])
def test_wrong_file_types_are_refused_in_chinese(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(WorkbookError, match=message):
        read_firms(path)


def test_merged_cells_fill_every_row_of_the_range(tmp_path):
    path = _sheet(tmp_path, [["企业名称", "地区"], ["甲", "广西"], ["乙", None], ["丙", None], ["丁", "六安"]])
    wb = load_workbook(path)
    wb.active.merge_cells("B2:B4")
    wb.save(path)
    firms, rows = _rows(path)
    assert [r.values.get("region") for r in rows] == ["广西", "广西", "广西", "六安"]
    assert "合并单元格" in firms.notes[0]


def _with_cached_formula(path: Path) -> None:
    """Give C2 a formula with a saved result, as Excel writes it (openpyxl cannot)."""
    src = zipfile.ZipFile(path)
    out_path = path.with_suffix(".tmp")
    with zipfile.ZipFile(out_path, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index('<c r="C2"')
                end = text.index("</c>", start) + 4
                data = (text[:start] + '<c r="C2"><f>100*3</f><v>300</v></c>' + text[end:]).encode()
            out.writestr(item, data)
    src.close()
    out_path.replace(path)


def test_formulas_are_read_as_their_saved_result(tmp_path):
    path = _sheet(tmp_path, [["企业名称", "地区", "固定资产投资（万元）"], ["甲", "六安", 1], ["乙", "六安", "=1+1"]])
    _with_cached_formula(path)
    firms, rows = _rows(path)
    assert rows[0].values["fixed_asset_investment_wan"] == "300" and rows[0].error is None
    assert rows[1].error and "公式（=1+1）" in rows[1].error and "没有计算结果" in rows[1].error
    assert any("公式" in n and "计算结果读取" in n for n in firms.notes)


def test_results_writer_makes_a_workbook_openpyxl_reads(tmp_path):
    path = tmp_path / "out.xlsx"
    with workbook.XlsxWriter(path) as book:
        with book.sheet("结果", ["名称", "金额", "是否"], [20, 10, 6]) as sheet:
            sheet.append(["甲<&>\x01公司", 12.5, True])
            sheet.append([None, 3, ""])
        with book.sheet("空", ["列"]):
            pass
    wb = load_workbook(path)
    assert wb.sheetnames == ["结果", "空"]
    assert list(wb["结果"].iter_rows(values_only=True)) == [("名称", "金额", "是否"), ("甲<&>公司", 12.5, True),
                                                          (None, 3, None)]


def test_a_damaged_sheet_is_a_clear_error_not_a_crash(tmp_path):
    path = _sheet(tmp_path, [["企业名称", "地区"], ["甲", "六安"]])
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            out.writestr(item, data)
    with pytest.raises(WorkbookError, match="无法读取"):
        list(read_firms(damaged).rows())


def test_an_unknown_special_equipment_category_is_a_bad_row(tmp_path, kb_path):
    from policy_kb import bureau
    from policy_kb.store import open_kb

    path = _sheet(tmp_path, [["企业名称", "地区"], ["甲", "广西"], ["乙", "广西"]],
                  equipment=[["企业名称", "单价（万元）", "购置日期", "专用设备类别"], ["甲", 100, "2025-03-01", "环保"],
                             ["乙", 100, "2025-03-01", "节能节水"]])
    firms = []
    bureau.match_file(path, tmp_path / "out.xlsx", kb=open_kb(kb_path), sink=firms.append)
    assert firms[0].status == "error" and "专用设备类别应为" in firms[0].error and "“环保”" in firms[0].error
    assert firms[1].status != "error" and firms[1].tax_saving_wan == 10
