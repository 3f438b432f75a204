"""Matching runs of the staff console: kept on disk, each matched by a subprocess.

A run is a folder under ``<data_dir>/match_runs/<id>/``:

- ``meta.json``      (gateway) who, department, issuing department, file name and size, state
- ``input.xlsx|csv`` (gateway) the uploaded file, received in chunks
- ``progress.json``  (worker)  phase, rows done, rows expected
- ``result.json``    (worker)  done or failed, the figures, notes, bad rows, or the message
- ``results.xlsx``, ``results.sqlite`` (firms and outcomes for the dashboard), ``notices.zip``

Each file has one writer, so the gateway and the worker never race. The worker is
``python -m bot.gateway.match_jobs RUN_DIR``: a separate process, so a 100,000-firm
workbook costs the gateway nothing but polling. At most ``match_max_running_jobs`` run
at once; others wait queued. Runs older than ``match_retention_days`` are deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.settings import REPO_ROOT, Settings, get_settings

logger = logging.getLogger(__name__)

SUFFIXES = (".xlsx", ".csv")
STATES = ("uploading", "queued", "running", "done", "failed")


class RunNotFound(LookupError):
    """No run with that id (or it was deleted after the retention period)."""


class UploadRejected(ValueError):
    """The upload cannot be accepted; the message is Chinese and says why."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass
class MatchRun:
    id: str
    username: str
    department: Optional[str]
    issuer: str
    filename: str
    size: int
    created_at: float
    state: str = "uploading"
    received: int = 0
    started_at: Optional[float] = None
    pid: Optional[int] = None
    error: Optional[str] = None
    progress: Dict[str, Any] = field(default_factory=dict)
    result: Dict[str, Any] = field(default_factory=dict)

    @property
    def suffix(self) -> str:
        return Path(self.filename).suffix.lower()

    def summary(self) -> Dict[str, Any]:
        """The run as listed in the history (no bad-row list)."""
        figures = {k: self.result.get(k) for k in ("rows", "ok", "bad_rows", "near_misses", "overall", "programmes")
                   if k in self.result}
        return {"id": self.id, "username": self.username, "department": self.department, "issuer": self.issuer,
                "filename": self.filename, "size": self.size, "created_at": _iso(self.created_at),
                "state": self.state, "error": self.error, "progress": self.progress, "figures": figures,
                "has_zip": bool(self.result.get("zip"))}


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def _write_json(path: Path, data: Dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> Optional[Dict[str, Any]]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class RunStore:
    """Runs on disk; `refresh` folds the worker's files into the run's state."""

    def __init__(self, root: Path, settings: Settings):
        self.root = Path(root)
        self.settings = settings
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._procs: Dict[str, subprocess.Popen] = {}

    # -- files ----------------------------------------------------------------------------
    def folder(self, run_id: str) -> Path:
        if not run_id.isalnum():
            raise RunNotFound(run_id)
        return self.root / run_id

    def input_path(self, run: MatchRun) -> Path:
        return self.folder(run.id) / f"input{run.suffix}"

    def file(self, run: MatchRun, name: str) -> Path:
        return self.folder(run.id) / name

    def save(self, run: MatchRun) -> None:
        data = asdict(run)
        for worker_owned in ("progress", "result"):
            data.pop(worker_owned)
        _write_json(self.folder(run.id) / "meta.json", data)

    def get(self, run_id: str) -> MatchRun:
        meta = _read_json(self.folder(run_id) / "meta.json")
        if meta is None:
            raise RunNotFound(run_id)
        return self._refresh(MatchRun(**meta))

    def list(self, department: Optional[str]) -> List[MatchRun]:
        """Runs a user of `department` may see (no department: all), newest first."""
        self.prune()
        runs = []
        for folder in self.root.iterdir():
            try:
                run = self.get(folder.name)
            except RunNotFound:
                continue
            if department is None or run.department == department:
                runs.append(run)
        return sorted(runs, key=lambda r: r.created_at, reverse=True)

    # -- upload ---------------------------------------------------------------------------
    def create(self, username: str, department: Optional[str], issuer: str, filename: str, size: int) -> MatchRun:
        name = Path(filename.replace("\\", "/")).name.strip()
        suffix = Path(name).suffix.lower()
        if suffix == ".xls":
            raise UploadRejected("不支持 .xls（旧版 Excel）文件：请在 Excel/WPS 中“另存为”Excel 工作簿（.xlsx）后再上传。")
        if suffix not in SUFFIXES:
            raise UploadRejected(f"不支持的文件类型“{suffix or name}”：请上传 Excel 工作簿（.xlsx）或 CSV 文件（.csv）。")
        cap = self.settings.match_max_upload_bytes
        if size > cap:
            raise UploadRejected(f"文件过大（{size / 1048576:.1f} MB）：最多 {cap // 1048576} MB。"
                                 "请把名单拆成几个文件分别上传。", status=413)
        if size <= 0:
            raise UploadRejected("文件是空的：请选择填好的企业名单。")
        self.prune()
        run = MatchRun(id=secrets.token_hex(8), username=username, department=department,
                       issuer=issuer.strip() or department or "", filename=name[:200], size=size,
                       created_at=time.time())
        self.folder(run.id).mkdir(parents=True)
        self.input_path(run).write_bytes(b"")
        self.save(run)
        return run

    def append(self, run: MatchRun, offset: int, data: bytes) -> MatchRun:
        """Add one chunk at `offset` (a repeated chunk is accepted once: retries are safe)."""
        with self._lock:
            if run.state != "uploading":
                raise UploadRejected("该文件已上传完毕。", status=409)
            if offset != run.received:
                if offset + len(data) == run.received:
                    return run  # the same chunk again
                raise UploadRejected(f"分片位置不对：已收到 {run.received} 字节。", status=409)
            if run.received + len(data) > run.size:
                raise UploadRejected(f"上传的内容超过了声明的文件大小（{run.size} 字节）。", status=413)
            with open(self.input_path(run), "ab") as f:
                f.write(data)
            run.received += len(data)
            self.save(run)
            return run

    def start(self, run: MatchRun) -> MatchRun:
        """Queue a fully uploaded run (it starts as soon as a job slot is free)."""
        if run.state != "uploading":
            return run
        if run.received != run.size:
            raise UploadRejected(f"文件尚未传完：已收到 {run.received} / {run.size} 字节。", status=409)
        problem = _sniff(self.input_path(run), run.suffix)
        if problem:
            run.state, run.error = "failed", problem
            self.save(run)
            raise UploadRejected(problem)
        run.state = "queued"
        self.save(run)
        self.dispatch()
        return self.get(run.id)

    # -- jobs -----------------------------------------------------------------------------
    def dispatch(self) -> None:
        """Reap finished workers and start queued runs while job slots are free."""
        with self._lock:
            for run_id, proc in list(self._procs.items()):
                if proc.poll() is not None:
                    del self._procs[run_id]
            queued = []
            for folder in self.root.iterdir():
                meta = _read_json(folder / "meta.json")
                if meta and meta.get("state") == "queued":
                    queued.append(MatchRun(**meta))
            for run in sorted(queued, key=lambda r: r.created_at):
                if len(self._procs) >= max(1, self.settings.match_max_running_jobs):
                    break
                self._spawn(run)

    def _spawn(self, run: MatchRun) -> None:
        folder = self.folder(run.id)
        log = open(folder / "worker.log", "ab")
        # The worker inherits the environment, so it reads the same settings; run from the
        # repository so that `-m bot.gateway.match_jobs` finds this checkout.
        proc = subprocess.Popen([sys.executable, "-m", "bot.gateway.match_jobs", str(folder)], cwd=REPO_ROOT,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        self._procs[run.id] = proc
        run.state, run.pid, run.started_at = "running", proc.pid, time.time()
        self.save(run)

    def _refresh(self, run: MatchRun) -> MatchRun:
        folder = self.folder(run.id)
        run.progress = _read_json(folder / "progress.json") or {}
        result = _read_json(folder / "result.json")
        if result is not None:
            run.result = result
            run.state = result.get("state", "failed")
            run.error = result.get("error")
        elif run.state == "running" and not self._alive(run):
            run.state, run.error = "failed", "比对进程意外中断，请重新上传。"
        return run

    def _alive(self, run: MatchRun) -> bool:
        proc = self._procs.get(run.id)
        if proc is not None:
            if proc.poll() is None:
                return True
            # It may have written result.json just now.
            return (self.folder(run.id) / "result.json").exists()
        if run.pid is None:
            return False
        try:
            os.kill(run.pid, 0)
        except OSError:
            return (self.folder(run.id) / "result.json").exists()
        return True

    def prune(self, now: Optional[float] = None) -> int:
        """Delete runs older than the retention period; returns how many."""
        cutoff = (now or time.time()) - self.settings.match_retention_days * 86400
        gone = 0
        for folder in list(self.root.iterdir()):
            meta = _read_json(folder / "meta.json")
            if meta is None or meta.get("created_at", 0) >= cutoff:
                continue
            if meta.get("state") == "running" and folder.name in self._procs:
                continue
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
        return gone


def _sniff(path: Path, suffix: str) -> Optional[str]:
    """A message when the content does not match the file type (renamed files, .xls saved as .xlsx)."""
    with open(path, "rb") as f:
        start = f.read(4096)
    head = start[:8]
    if suffix == ".xlsx":
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            return "该文件是旧版 Excel（.xls）格式，只是扩展名为 .xlsx：请在 Excel/WPS 中另存为 Excel 工作簿（.xlsx）。"
        if not zipfile.is_zipfile(path):
            return "文件不是有效的 Excel 工作簿（.xlsx）：请在 Excel/WPS 中另存为 .xlsx 后再上传。"
        with zipfile.ZipFile(path) as zf:
            if "xl/workbook.xml" not in zf.namelist():
                return "文件不是 Excel 工作簿（缺少 xl/workbook.xml）：请上传 .xlsx 文件。"
    elif b"\x00" in start or head.startswith(b"PK"):
        return "文件不是 CSV 文本：请上传 Excel 工作簿（.xlsx）或 CSV 文件（.csv）。"
    return None


_stores: Dict[Path, RunStore] = {}


def default_store() -> RunStore:
    """The process's run store under ``<data_dir>/match_runs`` (one per data_dir)."""
    settings = get_settings()
    root = Path(settings.data_dir) / "match_runs"
    store = _stores.get(root)
    if store is None:
        store = _stores[root] = RunStore(root, settings)
    return store


# ---------------------------------------------------------------------------
# The worker (a subprocess)
# ---------------------------------------------------------------------------
_SCHEMA = """
CREATE TABLE firms (row INTEGER, name TEXT, region TEXT, status TEXT, awards REAL, tax REAL, flat TEXT,
                    error TEXT);
CREATE TABLE outcomes (row INTEGER, program_id TEXT, program_name TEXT, status TEXT, failed TEXT, unknown TEXT,
                       missing TEXT, reasons TEXT, near_text TEXT, near_fix TEXT, near_ratio REAL);
CREATE TABLE bad (sheet TEXT, row INTEGER, reason TEXT);
"""


class ResultsDb:
    """The dashboard's copy of a run's results (written by the worker in batches)."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path)
        self.db.executescript(_SCHEMA)
        self.firms: List[tuple] = []
        self.outcomes: List[tuple] = []

    def add(self, firm) -> None:
        flat = {k: v for k, v in firm.flat.items() if v is not None}
        self.firms.append((firm.row, firm.name, firm.region, firm.status, firm.awards_total_wan, firm.tax_saving_wan,
                           json.dumps(flat, ensure_ascii=False) if firm.status != "error" else None, firm.error))
        for p in firm.programmes:
            near = p.near_miss
            self.outcomes.append((firm.row, p.program_id, p.program_name, p.status, "；".join(p.failed),
                                  "；".join(p.unknown), "、".join(p.missing), "；".join(p.reasons),
                                  near.text if near else None, near.fix if near else None,
                                  near.gap / near.required if near else None))
        if len(self.firms) >= 2000:
            self.flush()

    def flush(self) -> None:
        self.db.executemany("INSERT INTO firms VALUES (?,?,?,?,?,?,?,?)", self.firms)
        self.db.executemany("INSERT INTO outcomes VALUES (?,?,?,?,?,?,?,?,?,?,?)", self.outcomes)
        self.firms, self.outcomes = [], []

    def close(self, bad) -> None:
        self.flush()
        self.db.executemany("INSERT INTO bad VALUES (?,?,?)", [(b.sheet, b.row, b.reason) for b in bad])
        self.db.execute("CREATE INDEX outcomes_row ON outcomes(row)")
        self.db.commit()
        self.db.close()


def run_worker(folder: Path) -> int:
    """Match the run in `folder`: results.xlsx, results.sqlite, notices.zip, then result.json."""
    from policy_kb.errors import PolicyKBError

    meta = _read_json(folder / "meta.json") or {}
    run = MatchRun(**meta)
    settings = get_settings()
    progress = _ProgressFile(folder / "progress.json")
    try:
        report = _match(folder, run, settings, progress)
        zipped = _notices_zip(folder, run, settings, progress, report)
        _write_json(folder / "result.json", {"state": "done", **report.to_dict(), "zip": zipped,
                                             "finished_at": time.time()})
        return 0
    except PolicyKBError as exc:
        _write_json(folder / "result.json", {"state": "failed", "error": str(exc)})
        return 0
    except Exception as exc:  # the staff see a message; the traceback goes to worker.log
        traceback.print_exc()
        _write_json(folder / "result.json", {"state": "failed", "error": f"比对出错（{type(exc).__name__}），"
                                                                         "请检查文件后重新上传，或联系管理员。"})
        return 1


class _ProgressFile:
    def __init__(self, path: Path):
        self.path, self.last = path, 0.0

    def __call__(self, phase: str, done: int, total: int, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self.last >= 0.25:
            self.last = now
            _write_json(self.path, {"phase": phase, "done": done, "total": total})


def _match(folder: Path, run: MatchRun, settings: Settings, progress: _ProgressFile):
    from policy_kb import bureau
    from policy_kb.store import open_kb

    input_path = folder / f"input{run.suffix}"
    progress("matching", 0, 0, force=True)
    db_path = folder / "results.sqlite"
    db_path.unlink(missing_ok=True)
    db = ResultsDb(db_path)
    report = bureau.match_file(input_path, folder / "results.xlsx", kb=open_kb(settings.kb_path),
                               filename=run.filename, near_miss_fraction=settings.match_near_miss_fraction,
                               sink=db.add, progress=lambda done, total: progress("matching", done, total),
                               progress_every=50)
    db.close(report.bad)
    progress("matching", report.summary.rows, report.summary.rows, force=True)
    return report


def _notices_zip(folder: Path, run: MatchRun, settings: Settings, progress: _ProgressFile, report) -> bool:
    """One PDF notice per matched firm in notices.zip, when the run is small enough."""
    from policy_kb import documents
    from policy_kb.store import open_kb

    matched = matched_count(folder / "results.sqlite")
    if matched > settings.match_zip_max_firms:
        report.notes.append(f"比对成功的企业超过 {settings.match_zip_max_firms} 家，未打包全部告知书：请在结果中逐家下载，"
                            "或拆分名单后分别比对。")
    if not matched or matched > settings.match_zip_max_firms:
        return False
    firms = notice_rows(folder / "results.sqlite")
    kb = open_kb(settings.kb_path)
    day = dt.date.fromtimestamp(run.created_at)
    tmp = folder / "notices.zip.tmp"
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for i, (name, data) in enumerate(documents.notices_for(firms, run.issuer, day, kb,
                                                                   settings.match_pdf_font), start=1):
                zf.writestr(name, data)
                progress("notices", i, len(firms))
    except documents.FontMissing as exc:  # the results stand; only the PDFs are missing
        tmp.unlink(missing_ok=True)
        report.notes.append(str(exc))
        return False
    os.replace(tmp, folder / "notices.zip")
    progress("notices", len(firms), len(firms), force=True)
    return True


def matched_count(db_path: Path) -> int:
    db = sqlite3.connect(db_path)
    try:
        return db.execute("SELECT count(*) FROM firms WHERE status != 'error'").fetchone()[0]
    finally:
        db.close()


def notice_rows(db_path: Path, row: Optional[int] = None) -> List[tuple]:
    """(row, name, region, flat, awards, tax) of the matched firms (or of one row)."""
    db = sqlite3.connect(db_path)
    try:
        sql = "SELECT row, name, region, flat, awards, tax FROM firms WHERE status != 'error'"
        rows = db.execute(sql + (" AND row = ?" if row is not None else "") + " ORDER BY row",
                          (row,) if row is not None else ()).fetchall()
    finally:
        db.close()
    return [(r, n, reg, json.loads(flat), a, t) for r, n, reg, flat, a, t in rows]


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m bot.gateway.match_jobs RUN_DIR", file=sys.stderr)
        return 2
    return run_worker(Path(argv[0]))


if __name__ == "__main__":
    sys.exit(main())
