"""送政策入企 in the staff console (`/staff/match`): upload a firm list, watch the run, see the
figures, download results.xlsx and the notices (PDF, DOCX, ZIP).

Signed in like the rest of the console (`current_staff`); a staff user with a department
sees and downloads only that department's runs. Uploads arrive in chunks below the
gateway's body cap (`max_body_bytes`), up to `match_max_upload_bytes` in all; matching runs
in a subprocess (`bot.gateway.match_jobs`), so a large file never blocks the gateway.
"""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path
from typing import Any, Dict, List, Literal, Optional
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from bot.gateway.deps import KB, Runs, Staff, Store
from bot.gateway.match_jobs import MatchRun, RunNotFound, RunStore, UploadRejected, notice_rows
from bot.helpdesk.store import StaffUser, TicketStore
from bot.settings import get_settings

router = APIRouter(prefix="/staff/match", tags=["送政策入企"])

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "staff"
STATIC_FILES = {"match.js": "text/javascript", "match.css": "text/css"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHUNK_MARGIN = 1024  # headroom under the gateway's body cap
MAX_BAD_SHOWN = 2000

Status = Literal["eligible", "needs_info", "ineligible", "error"]


class NewRun(BaseModel):
    filename: str = Field(..., min_length=1, max_length=255, description="文件名（.xlsx 或 .csv）")
    size: int = Field(..., ge=0, description="文件大小（字节）")
    issuer: str = Field("", max_length=64, description="告知书落款的发文单位（默认为本部门）")


def _download(data: bytes, filename: str, media_type: str) -> Response:
    return Response(content=data, media_type=media_type, headers=_disposition(filename))


def _disposition(filename: str) -> Dict[str, str]:
    return {"Content-Disposition": f"attachment; filename=\"download{Path(filename).suffix}\"; "
                                   f"filename*=UTF-8''{quote(filename)}"}


def _run_for(run_id: str, user: StaffUser, runs: RunStore, store: TicketStore) -> MatchRun:
    """The run, or 404 when unknown, 403 when it belongs to another department."""
    try:
        run = runs.get(run_id)
    except RunNotFound:
        raise HTTPException(status_code=404, detail="未找到该比对记录（可能已超过保存期限被删除）。") from None
    if user.department is not None and run.department != user.department:
        store.audit(user.username, "denied", None, f"比对记录 {run_id} 属于{run.department or '未定部门'}")
        raise HTTPException(status_code=403, detail=f"该比对记录属于{run.department or '其他部门'}，您无权查看。")
    return run


def _rejected(err: UploadRejected) -> HTTPException:
    return HTTPException(status_code=err.status, detail=str(err))


def _done(run: MatchRun) -> None:
    if run.state != "done":
        raise HTTPException(status_code=409, detail="比对尚未完成。" if run.state != "failed" else f"比对失败：{run.error}")


# -- page ---------------------------------------------------------------------------------

@router.get("", include_in_schema=False)
@router.get("/", include_in_schema=False)
def page() -> FileResponse:
    """The 送政策入企 page of the console."""
    return FileResponse(STATIC_DIR / "match.html", media_type="text/html; charset=utf-8")


@router.get("/static/{name}", include_in_schema=False)
def asset(name: str) -> FileResponse:
    if name not in STATIC_FILES:
        raise HTTPException(status_code=404, detail="文件不存在")
    return FileResponse(STATIC_DIR / name, media_type=f"{STATIC_FILES[name]}; charset=utf-8")


@router.get("/template.xlsx", summary="企业名单模板（Excel）")
def template(user: Staff, kb: KB) -> Response:
    from policy_kb import workbook
    from policy_kb.tax import FastTax

    honors = list(dict.fromkeys(a.honor for a in kb.awards()))
    out = io.BytesIO()
    workbook.build_template(out, honors, sorted(FastTax(kb).purposes))
    return _download(out.getvalue(), "技改政策比对-企业名单模板.xlsx", XLSX)


# -- upload and run -----------------------------------------------------------------------

@router.get("/api/limits", summary="上传限制：分片大小、文件大小上限、保存天数")
def limits(user: Staff) -> Dict[str, Any]:
    settings = get_settings()
    return {"chunk_bytes": max(4096, settings.max_body_bytes - CHUNK_MARGIN),
            "max_upload_bytes": settings.match_max_upload_bytes, "retention_days": settings.match_retention_days,
            "zip_max_firms": settings.match_zip_max_firms, "department": user.department}


@router.get("/api/runs", summary="比对记录（本部门）")
def list_runs(user: Staff, runs: Runs) -> List[Dict[str, Any]]:
    runs.dispatch()
    return [r.summary() for r in runs.list(user.department)]


@router.post("/api/runs", summary="开始上传一个企业名单（之后分片上传文件内容）")
def create_run(body: NewRun, user: Staff, runs: Runs,
               store: Store) -> Dict[str, Any]:
    try:
        run = runs.create(user.username, user.department, body.issuer, body.filename, body.size)
    except UploadRejected as err:
        raise _rejected(err) from err
    store.audit(user.username, "match_upload", None, f"{run.id} {run.filename} {run.size}")
    return run.summary()


@router.put("/api/runs/{run_id}/file", summary="上传文件的一个分片（offset 为该分片在文件中的位置）")
async def upload_chunk(run_id: str, request: Request, user: Staff, runs: Runs, store: Store,
                       offset: int = Query(..., ge=0)) -> Dict[str, Any]:
    run = _run_for(run_id, user, runs, store)
    data = await request.body()
    try:
        run = runs.append(run, offset, data)
    except UploadRejected as err:
        raise _rejected(err) from err
    return {"received": run.received, "size": run.size}


@router.post("/api/runs/{run_id}/start", summary="文件传完后开始比对（后台进行）")
def start_run(run_id: str, user: Staff, runs: Runs,
              store: Store) -> Dict[str, Any]:
    run = _run_for(run_id, user, runs, store)
    try:
        run = runs.start(run)
    except UploadRejected as err:
        raise _rejected(err) from err
    return run.summary()


@router.get("/api/runs/{run_id}", summary="一次比对：进度、汇总数字、说明、有误的行")
def show_run(run_id: str, user: Staff, runs: Runs,
             store: Store) -> Dict[str, Any]:
    runs.dispatch()
    run = _run_for(run_id, user, runs, store)
    bad = run.result.get("bad", [])
    return {**run.summary(), "notes": run.result.get("notes", []), "bad": bad[:MAX_BAD_SHOWN],
            "bad_total": len(bad), "seconds": run.result.get("seconds")}


@router.get("/api/runs/{run_id}/firms", summary="比对结果（每家企业每个项目一行），可筛选、分页")
def firms(run_id: str, user: Staff, runs: Runs, store: Store,
          program: Optional[str] = Query(None, max_length=64, description="项目编号"),
          status: Optional[Status] = Query(None, description="结论"),
          q: Optional[str] = Query(None, max_length=64, description="企业名称包含"),
          region: Optional[str] = Query(None, max_length=32, description="地区"),
          near: bool = Query(False, description="只看接近符合的"),
          offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=500)) -> Dict[str, Any]:
    run = _run_for(run_id, user, runs, store)
    _done(run)
    where, params = ["1=1"], []
    if program:
        where.append("o.program_id = ?")
        params.append(program)
    if status == "error":
        where.append("f.status = 'error'")
    elif status:
        where.append("o.status = ?")
        params.append(status)
    if q:
        where.append("instr(f.name, ?) > 0")
        params.append(q)
    if region:
        where.append("f.region = ?")
        params.append(region)
    if near:
        where.append("o.near_text IS NOT NULL")
    return _query_firms(runs.file(run, "results.sqlite"), " AND ".join(where), params, offset, limit, near)


_FIRM_COLUMNS = ("row", "name", "region", "firm_status", "awards_total_wan", "tax_saving_wan", "error", "program_id",
                 "program_name", "status", "failed", "missing", "reasons", "near_miss", "near_miss_fix")


def _query_firms(path: Path, where: str, params: List[Any], offset: int, limit: int, near: bool) -> Dict[str, Any]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        base = f"FROM firms f LEFT JOIN outcomes o ON o.row = f.row WHERE {where}"
        total = db.execute(f"SELECT count(*) {base}", params).fetchone()[0]
        order = "o.near_ratio, f.row" if near else "f.row, o.program_id"
        rows = db.execute(f"SELECT f.row, f.name, f.region, f.status, f.awards, f.tax, f.error, o.program_id, "
                          f"o.program_name, o.status, o.failed, o.missing, o.reasons, o.near_text, o.near_fix "
                          f"{base} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]).fetchall()
    finally:
        db.close()
    return {"total": total, "offset": offset, "items": [dict(zip(_FIRM_COLUMNS, r, strict=True)) for r in rows]}


# -- downloads ----------------------------------------------------------------------------

@router.get("/api/runs/{run_id}/results.xlsx", summary="下载比对结果（Excel）")
def results_xlsx(run_id: str, user: Staff, runs: Runs,
                 store: Store) -> FileResponse:
    run = _run_for(run_id, user, runs, store)
    _done(run)
    store.audit(user.username, "match_download", None, f"{run.id} results.xlsx")
    return FileResponse(runs.file(run, "results.xlsx"), media_type=XLSX,
                        headers=_disposition(f"{Path(run.filename).stem}-比对结果.xlsx"))


@router.get("/api/runs/{run_id}/notices.zip", summary="下载全部政策告知书（PDF，打包为 ZIP）")
def notices_zip(run_id: str, user: Staff, runs: Runs,
                store: Store) -> FileResponse:
    run = _run_for(run_id, user, runs, store)
    _done(run)
    if not run.result.get("zip"):
        raise HTTPException(status_code=409, detail=f"本次比对超过 {get_settings().match_zip_max_firms} 家企业或没有"
                                                    "比对成功的企业，未打包告知书：请按行下载，或拆分名单后重新比对。")
    store.audit(user.username, "match_download", None, f"{run.id} notices.zip")
    return FileResponse(runs.file(run, "notices.zip"), media_type="application/zip",
                        headers=_disposition(f"{Path(run.filename).stem}-政策告知书.zip"))


@router.get("/api/runs/{run_id}/notices/{row}.{fmt}", summary="下载一家企业的政策告知书（pdf 或 docx）")
def notice_file(run_id: str, row: int, fmt: Literal["pdf", "docx"], user: Staff,
                runs: Runs, store: Store, kb: KB) -> Response:
    from policy_kb import documents

    run = _run_for(run_id, user, runs, store)
    _done(run)
    found = notice_rows(runs.file(run, "results.sqlite"), row)
    if not found:
        raise HTTPException(status_code=404, detail=f"第{row}行没有比对成功的企业。")
    row_no, name, region, flat, awards_total, tax_saving = found[0]
    content = documents.notice_content(name, region, flat, awards_total, tax_saving, run.issuer,
                                       dt.date.fromtimestamp(run.created_at), kb)
    try:
        data = documents.pdf_bytes(content, get_settings().match_pdf_font) if fmt == "pdf" else \
            documents.docx_bytes(content)
    except documents.FontMissing as err:
        raise HTTPException(status_code=503, detail=str(err)) from err
    store.audit(user.username, "match_download", None, f"{run.id} 第{row_no}行 {fmt}")
    return _download(data, documents.file_name(row_no, name, fmt), "application/pdf" if fmt == "pdf" else DOCX)
