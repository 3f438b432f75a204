"""`policybot backup` while 8 users talk to the real stack; restore into a fresh directory:
every ticket and every acknowledged message from before the backup is there."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import List, Tuple

import httpx
import pytest

from bot.helpdesk.store import NewTicket, SqliteTicketStore
from bot.settings import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.stack]

SCRIPT = ["你好", "六安省级智能工厂奖励多少", "我要投诉，转人工", "研发费用加计扣除怎么算", "谢谢"]


def policybot(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=REPO_ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120)


def test_backup_during_load_restores_every_ticket_and_message(running_stack, live_stack, stack_settings, tmp_path):
    data_dir = Path(stack_settings.data_dir)
    acknowledged: List[Tuple[float, str, str]] = []
    tickets: List[Tuple[float, str]] = []
    stop = threading.Event()

    def talk() -> None:
        with httpx.Client(base_url=live_stack, timeout=60.0) as client:
            while not stop.is_set():
                sender = f"bk-{uuid.uuid4().hex[:8]}"
                for text in SCRIPT:
                    reply = client.post("/api/chat", json={"sender": sender, "message": text})
                    if reply.status_code == 200 and any(m.get("text") for m in reply.json()):
                        acknowledged.append((time.monotonic(), sender, text))

    def open_tickets() -> None:
        store = SqliteTicketStore(data_dir / "helpdesk.sqlite")
        while not stop.is_set():
            ticket = store.create_ticket(NewTicket(sender=f"bk-direct-{uuid.uuid4().hex[:6]}"))
            store.append_transcript(ticket.id, "user", f"留言 {ticket.id}")
            tickets.append((time.monotonic(), ticket.id))
            time.sleep(0.05)

    workers = [threading.Thread(target=talk) for _ in range(8)] + [threading.Thread(target=open_tickets)]
    for worker in workers:
        worker.start()
    try:
        time.sleep(6.0)
        started = time.monotonic()
        made = policybot({"POLICYBOT_DATA_DIR": str(data_dir)}, "backup", str(tmp_path / "bk"))
        time.sleep(2.0)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=90)
    assert made.returncode == 0, made.stderr
    fresh = tmp_path / "fresh"
    put = policybot({"POLICYBOT_DATA_DIR": str(fresh), "POLICYBOT_KB_PATH": str(fresh / "build" / "policy_kb.sqlite")},
                    "restore", str(tmp_path / "bk"))
    assert put.returncode == 0, put.stderr

    restored = SqliteTicketStore(fresh / "helpdesk.sqlite")
    before = [ticket_id for at, ticket_id in tickets if at < started]
    assert len(before) > 20
    for ticket_id in before:
        assert f"留言 {ticket_id}" in [e.text for e in restored.get_ticket(ticket_id).transcript]
    bot_tickets = [t for t in restored.list_tickets() if t.sender.startswith("bk-") and "direct" not in t.sender]
    assert bot_tickets, "the bot's own 转人工 tickets are in the backup too"
    messages = [(sender, text) for at, sender, text in acknowledged if at < started]
    assert len(messages) > 20
    with sqlite3.connect(fresh / "tracker.db") as conn:
        rows = conn.execute("SELECT sender_id, data FROM events WHERE type_name = 'user' AND sender_id LIKE 'bk-%'")
        stored = {(sender, json.loads(data)["text"]) for sender, data in rows}
    missing = [message for message in messages if message not in stored]
    assert missing == []
    assert (fresh / "build" / "policy_kb.sqlite").exists()
