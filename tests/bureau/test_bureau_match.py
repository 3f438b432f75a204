"""The filled-in firm list through `policy_kb.bureau` and `policybot match`: figures worked out
by hand from docs/rules.md (see firm_list.py), the results workbook, near misses, notices."""

from __future__ import annotations

import datetime as dt
import io

import firm_list
import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from policy_kb import bureau, documents
from policy_kb.cli_match import match as match_cmd
from policy_kb.store import open_kb

EXPECTED = firm_list.EXPECTED


@pytest.fixture(scope="module")
def run(firm_workbook, kb_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "results.xlsx"
    firms = []
    report = bureau.match_file(firm_workbook, out, kb=open_kb(kb_path), sink=firms.append)
    return report, load_workbook(out), {f.name: f for f in firms}


def test_counts_per_programme_and_status_are_the_hand_worked_ones(run):
    report, _, _ = run
    s = report.summary.to_dict()
    assert (s["rows"], s["ok"], s["bad_rows"], s["near_misses"]) == (
        EXPECTED["rows"], EXPECTED["ok"], EXPECTED["bad_firm_rows"], EXPECTED["near_misses"])
    assert {p["program_id"]: p["counts"] for p in s["programmes"]} == EXPECTED["programmes"]
    assert s["overall"]["eligible"] == EXPECTED["overall_eligible"]
    assert len(report.bad) == EXPECTED["bad_total"]


def test_near_misses_say_how_much_is_missing(run):
    _, _, firms = run
    for name, text in EXPECTED["near"].items():
        (close,) = [p.near_miss for p in firms[name].programmes if p.near_miss]
        assert close.text == text
    gx = next(p for p in firms["广西差一百万01公司"].programmes)
    assert gx.near_miss.fix == "今年完成投资达到900万元（30%）即可满足"
    # A yes/no failure or two failures are not "close".
    assert all(p.near_miss is None for p in firms["六安未备案材料01公司"].programmes)
    assert all(p.near_miss is None for p in firms["六安小微绿色01厂"].programmes)


def test_amounts_in_words_merged_regions_awards_and_tax(run):
    _, _, firms = run
    assert firms["广西达标制造08有限公司"].status == "eligible"  # 三千万元 / 九百万
    assert firms["广西中型技改05公司"].region == "广西壮族自治区"  # 地区 merged over the group
    for name, total in EXPECTED["awards"].items():
        assert firms[name].awards_total_wan == total
    for name, saving in EXPECTED["tax"].items():
        assert firms[name].tax_saving_wan == saving


def test_results_workbook_has_a_row_per_firm_and_programme_and_every_bad_row(run):
    report, wb, _ = run
    assert wb.sheetnames == ["比对结果", "接近符合", "有误的行", "汇总"]
    rows = list(wb["比对结果"].iter_rows(values_only=True))
    assert rows[0] == tuple(bureau.RESULT_HEADERS)
    assert len(rows) - 1 == EXPECTED["ok"] + EXPECTED["bad_firm_rows"]  # one programme per region here
    by_name = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    near = by_name["广西差一百万01公司"]
    assert (near["企业总体结论"], near["结论"], near["接近符合"]) == ("暂不符合", "暂不符合", "今年完成投资还差100万元")
    assert "900万元" in near["原因与建议"] and near["未通过的条件"] == "schedule-above-2000"
    assert by_name["六安达标机械01有限公司"]["税收优惠估算（万元）"] == 30
    assert by_name["错误：上海某公司"]["数据问题"].startswith("第67行“地区”")
    bad = list(wb["有误的行"].iter_rows(min_row=2, values_only=True))
    assert len(bad) == EXPECTED["bad_total"]
    assert ("企业", 67) == bad[0][:2] and "上海" in bad[0][2]
    assert ("设备", 5) == bad[-1][:2] and "不在企业表中" in bad[-1][2]
    assert len(list(wb["接近符合"].iter_rows(min_row=2))) == EXPECTED["near_misses"]


def test_cli_reads_xlsx_and_writes_xlsx(firm_workbook, kb_path, tmp_path):
    out = tmp_path / "results.xlsx"
    result = CliRunner().invoke(match_cmd, [str(firm_workbook), "-o", str(out), "--db", str(kb_path),
                                            "--notices", str(tmp_path / "pdf"), "--issuer", "市经信局"])
    assert result.exit_code == 0, result.output
    assert f"已比对 {EXPECTED['rows']} 家企业（成功 {EXPECTED['ok']}" in result.output
    assert "企业表第67行" in result.output and "设备表第5行" in result.output
    assert len(list(load_workbook(out)["比对结果"].iter_rows())) == 1 + EXPECTED["rows"]
    assert len(list((tmp_path / "pdf").glob("*.pdf"))) == EXPECTED["ok"]


def test_cli_refuses_xlsx_in_csv_out_and_reports_missing_columns(tmp_path, kb_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("企业名称,固定资产投资（万元）\n甲,300\n", encoding="utf-8")
    result = CliRunner().invoke(match_cmd, [str(bad), "-o", str(tmp_path / "r.xlsx"), "--db", str(kb_path)])
    assert result.exit_code == 1 and "缺少“地区”列" in result.output


def _notice(kb_path, name="广西差一百万01公司", region="广西壮族自治区"):
    flat = {"above_designated_size": True, "fixed_asset_investment_wan": 3000.0, "investment_this_year_wan": 800.0,
            "filed_or_approved": True, "output_growth_pct": 20.0}
    return documents.notice_content(name, region, flat, None, 12.5, "自治区工业和信息化厅", dt.date(2026, 12, 1),
                                    open_kb(kb_path))


def test_pdf_notice_is_a4_with_chinese_text_citations_and_the_draft_caveat(kb_path):
    pdf = PdfReader(io.BytesIO(documents.pdf_bytes(_notice(kb_path))))
    page = pdf.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4
    text = "".join(p.extract_text() for p in pdf.pages).replace("\n", "")
    for expected in ("政策告知书", "广西差一百万01公司", "自治区工业和信息化厅", "2026年12月1日", "暂不符合",
                     "今年完成投资达到900万元（30%）即可满足", "三（四）", "征求意见稿，以正式发布文件为准", "12.5万元"):
        assert expected in text, expected
    embedded = [f.get_object() for p in pdf.pages for f in p["/Resources"]["/Font"].values()]
    embedded = [f for f in embedded if f.get("/Subtype") == "/TrueType"]
    assert embedded and all("/FontFile2" in f["/FontDescriptor"].get_object() for f in embedded)  # fonts embedded


def test_docx_notice_has_the_same_content(kb_path):
    content = _notice(kb_path)
    doc = Document(io.BytesIO(documents.docx_bytes(content)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert text.startswith("政策告知书") and "依据《广西“千企技改”工程实施方案（修订征求意见稿）》三（四）" in text
    assert "自治区工业和信息化厅" in text and "2026年12月1日" in text and "以正式发布文件为准" in text
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_missing_font_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "FONT_CANDIDATES", (str(tmp_path / "none.ttc"),))
    with pytest.raises(documents.FontMissing, match="fonts-wqy-microhei"):
        documents.find_font()
