"""The SQLite ticket store: numbering, transcript, claim/resolve, staff credentials, queue, report."""

from __future__ import annotations

import multiprocessing
import re
import sqlite3

import pytest

from bot.helpdesk.errors import InvalidTriage, StaffUserExists, TicketConflict, TicketNotFound
from bot.helpdesk.store import NewTicket, SqliteTicketStore, TranscriptEntry


def _ticket(store, sender="u1", **kw):
    return store.create_ticket(NewTicket(sender=sender, **kw))


def test_ticket_numbers_count_per_day(clocked_store, clock):
    assert _ticket(clocked_store).id == "T20261122-0001"
    assert _ticket(clocked_store).id == "T20261122-0002"
    clock.advance(days=1)
    assert _ticket(clocked_store).id == "T20261123-0001"


def test_ticket_keeps_what_the_bot_knew(store):
    new = NewTicket(sender="u1", channel="wechat", category="资金拨付", department="市经信局", urgency="高",
                    triage_explanation="因为到账", intent="ask_payment_status",
                    facts={"region": "六安市", "investment": "3000"},
                    eligibility_trace={"results": [{"status": "eligible"}]},
                    transcript=[TranscriptEntry("user", "钱什么时候到账", "2026-11-22T09:00:00+08:00", "action")])
    ticket = store.get_ticket(store.create_ticket(new).id)
    assert (ticket.status, ticket.channel, ticket.category, ticket.department, ticket.urgency) == \
        ("open", "wechat", "资金拨付", "市经信局", "高")
    assert ticket.facts == {"region": "六安市", "investment": "3000"}
    assert ticket.eligibility_trace == {"results": [{"status": "eligible"}]}
    assert [(e.who, e.text) for e in ticket.transcript] == [("user", "钱什么时候到账")]
    assert ticket.history[0]["who"] == "bot"


def test_unknown_category_is_refused(store):
    with pytest.raises(InvalidTriage):
        _ticket(store, category="杂项")


def test_missing_ticket_is_named(store):
    with pytest.raises(TicketNotFound, match="T20990101-0001"):
        store.get_ticket("T20990101-0001")


def test_claim_resolve_and_active_ticket(store):
    ticket = _ticket(store)
    assert store.active_ticket("u1").id == ticket.id
    store.claim(ticket.id, "alice")
    with pytest.raises(TicketConflict, match="alice"):
        store.claim(ticket.id, "bob")
    with pytest.raises(TicketConflict):
        store.resolve(ticket.id, "bob")
    resolved = store.resolve(ticket.id, "alice")
    assert resolved.status == "resolved"
    assert store.active_ticket("u1") is None
    with pytest.raises(TicketConflict):
        store.claim(ticket.id, "alice")
    assert [h["what"] for h in resolved.history][1:] == ["认领工单", "办结工单，交还助手"]


def test_transcript_appends_in_order(store):
    ticket = _ticket(store)
    store.append_transcript(ticket.id, "user", "在吗")
    store.append_transcript(ticket.id, "staff", "在的", "staff:alice")
    assert [(e.who, e.text, e.via) for e in store.get_ticket(ticket.id).transcript] == \
        [("user", "在吗", "gateway"), ("staff", "在的", "staff:alice")]


def test_set_triage_records_the_change(store):
    ticket = _ticket(store, category="其他", urgency="低")
    changed = store.set_triage(ticket.id, "alice", "投诉", "市经信局", "高")
    assert (changed.category, changed.department, changed.urgency) == ("投诉", "市经信局", "高")
    assert "其他→投诉" in changed.history[-1]["what"]


def test_list_filters_and_department_visibility(store):
    _ticket(store, sender="a", category="投诉", department="市经信局")
    _ticket(store, sender="b", category="资金拨付", department="自治区工业和信息化厅")
    _ticket(store, sender="c", category="咨询")
    assert [t.sender for t in store.list_tickets(category="投诉")] == ["a"]
    assert sorted(t.sender for t in store.list_tickets(visible_to="市经信局")) == ["a", "c"]
    assert len(store.list_tickets(status="open")) == 3


def test_passwords_are_salted_slow_hashes(store):
    store.add_staff("alice", "s3cret-口令", "市经信局")
    store.add_staff("bob", "s3cret-口令")
    with sqlite3.connect(store.path) as conn:
        hashes = dict(conn.execute("SELECT username, password_hash FROM staff_users"))
    assert hashes["alice"] != hashes["bob"]  # per-user salt
    assert all(h.startswith("scrypt:") and "s3cret" not in h for h in hashes.values())
    assert store.verify_password("alice", "s3cret-口令").department == "市经信局"
    assert store.verify_password("alice", "wrong") is None
    assert store.verify_password("nobody", "s3cret-口令") is None
    with pytest.raises(StaffUserExists):
        store.add_staff("alice", "x")


def test_tokens_expire_and_are_hashed_at_rest(clocked_store, clock):
    clocked_store.add_staff("alice", "pw")
    token, expires_at = clocked_store.issue_token("alice", ttl_s=600)
    assert expires_at == clock().timestamp() + 600
    with sqlite3.connect(clocked_store.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM staff_tokens WHERE token_hash = ?", (token,)).fetchone()[0] == 0
    assert clocked_store.user_for_token(token).username == "alice"
    clock.advance(seconds=601)
    assert clocked_store.user_for_token(token) is None


def test_removed_user_loses_tokens(store):
    store.add_staff("alice", "pw")
    token, _ = store.issue_token("alice", 600)
    store.remove_staff("alice")
    assert store.user_for_token(token) is None


def test_outbox_hands_each_message_out_once(store):
    store.queue_message("u1", {"recipient_id": "u1", "text": "一"})
    store.queue_message("u2", {"recipient_id": "u2", "text": "别人的"})
    store.queue_message("u1", {"recipient_id": "u1", "text": "二"})
    assert [m["text"] for m in store.take_messages("u1")] == ["一", "二"]
    assert store.take_messages("u1") == []
    assert [m["text"] for m in store.take_messages("u2")] == ["别人的"]


def test_report_counts(store):
    for text in ("个人所得税怎么交", "个人所得税怎么交", "天气"):
        store.log_fallback("u", text)
    store.record_feedback("u", "奖励多少", useful=False)
    store.record_feedback("u", "奖励多少", useful=False)
    store.record_feedback("u", "备案去哪", useful=True)
    _ticket(store, category="投诉")
    _ticket(store, category="投诉")
    _ticket(store, category="咨询")
    report = store.report(limit=5)
    assert report["fallback"] == [("个人所得税怎么交", 2), ("天气", 1)]
    assert report["unhelpful"] == [("奖励多少", 2)]
    assert report["categories"] == [("投诉", 2), ("咨询", 1)]


def test_wal_mode(store):
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _create_many(path: str, prefix: str, count: int) -> None:
    store = SqliteTicketStore(path)
    for i in range(count):
        ticket = store.create_ticket(NewTicket(sender=f"{prefix}{i}"))
        store.append_transcript(ticket.id, "user", f"{prefix}{i}")


def test_two_processes_writing_at_once_get_distinct_numbers(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    SqliteTicketStore(path)
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_create_many, args=(path, name, 25)) for name in ("gw", "act")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    tickets = SqliteTicketStore(path).list_tickets()
    ids = [t.id for t in tickets]
    assert len(ids) == 50 and len(set(ids)) == 50
    assert all(re.fullmatch(r"T\d{8}-\d{4}", i) for i in ids)
