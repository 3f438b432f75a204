"""The ticket store on real PostgreSQL: the SQLite store's behaviours, numbering under concurrent
writers, and the settings and cluster wiring that select it."""

from __future__ import annotations

import multiprocessing
import threading
import uuid
from datetime import datetime
from typing import Iterator, List

import pytest
import sqlalchemy as sa

# The SQLite store's tests, run here a second time with `store`/`clocked_store` on PostgreSQL.
from test_ticket_store import (  # noqa: F401  (pytest collects them from this module too)
    test_claim_resolve_and_active_ticket,
    test_list_filters_and_department_visibility,
    test_missing_ticket_is_named,
    test_outbox_hands_each_message_out_once,
    test_removed_user_loses_tokens,
    test_report_counts,
    test_set_triage_records_the_change,
    test_ticket_keeps_what_the_bot_knew,
    test_ticket_numbers_count_per_day,
    test_transcript_appends_in_order,
    test_unknown_category_is_refused,
)

from bot.helpdesk.errors import TicketConflict
from bot.helpdesk.store import NewTicket, SqliteTicketStore, SqlTicketStore, default_store
from bot.settings import Settings, get_settings
from tests.reliability.conftest import services  # noqa: F401  (PostgreSQL via scripts/test-services.sh)

pytestmark = [pytest.mark.cluster]  # real PostgreSQL, started by scripts/test-services.sh


@pytest.fixture
def pg_url(services) -> Iterator[str]:  # noqa: F811
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    server = sa.engine.make_url(services["POLICYBOT_TEST_PG_URL"])
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", future=True)
    name = f"tickets_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def store(pg_url) -> Iterator[SqlTicketStore]:
    pg_store = SqlTicketStore(pg_url)
    yield pg_store
    pg_store.engine.dispose()


@pytest.fixture
def clocked_store(pg_url, clock) -> Iterator[SqlTicketStore]:
    pg_store = SqlTicketStore(pg_url, clock=clock)
    yield pg_store
    pg_store.engine.dispose()


def test_store_runs_on_postgresql(store):
    assert store.engine.dialect.name == "postgresql"


def test_passwords_and_tokens_are_hashed_at_rest(store):
    store.add_staff("alice", "s3cret-口令", "市经信局")
    store.add_staff("bob", "s3cret-口令")
    token, _ = store.issue_token("alice", ttl_s=600)
    with store.engine.connect() as conn:
        hashes = dict(conn.execute(sa.text("SELECT username, password_hash FROM staff_users")).all())
        stored_tokens = conn.execute(sa.text("SELECT token_hash, username FROM staff_tokens")).all()
    assert hashes["alice"] != hashes["bob"]
    assert all(h.startswith("scrypt:") and "s3cret" not in h for h in hashes.values())
    assert [username for _, username in stored_tokens] == ["alice"]
    assert stored_tokens[0][0] != token
    assert store.verify_password("alice", "s3cret-口令").department == "市经信局"
    assert store.verify_password("alice", "wrong") is None
    assert store.user_for_token(token).username == "alice"
    store.revoke_token(token)
    assert store.user_for_token(token) is None


def test_tokens_expire(clocked_store, clock):
    clocked_store.add_staff("alice", "pw")
    token, expires_at = clocked_store.issue_token("alice", ttl_s=600)
    assert expires_at == clock().timestamp() + 600
    clock.advance(seconds=599)
    assert clocked_store.user_for_token(token).username == "alice"
    clock.advance(seconds=2)
    assert clocked_store.user_for_token(token) is None


def test_audit_log_lists_newest_first(clocked_store):
    ticket = clocked_store.create_ticket(NewTicket(sender="u1"))
    clocked_store.audit("alice", "login")
    clocked_store.audit("alice", "claim", ticket.id, "认领")
    assert clocked_store.audit_log(limit=5) == [
        {"seq": 2, "username": "alice", "action": "claim", "ticket_id": "T20261122-0001", "detail": "认领",
         "time": clocked_store.clock().isoformat(timespec="seconds")},
        {"seq": 1, "username": "alice", "action": "login", "ticket_id": None, "detail": "",
         "time": clocked_store.clock().isoformat(timespec="seconds")},
    ]


def test_default_store_follows_ticket_store_url(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("POLICYBOT_TICKET_STORE_URL", pg_url)
    get_settings.cache_clear()
    try:
        shared = default_store()
        ticket = shared.create_ticket(NewTicket(sender="u1", category="投诉"))
    finally:
        get_settings.cache_clear()
    assert not isinstance(shared, SqliteTicketStore) and not (tmp_path / "helpdesk.sqlite").exists()
    other_process_view = SqlTicketStore(pg_url)
    assert other_process_view.get_ticket(ticket.id).category == "投诉"
    other_process_view.engine.dispose()
    shared.engine.dispose()


def test_cluster_gives_every_process_the_postgresql_ticket_store():
    from bot.stack.cluster import ClusterStack

    tracker = "postgresql://policybot:pw@db.example:5432/tracker"
    stack = ClusterStack(Settings(tracker_store_url=tracker))
    assert stack.env["POLICYBOT_TICKET_STORE_URL"] == tracker
    tickets = "postgresql://policybot:pw@db.example:5432/tickets"
    stack = ClusterStack(Settings(tracker_store_url=tracker, ticket_store_url=tickets))
    assert stack.env["POLICYBOT_TICKET_STORE_URL"] == tickets
    assert [child.key for child in stack.children if "POLICYBOT_TICKET_STORE_URL" in child.env] == \
        ["rasa-1", "rasa-2"]  # the rest inherit it from stack.env, which every child gets


def _fixed_clock() -> datetime:
    return datetime(2026, 11, 22, 9, 30).astimezone()


def _create_many(url: str, prefix: str, count: int, start: multiprocessing.Event) -> None:
    store = SqlTicketStore(url, clock=_fixed_clock)
    start.wait(60)
    for i in range(count):
        ticket = store.create_ticket(NewTicket(sender=f"{prefix}{i}"))
        store.append_transcript(ticket.id, "user", f"{prefix}{i}")


def test_four_processes_writing_at_once_get_consecutive_distinct_numbers(pg_url):
    """Two action servers and the gateway (and one more) open the same new database and create
    tickets at the same moment: 100 tickets, numbered 0001..0100, each with its own line."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    names = ("gw", "act1", "act2", "cli")
    workers = [ctx.Process(target=_create_many, args=(pg_url, name, 25, start)) for name in names]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    store = SqlTicketStore(pg_url)
    tickets = store.list_tickets()
    assert sorted(t.id for t in tickets) == [f"T20261122-{n:04d}" for n in range(1, 101)]
    assert sorted(t.sender for t in tickets) == sorted(f"{name}{i}" for name in names for i in range(25))
    lines = {t.id: [e.text for e in store.get_ticket(t.id).transcript] for t in tickets}
    assert all(lines[t.id] == [t.sender] for t in tickets)
    store.engine.dispose()


def test_queued_messages_are_handed_out_once_to_concurrent_pollers(store):
    taken: List[str] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            taken.extend(m["text"] for m in store.take_messages("u1"))

    pollers = [threading.Thread(target=poll) for _ in range(3)]
    for poller in pollers:
        poller.start()
    for i in range(40):
        store.queue_message("u1", {"recipient_id": "u1", "text": f"m{i}"})
    done.set()
    for poller in pollers:
        poller.join(30)
    taken.extend(m["text"] for m in store.take_messages("u1"))
    assert sorted(taken) == sorted(f"m{i}" for i in range(40))


def test_two_staff_claiming_at_once_one_wins(store):
    ticket = store.create_ticket(NewTicket(sender="u1"))
    barrier = threading.Barrier(2)
    outcomes: List[str] = []

    def claim(username: str) -> None:
        barrier.wait(10)
        try:
            outcomes.append(store.claim(ticket.id, username).claimed_by)
        except TicketConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=claim, args=(name,)) for name in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes)[0] in ("alice", "bob") and sorted(outcomes)[1] == "conflict"
    assert store.get_ticket(ticket.id).claimed_by in ("alice", "bob")
    assert [h["what"] for h in store.get_ticket(ticket.id).history] == ["创建工单（其他，中）", "认领工单"]
