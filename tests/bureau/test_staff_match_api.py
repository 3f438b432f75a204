"""送政策入企 over HTTP: sign-in, chunked upload, the background run, figures, downloads,
department scoping, retention, and every kind of bad input answered in Chinese (never a 500)."""

from __future__ import annotations

import io
import json
import time
import zipfile

import firm_list
import pytest
from click.testing import CliRunner
from console_client import login, upload, wait_done
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from policy_kb.cli_match import match as match_cmd

API = "/staff/match/api"
EXPECTED = firm_list.EXPECTED


@pytest.fixture(scope="module")
def alice(client):
    return login(client, "alice")


@pytest.fixture(scope="module")
def done_run(client, alice, firm_workbook):
    run = upload(client, alice, firm_workbook.read_bytes(), chunk=4000, issuer="金安区经信局")
    assert run["state"] in ("queued", "running", "done")
    return wait_done(client, alice, run["id"])


@pytest.mark.parametrize("method,path", [
    ("get", "/staff/match/template.xlsx"), ("get", f"{API}/runs"), ("post", f"{API}/runs"),
    ("get", f"{API}/limits"), ("get", f"{API}/runs/abc"), ("get", f"{API}/runs/abc/results.xlsx"),
    ("get", f"{API}/runs/abc/notices/3.pdf"), ("get", f"{API}/runs/abc/notices.zip"),
])
def test_every_route_needs_a_token(client, method, path):
    reply = getattr(client, method)(path)
    assert reply.status_code == 401 and reply.json()["detail"] == "未登录或登录已过期，请重新登录。"


def test_page_and_assets_are_served(client):
    assert "送政策入企" in client.get("/staff/match").text
    assert client.get("/staff/match/static/match.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/staff/match/static/../app.js").status_code == 404


def test_template_download(client, alice):
    reply = client.get("/staff/match/template.xlsx", headers=alice)
    assert reply.status_code == 200 and "attachment" in reply.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(reply.content))
    assert wb.sheetnames == ["企业", "设备", "填写说明"]
    notes = [r[0] for r in wb["填写说明"].iter_rows(values_only=True) if r and r[0]]
    assert "省级智能工厂" in notes  # the titles come from the knowledge base


def test_a_run_gives_the_hand_worked_figures(done_run):
    assert done_run["state"] == "done", done_run
    f = done_run["figures"]
    assert (f["rows"], f["ok"], f["bad_rows"], f["near_misses"]) == (
        EXPECTED["rows"], EXPECTED["ok"], EXPECTED["bad_firm_rows"], EXPECTED["near_misses"])
    assert {p["program_id"]: p["counts"] for p in f["programmes"]} == EXPECTED["programmes"]
    assert done_run["bad_total"] == EXPECTED["bad_total"]
    assert done_run["bad"][0] == {"sheet": "企业", "row": 67, "reason": "第67行“地区”：未知地区“上海”：目前支持六安市、广西壮族自治区"}
    assert done_run["username"] == "alice" and done_run["department"] == "市经信局" and done_run["has_zip"]
    assert any("合并单元格" in n for n in done_run["notes"])


def test_firms_can_be_filtered(client, alice, done_run):
    url = f"{API}/runs/{done_run['id']}/firms"
    near = client.get(url, params={"near": True}, headers=alice).json()
    assert near["total"] == EXPECTED["near_misses"]
    assert near["items"][0]["near_miss"] == "固定资产投资还差10万元"  # smallest relative gap first (5%)
    eligible = client.get(url, params={"program": "guangxi-qianqi-jigai", "status": "eligible"}, headers=alice).json()
    assert eligible["total"] == EXPECTED["programmes"]["guangxi-qianqi-jigai"]["eligible"]
    errors = client.get(url, params={"status": "error"}, headers=alice).json()
    assert errors["total"] == EXPECTED["bad_firm_rows"] and errors["items"][0]["error"]
    named = client.get(url, params={"q": "差一百万"}, headers=alice).json()
    assert named["total"] == 6 and named["items"][0]["reasons"].endswith("今年完成投资达到900万元（30%）即可满足")
    assert client.get(url, params={"status": "maybe"}, headers=alice).status_code == 422


def test_downloads_results_notices_and_zip(client, alice, done_run):
    base = f"{API}/runs/{done_run['id']}"
    results = client.get(f"{base}/results.xlsx", headers=alice)
    assert results.status_code == 200
    assert len(list(load_workbook(io.BytesIO(results.content))["比对结果"].iter_rows())) == 1 + EXPECTED["rows"]
    row = client.get(f"{base}/firms", params={"q": "广西差一百万01"}, headers=alice).json()["items"][0]["row"]
    pdf = client.get(f"{base}/notices/{row}.pdf", headers=alice)
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", "")
    assert "广西差一百万01公司" in text and "金安区经信局" in text and "今年完成投资达到900万元" in text
    docx = client.get(f"{base}/notices/{row}.docx", headers=alice)
    assert "广西差一百万01公司" in "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert client.get(f"{base}/notices/67.pdf", headers=alice).status_code == 404  # a bad row has no notice
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{base}/notices.zip", headers=alice).content))
    assert len(archive.namelist()) == EXPECTED["ok"] and all(n.endswith(".pdf") for n in archive.namelist())


def test_cli_and_console_give_identical_results(client, alice, done_run, firm_workbook, kb_path, tmp_path):
    out = tmp_path / "cli.xlsx"
    result = CliRunner().invoke(match_cmd, [str(firm_workbook), "-o", str(out), "--db", str(kb_path)])
    assert result.exit_code == 0, result.output
    web = load_workbook(io.BytesIO(client.get(f"{API}/runs/{done_run['id']}/results.xlsx", headers=alice).content))
    cli = load_workbook(out)
    assert web.sheetnames == cli.sheetnames
    for name in cli.sheetnames:
        assert list(web[name].iter_rows(values_only=True)) == list(cli[name].iter_rows(values_only=True)), name


def test_other_departments_cannot_see_a_run_but_the_chief_can(client, done_run):
    bob, chief = login(client, "bob"), login(client, "chief")
    assert client.get(f"{API}/runs/{done_run['id']}", headers=bob).status_code == 403
    assert client.get(f"{API}/runs/{done_run['id']}/results.xlsx", headers=bob).status_code == 403
    assert done_run["id"] not in [r["id"] for r in client.get(f"{API}/runs", headers=bob).json()]
    assert done_run["id"] in [r["id"] for r in client.get(f"{API}/runs", headers=chief).json()]


def test_history_keeps_who_when_file_and_figures(client, alice, done_run):
    (entry,) = [r for r in client.get(f"{API}/runs", headers=alice).json() if r["id"] == done_run["id"]]
    assert entry["username"] == "alice" and entry["filename"] == "企业名单.xlsx" and entry["created_at"]
    assert entry["figures"]["rows"] == EXPECTED["rows"]


@pytest.mark.parametrize("filename,size,status,message", [
    ("名单.xlsx", 50 * 1024 * 1024, 413, "文件过大"),
    ("名单.xls", 1000, 422, "另存为"),
    ("名单.pdf", 1000, 422, "不支持的文件类型"),
    ("名单.xlsx", 0, 422, "文件是空的"),
])
def test_refused_uploads_say_why(client, alice, filename, size, status, message):
    reply = client.post(f"{API}/runs", json={"filename": filename, "size": size}, headers=alice)
    assert reply.status_code == status and message in reply.json()["detail"]


def test_a_renamed_file_is_refused_at_start(client, alice):
    data = b"%PDF-1.4 not a workbook"
    run = client.post(f"{API}/runs", json={"filename": "名单.xlsx", "size": len(data)}, headers=alice).json()
    client.put(f"{API}/runs/{run['id']}/file", params={"offset": 0}, content=data, headers=alice)
    reply = client.post(f"{API}/runs/{run['id']}/start", headers=alice)
    assert reply.status_code == 422 and "不是有效的 Excel 工作簿" in reply.json()["detail"]
    assert client.get(f"{API}/runs/{run['id']}", headers=alice).json()["state"] == "failed"


def test_chunks_must_arrive_in_order_and_a_repeated_chunk_is_harmless(client, alice):
    data = b"name,region\n" + "甲,六安\n".encode() * 10
    run = client.post(f"{API}/runs", json={"filename": "a.csv", "size": len(data)}, headers=alice).json()
    url = f"{API}/runs/{run['id']}/file"
    assert client.put(url, params={"offset": 0}, content=data[:20], headers=alice).json()["received"] == 20
    assert client.put(url, params={"offset": 0}, content=data[:20], headers=alice).json()["received"] == 20
    assert client.put(url, params={"offset": 50}, content=data[20:], headers=alice).status_code == 409
    assert client.post(f"{API}/runs/{run['id']}/start", headers=alice).status_code == 409  # not complete
    assert client.put(url, params={"offset": 20}, content=data[20:] + b"x", headers=alice).status_code == 413
    client.put(url, params={"offset": 20}, content=data[20:], headers=alice)
    done = wait_done(client, alice, client.post(f"{API}/runs/{run['id']}/start", headers=alice).json()["id"])
    assert done["state"] == "done" and done["figures"]["rows"] == 10


def test_a_sheet_without_the_region_column_fails_with_a_message(client, alice, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "企业"
    wb.active.append(["企业名称", "固定资产投资（万元）"])
    wb.active.append(["甲", 300])
    buf = io.BytesIO()
    wb.save(buf)
    done = wait_done(client, alice, upload(client, alice, buf.getvalue())["id"])
    assert done["state"] == "failed" and "缺少“地区”列" in done["error"]
    assert client.get(f"{API}/runs/{done['id']}/results.xlsx", headers=alice).status_code == 409


def test_old_runs_are_deleted(client, alice, data_dir):
    data = b"name,region\n\xe7\x94\xb2,\xe5\x85\xad\xe5\xae\x89\n"
    run = client.post(f"{API}/runs", json={"filename": "old.csv", "size": len(data)}, headers=alice).json()
    meta_path = data_dir / "match_runs" / run["id"] / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["created_at"] = time.time() - 31 * 86400
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    assert run["id"] not in [r["id"] for r in client.get(f"{API}/runs", headers=alice).json()]
    assert not meta_path.parent.exists()
    assert client.get(f"{API}/runs/{run['id']}", headers=alice).status_code == 404
