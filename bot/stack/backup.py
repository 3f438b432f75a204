"""Backup and restore of what a single node keeps on its disk (`policybot backup/restore DIR`).

Four things, in three SQLite files: the knowledge base build (``kb_path``), the helpdesk
database (tickets, transcripts, the web chat's outbox, staff accounts and tokens:
``<data_dir>/helpdesk.sqlite``) and the tracker store (``<data_dir>/tracker.db``). Each is
copied with SQLite's online backup API in one step, so a backup taken while the stack runs
is a consistent snapshot of each file (in WAL mode the copy's read transaction blocks no
writer). ``manifest.json``, written last, lists the files with their schema: a
directory without it is not a finished backup.

Restore checks the files against the schema this version of the code uses and refuses a
backup whose tables lack a column we need (or a KB of another ``schema_version``), saying
which; a table added since is fine (the stores create missing tables when they open). It writes each file under a temporary name and swaps it in, so a failed restore
leaves the old files. Stop the stack before restoring over live data (``--force``).

A database kept in PostgreSQL (``POLICYBOT_TICKET_STORE_URL`` / ``..._TRACKER_STORE_URL``,
the cluster) is not in the backup: use ``pg_dump`` there; both commands say so.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Dict, List, Optional, Set

from bot.settings import Settings

FORMAT = 1
MANIFEST = "manifest.json"
# Rasa's SQLTrackerStore table, and the checkpoints of bot.rasa.tracker_store.
TRACKER_SCHEMA: Dict[str, Set[str]] = {
    "events": {"id", "sender_id", "type_name", "timestamp", "intent_name", "action_name", "data"},
    "policybot_checkpoints": {"sender_id", "event_id", "state"},
}


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why, in Chinese."""


@dataclass
class Part:
    """One database of the backup: its name, live file, file name in the backup."""

    key: str
    title: str
    path: Path
    file: str
    required: bool  # a missing live file is an error (the KB) or just nothing to keep yet


def parts_of(settings: Settings) -> List[Part]:
    """The SQLite databases of this node; those kept in PostgreSQL are left out."""
    data = Path(settings.data_dir)
    found = [Part("kb", "知识库", Path(settings.kb_path), "policy_kb.sqlite", True)]
    if not settings.ticket_store_url:
        found.append(Part("helpdesk", "工单库（含客服账号）", data / "helpdesk.sqlite", "helpdesk.sqlite", False))
    if not settings.tracker_store_url:
        found.append(Part("tracker", "对话追踪库", data / "tracker.db", "tracker.db", False))
    return found


def elsewhere(settings: Settings) -> List[str]:
    """What is not in the backup because it lives in a server database."""
    notes = []
    if settings.ticket_store_url:
        notes.append("工单库在 POLICYBOT_TICKET_STORE_URL 所指的数据库中：请用 pg_dump 另行备份")
    if settings.tracker_store_url:
        notes.append("对话追踪库在 POLICYBOT_TRACKER_STORE_URL 所指的数据库中：请用 pg_dump 另行备份")
    return notes


def expected_schema(key: str) -> Dict[str, Set[str]]:
    """Tables and columns this version of the code needs in database ``key``."""
    if key == "helpdesk":
        from bot.helpdesk import sql

        return {name: {column.name for column in table.columns} for name, table in sql.metadata.tables.items()}
    if key == "tracker":
        return TRACKER_SCHEMA
    return {"meta": {"key", "value"}}


def schema_of(path: Path) -> Dict[str, List[str]]:
    """Tables and their columns in a SQLite file."""
    with _connect(path) as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {table: [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')] for table in tables}


def kb_schema_version(path: Path) -> Optional[str]:
    with _connect(path) as conn:
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.Error:
            return None
    return row[0] if row else None


def current_kb_schema_version() -> str:
    from policy_kb.compiler import SCHEMA_VERSION

    return str(SCHEMA_VERSION)


def backup(settings: Settings, target: Path) -> Dict[str, object]:
    """Copy every SQLite database of the node into ``target``; returns the manifest."""
    target = Path(target)
    if (target / MANIFEST).exists():
        raise BackupError(f"{target} 里已有一份备份（{MANIFEST}）：请换一个目录")
    target.mkdir(parents=True, exist_ok=True)
    entries: Dict[str, Dict[str, object]] = {}
    for part in parts_of(settings):
        if not part.path.exists():
            if part.required:
                raise BackupError(f"找不到{part.title} {part.path}：请先运行 policybot kb build")
            continue
        _copy(part.path, target / part.file)
        entries[part.key] = _describe(part, target / part.file)
    jieba = Path(settings.kb_path).parent / "jieba"
    if jieba.is_dir():
        shutil.copytree(jieba, target / "jieba", dirs_exist_ok=True)
    manifest = {"format": FORMAT, "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                "databases": entries, "not_included": elsewhere(settings)}
    temporary = target / (MANIFEST + ".tmp")
    temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, target / MANIFEST)
    return manifest


def _describe(part: Part, copy: Path) -> Dict[str, object]:
    entry: Dict[str, object] = {"file": part.file, "title": part.title, "schema": schema_of(copy),
                                "bytes": copy.stat().st_size}
    if part.key == "helpdesk":
        entry["tickets"] = _count(copy, "tickets")
        entry["staff_users"] = _count(copy, "staff_users")
    if part.key == "tracker":
        entry["events"] = _count(copy, "events")
    if part.key == "kb":
        entry["schema_version"] = kb_schema_version(copy)
    return entry


def restore(settings: Settings, source: Path, force: bool = False) -> Dict[str, object]:
    """Put the databases of the backup in ``source`` where the settings keep them."""
    source = Path(source)
    manifest = read_manifest(source)
    check_compatible(manifest, source)
    by_key = {part.key: part for part in parts_of(settings)}
    databases: Dict[str, Dict[str, object]] = manifest["databases"]  # type: ignore[assignment]
    for key in databases:
        if key not in by_key:
            raise BackupError(f"备份含有{databases[key].get('title', key)}，但本机把它放在服务器数据库中："
                              "请取消相应的 *_STORE_URL 设置，或用 pg_restore 恢复")
    occupied = [str(by_key[key].path) for key in databases if by_key[key].path.exists()]
    if occupied and not force:
        raise BackupError("目标位置已有数据：" + "、".join(occupied) + "。请先停止服务，再加 --force 覆盖")
    for key, entry in databases.items():
        _put(source / str(entry["file"]), by_key[key].path)
    if (source / "jieba").is_dir():
        shutil.copytree(source / "jieba", Path(settings.kb_path).parent / "jieba", dirs_exist_ok=True)
    return manifest


def read_manifest(source: Path) -> Dict[str, object]:
    path = Path(source) / MANIFEST
    if not path.exists():
        raise BackupError(f"{source} 不是一份完整的备份：没有 {MANIFEST}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise BackupError(f"{path} 无法读取：{error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 与当前版本（{FORMAT}）不兼容，不能恢复")
    return manifest


def check_compatible(manifest: Dict[str, object], source: Path) -> None:
    """Raise BackupError naming the first table or column the current code needs that the
    backup lacks (checked in the files themselves, not only in the manifest)."""
    databases: Dict[str, Dict[str, object]] = manifest["databases"]  # type: ignore[assignment]
    for key, entry in databases.items():
        copy = source / str(entry["file"])
        if not copy.exists():
            raise BackupError(f"备份不完整：缺少文件 {copy}")
        title = entry.get("title", key)
        if key == "kb":
            version, wanted = kb_schema_version(copy), current_kb_schema_version()
            if version != wanted:
                raise BackupError(f"备份中的{title}结构版本为 {version}，当前版本需要 {wanted}：不兼容，不能恢复"
                                  "（请用 policybot kb build 重新生成知识库）")
        have = schema_of(copy)
        for table, columns in sorted(expected_schema(key).items()):
            if table not in have:
                continue  # a table added since: the store creates it when it opens the file
            missing = sorted(columns - set(have[table]))
            if missing:
                raise BackupError(f"备份中的{title}结构与当前版本不兼容：表 {table} 缺少列 {'、'.join(missing)}，不能恢复")


def _connect(path: Path) -> "closing[sqlite3.Connection]":
    return closing(sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=30.0))


def _copy(source: Path, destination: Path) -> None:
    """SQLite's online backup of ``source`` into ``destination`` (written aside, then swapped)."""
    temporary = destination.with_name(destination.name + ".tmp")
    temporary.unlink(missing_ok=True)
    src = sqlite3.connect(str(source), timeout=30.0)
    dst = sqlite3.connect(str(temporary))
    try:
        # All pages in one step: under a read transaction, which in WAL mode blocks no writer,
        # so the copy is one consistent snapshot (a stepwise copy restarts on every write).
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()
    os.replace(temporary, destination)


def _put(copy: Path, live: Path) -> None:
    live.parent.mkdir(parents=True, exist_ok=True)
    for stale in (live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        stale.unlink(missing_ok=True)
    _copy(copy, live)


def _count(path: Path, table: str) -> int:
    with _connect(path) as conn:
        return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
