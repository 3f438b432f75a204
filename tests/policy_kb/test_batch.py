"""Batch matching (docs/batch.md) over examples/firms.csv and a KB built from the real sources."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policy_kb import batch, eligibility
from policy_kb.cli_match import match as match_cmd
from policy_kb.store import open_kb

FIRMS = Path(__file__).resolve().parents[2] / "examples" / "firms.csv"
BAD_ROWS = {51: "fixed_asset_investment_wan", 52: "region", 53: "fixed_asset_investment_wan",
            54: "honors", 55: "industry_catalog", 56: "equipment"}


@pytest.fixture(scope="module")
def csv_run(kb_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "results.csv"
    report = batch.match(FIRMS, out, kb=open_kb(kb_path), progress=False)
    with open(out, encoding="utf-8") as f:
        rows = {int(r["row"]): r for r in csv.DictReader(f)}
    return report, rows


def test_example_file_is_varied_and_big_enough():
    with open(FIRMS, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 50
    assert {"六安", "广西"} <= {r["region"] for r in rows}


def test_bad_rows_are_reported_and_do_not_stop_the_batch(csv_run):
    report, rows = csv_run
    assert report.rows == 56 and len(rows) == 56
    assert {row for row, _ in report.bad} == set(BAD_ROWS)
    for row, reason in report.bad:
        assert reason.startswith(BAD_ROWS[row]), reason
        assert rows[row]["status"] == "error" and rows[row]["error"] == reason
    assert report.ok == 50


def test_luan_firm_below_threshold_gets_the_fix_in_its_notice(csv_run):
    row = csv_run[1][3]  # 金寨县精工铸造厂: 199.99万元, 自动化
    assert row["status"] == "ineligible"
    assert row["failed_checks"] == "luan-city-project-library/investment"
    assert "固定资产投资达到200万元即可满足" in row["notice"]
    assert "征求意见稿" in row["notice"]


def test_awards_and_tax_totals(csv_run):
    rows = csv_run[1]
    assert rows[1]["awards_total_wan"] == "50"  # 省级智能工厂
    assert rows[1]["tax_saving_wan"] == "200"  # 研发800万元×100%×25%
    assert rows[14]["awards_total_wan"] == "100"  # 市级技改示范项目 twice
    assert rows[5]["awards_total_wan"] == "20"  # 省级企业技术中心
    assert rows[5]["tax_saving_wan"] == "212.5"  # 300×100%×25% + 137.5 (600万元技术转让)
    assert rows[8]["awards_total_wan"] == "20"  # 强链项目 一事一议 (no amount) + 省级工业设计中心


def test_guangxi_spec_firm_and_needs_info_firm(csv_run):
    rows = csv_run[1]
    assert rows[21]["status"] == "ineligible"
    assert "今年完成投资达到900万元（30%）即可满足" in rows[21]["notice"]
    assert rows[43]["status"] == "needs_info"  # 玉林待补充企业: 800万 only
    assert rows[43]["missing"].split(";")[:2] == ["above_designated_size", "completes_this_year"]


def test_batch_agrees_with_the_eligibility_api(csv_run, kb_path):
    kb = open_kb(kb_path)
    with open(FIRMS, encoding="utf-8") as f:
        firms = list(csv.DictReader(f))
    for row_no, firm in enumerate(firms, start=1):
        if row_no in BAD_ROWS:
            continue
        profile = {k: (v if v != "" else None) for k, v in firm.items()}
        [result] = eligibility.evaluate(profile, kb=kb)
        assert csv_run[1][row_no]["status"] == result.status, firm["name"]


def test_jsonl_and_notices(kb_path, tmp_path):
    out, notices = tmp_path / "results.jsonl", tmp_path / "notices"
    report = batch.match(FIRMS, out, fmt="jsonl", notices_dir=notices, kb=open_kb(kb_path), progress=False)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 56
    first = records[0]
    assert first["programs"][0]["program_id"] == "luan-city-project-library"
    assert first["programs"][0]["status"] == "eligible"
    files = sorted(notices.glob("*.md"))
    assert len(files) == report.ok == 50
    text = files[2].read_text(encoding="utf-8")  # row 3
    assert text.startswith("# 政策告知书：金寨县精工铸造厂")
    assert "三（一）" in text and "199.99万元" in text


def test_match_command(kb_path, tmp_path):
    out = tmp_path / "r.csv"
    result = CliRunner().invoke(match_cmd, [str(FIRMS), "-o", str(out), "--db", str(kb_path)])
    assert result.exit_code == 0, result.output
    assert "已比对 56 家企业" in result.output
    assert "第52行" in result.output and "北京" in result.output
    assert out.exists()
    assert match_cmd.help


def test_missing_region_column_is_a_clear_error(kb_path, tmp_path):
    firms = tmp_path / "f.csv"
    firms.write_text("name,fixed_asset_investment_wan\n甲,300\n", encoding="utf-8")
    result = CliRunner().invoke(match_cmd, [str(firms), "-o", str(tmp_path / "o.csv"), "--db", str(kb_path)])
    assert result.exit_code == 1
    assert "region" in result.output
