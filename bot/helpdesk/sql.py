"""SQL plumbing of the ticket store: its tables, engines, and write transactions.

The same SQLAlchemy Core statements run on SQLite (one file, the default) and on PostgreSQL
(scale-out: two action servers and the gateway share it). The two differ only here:

- SQLite: the driver runs in autocommit mode and a write opens with ``BEGIN IMMEDIATE``, so
  it holds the file's write lock from its first statement;
- PostgreSQL: a write first takes a transaction-level advisory lock, released at commit or
  rollback. Writes are therefore serialised as on SQLite, and the decisions a write makes
  from what it read (the next ticket number, "claimed by someone else?", "consume once"
  queues) cannot interleave with another process's. Reads take no lock.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bot.helpdesk.errors import HelpdeskError

# Key of the PostgreSQL advisory lock held by every ticket-store write ("ticket" in ASCII).
# Advisory keys are per database: anything else sharing the database must not use it.
WRITE_LOCK_KEY = 0x7469636B6574

metadata = sa.MetaData()


def _log_table(name: str, *columns: sa.Column) -> sa.Table:
    """A table whose rows are numbered in insertion order (``seq``, never reused)."""
    return sa.Table(name, metadata, sa.Column("seq", sa.Integer, primary_key=True), *columns,
                    sqlite_autoincrement=True)


tickets = sa.Table(
    "tickets", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("sender", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("department", sa.Text),
    sa.Column("urgency", sa.Text, nullable=False),
    sa.Column("triage_explanation", sa.Text),
    sa.Column("intent", sa.Text),
    sa.Column("facts", sa.Text, nullable=False),
    sa.Column("eligibility_trace", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("claimed_by", sa.Text),
    sa.Index("tickets_sender", "sender", "status"),
)
transcript = _log_table(
    "transcript",
    sa.Column("ticket_id", sa.Text, sa.ForeignKey("tickets.id"), nullable=False),
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("time", sa.Text, nullable=False),
    sa.Column("via", sa.Text, nullable=False),
    sa.Index("transcript_ticket", "ticket_id", "seq"),
)
ticket_history = _log_table(
    "ticket_history",
    sa.Column("ticket_id", sa.Text, sa.ForeignKey("tickets.id"), nullable=False),
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("what", sa.Text, nullable=False),
    sa.Column("time", sa.Text, nullable=False),
)
staff_users = sa.Table(
    "staff_users", metadata,
    sa.Column("username", sa.Text, primary_key=True),
    sa.Column("department", sa.Text),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)
staff_tokens = sa.Table(
    "staff_tokens", metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)
audit_log = _log_table(
    "audit_log",
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("ticket_id", sa.Text),
    sa.Column("detail", sa.Text),
    sa.Column("time", sa.Text, nullable=False),
)
outbox = _log_table(
    "outbox",
    sa.Column("sender", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Index("outbox_sender", "sender", "seq"),
)
# Every message sent to a WeChat/WeCom user for a ticket (staff replies, claim and resolve
# notices) and how far it got: sent, waiting (WeChat's 48-hour window is closed: 45015, or
# too many in a row: 45047) or failed (another error). Waiting and failed ones go out as the
# passive reply to the user's next message.
staff_replies = _log_table(
    "staff_replies",
    sa.Column("ticket_id", sa.Text, sa.ForeignKey("tickets.id"), nullable=False),
    sa.Column("sender", sa.Text, nullable=False),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("errcode", sa.Integer),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("via", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Index("staff_replies_sender", "sender", "state"),
)
feedback = _log_table(
    "feedback",
    sa.Column("sender", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("answer", sa.Text),
    sa.Column("useful", sa.Integer, nullable=False),
    sa.Column("intent", sa.Text),
    sa.Column("time", sa.Text, nullable=False),
)
fallback_log = _log_table(
    "fallback_log",
    sa.Column("sender", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("time", sa.Text, nullable=False),
)


class UnsupportedDatabase(HelpdeskError, ValueError):
    """The ticket store URL names a database other than SQLite or PostgreSQL."""


def sqlite_url(path: Path) -> sa.engine.URL:
    """The SQLAlchemy URL of a SQLite file."""
    return sa.engine.URL.create("sqlite", database=str(Path(path).resolve()))


def create_engine(url: Any) -> Engine:
    """An engine for a SQLite file or a PostgreSQL database, with the tables created."""
    url = sa.engine.make_url(url)
    if url.get_backend_name() == "sqlite":
        # Autocommit driver: `write` issues BEGIN IMMEDIATE itself (pysqlite would begin lazily,
        # taking the write lock only at the first INSERT). Connections are kept in a pool, one
        # thread at a time each: SQLAlchemy 1.4 would open one per use for a file, which made
        # `active_ticket` (twice per chat message) three times slower.
        engine = sa.create_engine(url, future=True, poolclass=sa.pool.QueuePool,
                                  connect_args={"timeout": 15.0, "isolation_level": None, "check_same_thread": False})
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    elif url.get_backend_name() == "postgresql":
        # pre_ping: a pooled connection that a PostgreSQL restart cut is replaced, not used.
        engine = sa.create_engine(url, future=True, pool_pre_ping=True)
    else:
        raise UnsupportedDatabase(f"工单库只支持 SQLite 或 PostgreSQL，不支持 {url.get_backend_name()}")
    # Under the write lock, so processes starting at once do not race to create the same table.
    with write(engine) as conn:
        metadata.create_all(conn)
    return engine


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the store's write lock from its first statement."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITE_LOCK_KEY)))
        yield conn
