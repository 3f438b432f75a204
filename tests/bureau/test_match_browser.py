"""送政策入企 in headless Chromium against the real gateway (uvicorn subprocess): sign in,
download the template, fill it with 69 firms (6 bad rows), upload, watch the progress, check
the figures, chart and near misses, download results.xlsx, one PDF and the ZIP, and open them.

Needs Debian's chromium and fonts-wqy-microhei (scripts/test-deps.sh). Screenshots go to
test-artifacts/bureau/ (gitignored).
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import firm_list
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.support.gateway_process import uvicorn_process

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "bureau"
CHROMIUM = "/usr/bin/chromium"
EXPECTED = firm_list.EXPECTED
pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory, kb_path):
    """The real gateway app under uvicorn with a staff account; yields its base URL."""
    from bot.helpdesk.store import SqliteTicketStore

    data_dir = tmp_path_factory.mktemp("browser-var")
    SqliteTicketStore(data_dir / "helpdesk.sqlite").add_staff("alice", "pw-alice", "金安区经信局")
    env = {**os.environ, "PYTHONPATH": str(REPO), "POLICYBOT_DATA_DIR": str(data_dir),
           "POLICYBOT_KB_PATH": str(kb_path), "POLICYBOT_RASA_URLS": '["http://127.0.0.1:9"]'}
    with uvicorn_process("bot.gateway.app:create_app", env, uvicorn_args=["--factory"], ready_path="/staff/match",
                         log=data_dir / "gateway.log") as base:
        yield base


@pytest.fixture(scope="module")
def page(gateway):
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), f"{CHROMIUM} missing: scripts/test-deps.sh installs it"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(locale="zh-CN", accept_downloads=True, viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


def _download(page, selector: str, folder: Path) -> Path:
    with page.expect_download(timeout=60_000) as info:
        page.click(selector)
    download = info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def test_upload_watch_and_download(page, gateway, tmp_path):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{gateway}/staff")
    page.fill("#login-username", "alice")
    page.fill("#login-password", "pw-alice")
    page.click("#login-submit")
    page.click("#to-match")
    expect(page.locator("#me-name")).to_contain_text("金安区经信局")

    template = _download(page, "#download-template", tmp_path)
    assert load_workbook(template).sheetnames == ["企业", "设备", "填写说明"]
    filled = firm_list.fill(template, tmp_path / "金安区企业名单.xlsx")

    page.set_input_files("#upload-file", str(filled))
    page.click("#upload-start")
    expect(page.locator("#run-progress")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "1-progress.png"))
    expect(page.locator("#run-progress-text")).to_contain_text(f"已完成：比对 {EXPECTED['rows']} 行", timeout=90_000)
    expect(page.locator("#results")).to_be_visible()

    expect(page.locator("#fig-rows")).to_have_text(str(EXPECTED["rows"]))
    expect(page.locator("#fig-ok")).to_have_text(str(EXPECTED["ok"]))
    expect(page.locator("#fig-near")).to_have_text(str(EXPECTED["near_misses"]))
    expect(page.locator("#fig-bad")).to_have_text(str(EXPECTED["bad_total"]))
    for program_id, counts in EXPECTED["programmes"].items():
        cells = page.locator(f'#counts tr[data-program="{program_id}"] td')
        expect(cells.nth(1)).to_have_text(str(counts["eligible"]))
        expect(cells.nth(2)).to_have_text(str(counts["needs_info"]))
        expect(cells.nth(3)).to_have_text(str(counts["ineligible"]))
    bars = sorted(int(n) for n in page.locator("#chart rect").evaluate_all("els => els.map(e => e.dataset.count)"))
    assert bars == sorted(n for c in EXPECTED["programmes"].values() for n in c.values())
    expect(page.locator("#near tbody tr")).to_have_count(EXPECTED["near_misses"])
    expect(page.locator("#near")).to_contain_text("今年完成投资还差100万元")
    expect(page.locator("#bad tbody tr")).to_have_count(EXPECTED["bad_total"])
    expect(page.locator('#bad tbody tr[data-row="67"]')).to_contain_text("未知地区“上海”")
    page.screenshot(path=str(ARTIFACTS / "2-results.png"), full_page=True)

    page.select_option("#filter-program", "guangxi-qianqi-jigai")
    page.select_option("#filter-status", "eligible")
    page.click("#filter-apply")
    expect(page.locator("#page-info")).to_contain_text(f"共 {EXPECTED['programmes']['guangxi-qianqi-jigai']['eligible']} 条")

    results = _download(page, "#download-results", tmp_path)
    header, *rows = load_workbook(results)["比对结果"].iter_rows(values_only=True)
    assert len(rows) == EXPECTED["rows"]
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_name["广西差一百万01公司"]["接近符合"] == "今年完成投资还差100万元"
    assert by_name["六安达标机械01有限公司"]["税收优惠估算（万元）"] == 30
    assert by_name["六安达标机械02有限公司"]["奖补估算（万元）"] == 60
    statuses = [r["结论"] for r in by_name.values()]
    assert statuses.count("符合") == sum(c["eligible"] for c in EXPECTED["programmes"].values())
    assert statuses.count("数据有误") == EXPECTED["bad_firm_rows"]

    page.select_option("#filter-program", "")
    page.select_option("#filter-status", "")
    page.fill("#filter-q", "广西差一百万01")
    page.click("#filter-apply")
    expect(page.locator("#firms tbody tr")).to_have_count(1)
    pdf = _download(page, "#firms tbody tr .notice-pdf", tmp_path)
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages).replace("\n", "")
    for expected in ("政策告知书", "广西差一百万01公司", "金安区经信局", "今年完成投资达到900万元（30%）即可满足",
                     "三（四）", "以正式发布文件为准"):
        assert expected in text, expected

    archive = zipfile.ZipFile(io.BytesIO(_download(page, "#download-zip", tmp_path).read_bytes()))
    assert len(archive.namelist()) == EXPECTED["ok"]
    expect(page.locator("#history tbody tr")).to_have_count(1)
    expect(page.locator("#history tbody tr").first).to_contain_text("金安区企业名单.xlsx")
    page.screenshot(path=str(ARTIFACTS / "3-downloads.png"), full_page=True)
