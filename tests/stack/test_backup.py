"""`policybot backup DIR` / `policybot restore DIR`: consistent while written to, refuses
an incompatible schema, restores into a fresh directory."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.helpdesk.store import NewTicket, SqliteTicketStore, TranscriptEntry
from bot.settings import REPO_ROOT, Settings
from bot.stack.backup import BackupError, backup, restore

KB = REPO_ROOT / "build" / "policy_kb.sqlite"


@pytest.fixture
def node(tmp_path) -> Settings:
    """A node with a KB, tickets, staff and a tracker store in ``tmp_path/live``."""
    live = tmp_path / "live"
    (live / "build").mkdir(parents=True)
    shutil.copy(KB, live / "build" / "policy_kb.sqlite")
    shutil.copytree(KB.parent / "jieba", live / "build" / "jieba")
    settings = Settings(data_dir=live, kb_path=live / "build" / "policy_kb.sqlite")
    store = SqliteTicketStore(live / "helpdesk.sqlite")
    store.add_staff("wang", "pw-1", "市经信局")
    ticket = store.create_ticket(NewTicket(sender="u1", transcript=[TranscriptEntry("user", "转人工", "t")]))
    store.append_transcript(ticket.id, "staff", "您好，请讲。", "staff:wang")
    with sqlite3.connect(live / "tracker.db") as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL,"
                     " intent_name TEXT, action_name TEXT, data TEXT)")
        conn.execute("CREATE TABLE policybot_checkpoints (sender_id TEXT PRIMARY KEY, event_id INTEGER, state TEXT)")
        conn.execute("INSERT INTO events (sender_id, type_name, data) VALUES ('u1', 'user', '{\"text\": \"你好\"}')")
    return settings


def fresh(tmp_path: Path, name: str = "fresh") -> Settings:
    return Settings(data_dir=tmp_path / name, kb_path=tmp_path / name / "build" / "policy_kb.sqlite")


def test_backup_and_restore_into_a_fresh_directory(node, tmp_path) -> None:
    manifest = backup(node, tmp_path / "bk")
    assert set(manifest["databases"]) == {"kb", "helpdesk", "tracker"}
    assert manifest["databases"]["helpdesk"]["tickets"] == 1
    target = fresh(tmp_path)
    restore(target, tmp_path / "bk")
    store = SqliteTicketStore(Path(target.data_dir) / "helpdesk.sqlite")
    (ticket,) = store.list_tickets()
    assert [e.text for e in store.get_ticket(ticket.id).transcript] == ["转人工", "您好，请讲。"]
    assert store.verify_password("wang", "pw-1").department == "市经信局"  # staff accounts too
    with sqlite3.connect(Path(target.data_dir) / "tracker.db") as conn:
        assert conn.execute("SELECT count(*) FROM events").fetchone() == (1,)
    assert (Path(target.kb_path).parent / "jieba" / "userdict.txt").exists()


def test_backup_while_tickets_are_written_has_every_ticket_written_before_it(node, tmp_path) -> None:
    store = SqliteTicketStore(Path(node.data_dir) / "helpdesk.sqlite")
    stop, written = threading.Event(), []

    def writer() -> None:
        while not stop.is_set():
            ticket = store.create_ticket(NewTicket(sender=f"w{len(written)}"))
            store.append_transcript(ticket.id, "user", f"消息 {ticket.id}")
            written.append(ticket.id)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            threading.Event().wait(0.01)
        before = list(written)
        backup(node, tmp_path / "bk")
    finally:
        stop.set()
        thread.join()
    target = fresh(tmp_path)
    restore(target, tmp_path / "bk")
    restored = SqliteTicketStore(Path(target.data_dir) / "helpdesk.sqlite")
    ids = {t.id for t in restored.list_tickets()}
    assert set(before) <= ids
    for ticket_id in before:
        assert f"消息 {ticket_id}" in [e.text for e in restored.get_ticket(ticket_id).transcript]


def test_restore_refuses_an_incompatible_schema_and_names_what_is_missing(node, tmp_path) -> None:
    backup(node, tmp_path / "bk")
    with sqlite3.connect(tmp_path / "bk" / "helpdesk.sqlite") as conn:
        conn.execute("ALTER TABLE staff_users DROP COLUMN department")
    with pytest.raises(BackupError, match="工单库（含客服账号）结构与当前版本不兼容：表 staff_users 缺少列 department"):
        restore(fresh(tmp_path), tmp_path / "bk")
    assert not (tmp_path / "fresh" / "helpdesk.sqlite").exists()  # nothing half-restored


def test_a_backup_from_before_a_new_table_is_restored(node, tmp_path) -> None:
    backup(node, tmp_path / "bk")
    with sqlite3.connect(tmp_path / "bk" / "helpdesk.sqlite") as conn:
        conn.execute("DROP TABLE staff_replies")
    target = fresh(tmp_path)
    restore(target, tmp_path / "bk")
    assert SqliteTicketStore(Path(target.data_dir) / "helpdesk.sqlite").list_tickets()


def test_restore_refuses_a_kb_of_another_schema_version(node, tmp_path) -> None:
    backup(node, tmp_path / "bk")
    with sqlite3.connect(tmp_path / "bk" / "policy_kb.sqlite") as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(BackupError, match="结构版本为 99"):
        restore(fresh(tmp_path), tmp_path / "bk")


def test_restore_does_not_overwrite_live_data_without_force(node, tmp_path) -> None:
    backup(node, tmp_path / "bk")
    with pytest.raises(BackupError, match="已有数据.*--force"):
        restore(node, tmp_path / "bk")
    restore(node, tmp_path / "bk", force=True)


def test_an_unfinished_backup_is_refused(tmp_path) -> None:
    (tmp_path / "half").mkdir()
    with pytest.raises(BackupError, match="不是一份完整的备份"):
        restore(fresh(tmp_path), tmp_path / "half")


def test_cli_backup_and_restore(node, tmp_path, monkeypatch) -> None:
    from bot.settings import get_settings

    runner = CliRunner()
    for name, value in (("DATA_DIR", node.data_dir), ("KB_PATH", node.kb_path)):
        monkeypatch.setenv(f"POLICYBOT_{name}", str(value))
    get_settings.cache_clear()
    made = runner.invoke(main, ["backup", str(tmp_path / "bk")])
    assert made.exit_code == 0, made.output
    assert "已备份 工单库（含客服账号）" in made.output
    again = runner.invoke(main, ["backup", str(tmp_path / "bk")])
    assert again.exit_code == 1 and "已有一份备份" in again.output
    target = fresh(tmp_path)
    monkeypatch.setenv("POLICYBOT_DATA_DIR", str(target.data_dir))
    monkeypatch.setenv("POLICYBOT_KB_PATH", str(target.kb_path))
    get_settings.cache_clear()
    put = runner.invoke(main, ["restore", str(tmp_path / "bk")])
    get_settings.cache_clear()
    assert put.exit_code == 0, put.output
    assert json.loads((tmp_path / "bk" / "manifest.json").read_text())["format"] == 1
    assert SqliteTicketStore(Path(target.data_dir) / "helpdesk.sqlite").list_tickets()
