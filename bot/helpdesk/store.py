"""Tickets, staff users, tokens, audit log, feedback and fallback log, in SQLite.

The gateway (staff API, human takeover) and the action server (ticket creation,
feedback) are separate processes writing the same file, so:

- the database runs in WAL mode (readers never block the writer);
- every operation opens its own short connection (safe across threads and processes);
- every write runs in ``BEGIN IMMEDIATE`` so ticket numbers and "consume once"
  queues are decided under SQLite's write lock, never by two processes at once;
- the transcript is a table of its own, so appending a line never rewrites the ticket.

Everything else codes against the `TicketStore` protocol; `default_store()` gives the
SQLite store at ``<data_dir>/helpdesk.sqlite``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Protocol, Tuple

from bot.helpdesk.errors import (
    InvalidTriage,
    StaffUserExists,
    StaffUserNotFound,
    TicketConflict,
    TicketNotFound,
)

CATEGORIES = ("咨询", "申报", "资金拨付", "投诉", "其他")
URGENCIES = ("低", "中", "高")
STATUSES = ("open", "claimed", "resolved")
CHANNELS = ("web", "wechat", "wecom")
SPEAKERS = ("user", "bot", "staff")

Clock = Callable[[], datetime]

# scrypt cost: ~50 ms per check on one core; slow enough to make guessing stolen hashes costly.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY, sender TEXT NOT NULL, channel TEXT NOT NULL, status TEXT NOT NULL,
    category TEXT NOT NULL, department TEXT, urgency TEXT NOT NULL, triage_explanation TEXT,
    intent TEXT, facts TEXT NOT NULL, eligibility_trace TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, claimed_by TEXT
);
CREATE INDEX IF NOT EXISTS tickets_sender ON tickets(sender, status);
CREATE TABLE IF NOT EXISTS transcript (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id TEXT NOT NULL REFERENCES tickets(id),
    who TEXT NOT NULL, text TEXT NOT NULL, time TEXT NOT NULL, via TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS transcript_ticket ON transcript(ticket_id, seq);
CREATE TABLE IF NOT EXISTS ticket_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id TEXT NOT NULL REFERENCES tickets(id),
    who TEXT NOT NULL, what TEXT NOT NULL, time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS staff_users (
    username TEXT PRIMARY KEY, department TEXT, password_hash TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS staff_tokens (
    token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, expires_at REAL NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL, action TEXT NOT NULL,
    ticket_id TEXT, detail TEXT, time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, message TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_sender ON outbox(sender, seq);
CREATE TABLE IF NOT EXISTS feedback (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, message TEXT NOT NULL,
    answer TEXT, useful INTEGER NOT NULL, intent TEXT, time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fallback_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, text TEXT NOT NULL, time TEXT NOT NULL
);
"""


@dataclass
class TranscriptEntry:
    """One line of the conversation: who said it (user/bot/staff), what, when, and who wrote it down."""

    who: str
    text: str
    time: str
    via: str = "gateway"


@dataclass
class NewTicket:
    """What the bot knows when it opens a ticket."""

    sender: str
    channel: str = "web"
    category: str = "其他"
    department: Optional[str] = None
    urgency: str = "中"
    triage_explanation: str = ""
    intent: Optional[str] = None
    facts: Dict[str, Any] = field(default_factory=dict)
    eligibility_trace: Any = None
    transcript: List[TranscriptEntry] = field(default_factory=list)


@dataclass
class Ticket:
    """A ticket as staff see it."""

    id: str
    sender: str
    channel: str
    status: str
    category: str
    department: Optional[str]
    urgency: str
    triage_explanation: str
    intent: Optional[str]
    facts: Dict[str, Any]
    eligibility_trace: Any
    created_at: str
    updated_at: str
    claimed_by: Optional[str]
    transcript: List[TranscriptEntry] = field(default_factory=list)
    history: List[Dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready form (the staff API's ticket shape)."""
        return asdict(self)


@dataclass
class StaffUser:
    """A helpdesk staff member; ``department=None`` sees every department."""

    username: str
    department: Optional[str]
    created_at: str

    def can_act_on(self, ticket: Ticket) -> bool:
        """Departmental staff act on their department's tickets and on those not yet assigned."""
        return self.department is None or ticket.department in (None, self.department)


class TicketStore(Protocol):
    """What the helpdesk needs from storage (SQLite by default)."""

    def create_ticket(self, new: NewTicket) -> Ticket: ...
    def get_ticket(self, ticket_id: str) -> Ticket: ...
    def list_tickets(self, status: Optional[str] = None, category: Optional[str] = None,
                     department: Optional[str] = None, visible_to: Optional[str] = None) -> List[Ticket]: ...
    def active_ticket(self, sender: str) -> Optional[Ticket]: ...
    def append_transcript(self, ticket_id: str, who: str, text: str, via: str = "gateway") -> None: ...
    def update_facts(self, ticket_id: str, facts: Dict[str, Any], eligibility_trace: Any = None) -> None: ...
    def add_history(self, ticket_id: str, who: str, what: str) -> None: ...
    def claim(self, ticket_id: str, username: str) -> Ticket: ...
    def resolve(self, ticket_id: str, username: str) -> Ticket: ...
    def set_triage(self, ticket_id: str, username: str, category: str,
                   department: Optional[str], urgency: str) -> Ticket: ...
    def add_staff(self, username: str, password: str, department: Optional[str] = None) -> StaffUser: ...
    def remove_staff(self, username: str) -> None: ...
    def list_staff(self) -> List[StaffUser]: ...
    def verify_password(self, username: str, password: str) -> Optional[StaffUser]: ...
    def issue_token(self, username: str, ttl_s: int) -> Tuple[str, float]: ...
    def user_for_token(self, token: str) -> Optional[StaffUser]: ...
    def revoke_token(self, token: str) -> None: ...
    def audit(self, username: str, action: str, ticket_id: Optional[str] = None, detail: str = "") -> None: ...
    def audit_log(self, limit: int = 100) -> List[Dict[str, Any]]: ...
    def queue_message(self, sender: str, message: Dict[str, Any]) -> None: ...
    def take_messages(self, sender: str) -> List[Dict[str, Any]]: ...
    def record_feedback(self, sender: str, message: str, useful: bool,
                        intent: Optional[str] = None, answer: Optional[str] = None) -> None: ...
    def log_fallback(self, sender: str, text: str) -> None: ...
    def report(self, limit: int = 10) -> Dict[str, List[Tuple[str, int]]]: ...


def hash_password(password: str, salt: Optional[bytes] = None) -> str:
    """A salted scrypt hash, e.g. ``scrypt:16384:8:1:<salt hex>:<hash hex>``."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt:{_SCRYPT_N}:{_SCRYPT_R}:{_SCRYPT_P}:{salt.hex()}:{digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Check a password against `hash_password` output in constant time."""
    scheme, n, r, p, salt_hex, digest_hex = stored.split(":")
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt_hex),
                            n=int(n), r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(digest.hex(), digest_hex)


def _token_hash(token: str) -> str:
    # Tokens are long random strings, so a fast hash suffices: it only hides them at rest.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _local_now() -> datetime:
    return datetime.now().astimezone()


class SqliteTicketStore:
    """`TicketStore` on one SQLite file shared by the gateway and the action server."""

    def __init__(self, path: Path, clock: Optional[Clock] = None) -> None:
        self.path = Path(path)
        self.clock: Clock = clock or _local_now
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=15.0, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout=15000")
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A transaction that holds the write lock from its first statement."""
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    # -- tickets ----------------------------------------------------------------------------

    def create_ticket(self, new: NewTicket) -> Ticket:
        """Store a new ticket with the next number of the day, e.g. ``T20261122-0001``."""
        _check_triage(new.category, new.urgency)
        now = self._now()
        with self._write() as conn:
            ticket_id = self._next_ticket_id(conn)
            conn.execute(
                "INSERT INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (ticket_id, new.sender, new.channel, "open", new.category, new.department, new.urgency,
                 new.triage_explanation, new.intent, _dump(new.facts), _dump(new.eligibility_trace),
                 now, now, None),
            )
            for entry in new.transcript:
                _insert_transcript(conn, ticket_id, entry)
            _insert_history(conn, ticket_id, "bot", f"创建工单（{new.category}，{new.urgency}）", now)
        return self.get_ticket(ticket_id)

    def _next_ticket_id(self, conn: sqlite3.Connection) -> str:
        prefix = "T" + self.clock().strftime("%Y%m%d") + "-"
        row = conn.execute("SELECT COUNT(*) FROM tickets WHERE id LIKE ?", (prefix + "%",)).fetchone()
        return f"{prefix}{row[0] + 1:04d}"

    def get_ticket(self, ticket_id: str) -> Ticket:
        """The ticket with its transcript and history; `TicketNotFound` if there is none."""
        with self._connection() as conn:
            row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
            if row is None:
                raise TicketNotFound(f"没有编号为 {ticket_id} 的工单")
            ticket = _ticket_from_row(row)
            ticket.transcript = [
                TranscriptEntry(r["who"], r["text"], r["time"], r["via"])
                for r in conn.execute("SELECT * FROM transcript WHERE ticket_id = ? ORDER BY seq", (ticket_id,))
            ]
            ticket.history = [
                {"who": r["who"], "what": r["what"], "time": r["time"]}
                for r in conn.execute("SELECT * FROM ticket_history WHERE ticket_id = ? ORDER BY seq", (ticket_id,))
            ]
        return ticket

    def list_tickets(self, status: Optional[str] = None, category: Optional[str] = None,
                     department: Optional[str] = None, visible_to: Optional[str] = None) -> List[Ticket]:
        """Tickets, newest first, without transcripts; `visible_to` limits to one department plus unassigned."""
        where, args = ["1=1"], []
        for column, value in (("status", status), ("category", category), ("department", department)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        if visible_to:
            where.append("(department IS NULL OR department = ?)")
            args.append(visible_to)
        sql = f"SELECT * FROM tickets WHERE {' AND '.join(where)} ORDER BY created_at DESC, id DESC"
        with self._connection() as conn:
            return [_ticket_from_row(row) for row in conn.execute(sql, args)]

    def active_ticket(self, sender: str) -> Optional[Ticket]:
        """The sender's newest ticket that is still open or claimed, if any."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT id FROM tickets WHERE sender = ? AND status IN ('open','claimed') "
                "ORDER BY created_at DESC, id DESC LIMIT 1", (sender,)).fetchone()
        return self.get_ticket(row["id"]) if row else None

    def append_transcript(self, ticket_id: str, who: str, text: str, via: str = "gateway") -> None:
        """Add one line to the ticket's conversation."""
        if who not in SPEAKERS:
            raise ValueError(f"unknown speaker {who!r}")
        now = self._now()
        with self._write() as conn:
            _require_ticket(conn, ticket_id)
            _insert_transcript(conn, ticket_id, TranscriptEntry(who, text, now, via))
            conn.execute("UPDATE tickets SET updated_at = ? WHERE id = ?", (now, ticket_id))

    def update_facts(self, ticket_id: str, facts: Dict[str, Any], eligibility_trace: Any = None) -> None:
        """Replace the facts (and the trace, when one is given) with what the bot knows now."""
        now = self._now()
        with self._write() as conn:
            _require_ticket(conn, ticket_id)
            conn.execute("UPDATE tickets SET facts = ?, updated_at = ? WHERE id = ?", (_dump(facts), now, ticket_id))
            if eligibility_trace is not None:
                conn.execute("UPDATE tickets SET eligibility_trace = ? WHERE id = ?",
                             (_dump(eligibility_trace), ticket_id))

    def claim(self, ticket_id: str, username: str) -> Ticket:
        """Give the ticket to `username`; the bot falls silent in that conversation."""
        now = self._now()
        with self._write() as conn:
            row = _require_ticket(conn, ticket_id)
            if row["status"] == "resolved":
                raise TicketConflict("工单已办结，不能认领")
            if row["status"] == "claimed" and row["claimed_by"] != username:
                raise TicketConflict(f"工单已由 {row['claimed_by']} 认领")
            conn.execute("UPDATE tickets SET status='claimed', claimed_by=?, updated_at=? WHERE id=?",
                         (username, now, ticket_id))
            _insert_history(conn, ticket_id, username, "认领工单", now)
        return self.get_ticket(ticket_id)

    def resolve(self, ticket_id: str, username: str) -> Ticket:
        """Close the ticket; the conversation goes back to the bot."""
        now = self._now()
        with self._write() as conn:
            row = _require_ticket(conn, ticket_id)
            if row["status"] == "resolved":
                raise TicketConflict("工单已办结")
            if row["status"] == "claimed" and row["claimed_by"] != username:
                raise TicketConflict(f"工单已由 {row['claimed_by']} 认领，只能由其办结")
            conn.execute("UPDATE tickets SET status='resolved', updated_at=? WHERE id=?", (now, ticket_id))
            _insert_history(conn, ticket_id, username, "办结工单，交还助手", now)
        return self.get_ticket(ticket_id)

    def set_triage(self, ticket_id: str, username: str, category: str,
                   department: Optional[str], urgency: str) -> Ticket:
        """Staff correct the suggested category, department or urgency."""
        _check_triage(category, urgency)
        now = self._now()
        with self._write() as conn:
            row = _require_ticket(conn, ticket_id)
            conn.execute("UPDATE tickets SET category=?, department=?, urgency=?, updated_at=? WHERE id=?",
                         (category, department, urgency, now, ticket_id))
            what = (f"修改分类：{row['category']}→{category}，部门：{row['department'] or '未定'}→"
                    f"{department or '未定'}，紧急程度：{row['urgency']}→{urgency}")
            _insert_history(conn, ticket_id, username, what, now)
        return self.get_ticket(ticket_id)

    def add_history(self, ticket_id: str, who: str, what: str) -> None:
        """Note something that happened to the ticket (e.g. a reply was delivered)."""
        with self._write() as conn:
            _require_ticket(conn, ticket_id)
            _insert_history(conn, ticket_id, who, what, self._now())

    # -- staff users and tokens -------------------------------------------------------------

    def add_staff(self, username: str, password: str, department: Optional[str] = None) -> StaffUser:
        """Create a staff user; the password is stored only as a salted scrypt hash."""
        if not username.strip() or not password:
            raise ValueError("用户名和密码不能为空")
        hashed = hash_password(password)
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM staff_users WHERE username=?", (username,)).fetchone():
                raise StaffUserExists(f"用户 {username} 已存在")
            conn.execute("INSERT INTO staff_users VALUES (?,?,?,?)", (username, department, hashed, self._now()))
        return self._staff(username)

    def remove_staff(self, username: str) -> None:
        """Delete a staff user and every token they hold."""
        with self._write() as conn:
            if conn.execute("DELETE FROM staff_users WHERE username=?", (username,)).rowcount == 0:
                raise StaffUserNotFound(f"没有用户 {username}")
            conn.execute("DELETE FROM staff_tokens WHERE username=?", (username,))

    def list_staff(self) -> List[StaffUser]:
        with self._connection() as conn:
            rows = conn.execute("SELECT username, department, created_at FROM staff_users ORDER BY username")
            return [StaffUser(r["username"], r["department"], r["created_at"]) for r in rows]

    def _staff(self, username: str) -> Optional[StaffUser]:
        with self._connection() as conn:
            r = conn.execute("SELECT username, department, created_at FROM staff_users WHERE username=?",
                             (username,)).fetchone()
        return StaffUser(r["username"], r["department"], r["created_at"]) if r else None

    def verify_password(self, username: str, password: str) -> Optional[StaffUser]:
        """The user when the password is right, else None."""
        with self._connection() as conn:
            row = conn.execute("SELECT password_hash FROM staff_users WHERE username=?", (username,)).fetchone()
        if row is None:
            hash_password(password)  # same work as a real check, so timing does not reveal user names
            return None
        return self._staff(username) if password_matches(password, row["password_hash"]) else None

    def issue_token(self, username: str, ttl_s: int) -> Tuple[str, float]:
        """A new random bearer token and its expiry (epoch seconds); only its hash is stored."""
        token = secrets.token_urlsafe(32)
        expires_at = self.clock().timestamp() + ttl_s
        with self._write() as conn:
            conn.execute("DELETE FROM staff_tokens WHERE expires_at <= ?", (self.clock().timestamp(),))
            conn.execute("INSERT INTO staff_tokens VALUES (?,?,?,?)",
                         (_token_hash(token), username, expires_at, self._now()))
        return token, expires_at

    def user_for_token(self, token: str) -> Optional[StaffUser]:
        """The staff user holding this unexpired token, else None."""
        with self._connection() as conn:
            row = conn.execute("SELECT username, expires_at FROM staff_tokens WHERE token_hash=?",
                               (_token_hash(token),)).fetchone()
        if row is None or row["expires_at"] <= self.clock().timestamp():
            return None
        return self._staff(row["username"])

    def revoke_token(self, token: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM staff_tokens WHERE token_hash=?", (_token_hash(token),))

    # -- audit ------------------------------------------------------------------------------

    def audit(self, username: str, action: str, ticket_id: Optional[str] = None, detail: str = "") -> None:
        """Record one staff action: who, what, on which ticket, when."""
        with self._write() as conn:
            conn.execute("INSERT INTO audit_log (username, action, ticket_id, detail, time) VALUES (?,?,?,?,?)",
                         (username, action, ticket_id, detail, self._now()))

    def audit_log(self, limit: int = 100) -> List[Dict[str, Any]]:
        """Newest staff actions first."""
        with self._connection() as conn:
            rows = conn.execute("SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?", (limit,))
            return [dict(r) for r in rows]

    # -- outbox: staff messages waiting for the web chat to fetch them -----------------------

    def queue_message(self, sender: str, message: Dict[str, Any]) -> None:
        with self._write() as conn:
            conn.execute("INSERT INTO outbox (sender, message, created_at) VALUES (?,?,?)",
                         (sender, _dump(message), self._now()))

    def take_messages(self, sender: str) -> List[Dict[str, Any]]:
        """The sender's queued messages, oldest first; each is handed out exactly once."""
        with self._write() as conn:
            rows = conn.execute("SELECT seq, message FROM outbox WHERE sender=? ORDER BY seq", (sender,)).fetchall()
            conn.execute("DELETE FROM outbox WHERE sender=? AND seq <= ?",
                         (sender, rows[-1]["seq"] if rows else -1))
        return [json.loads(r["message"]) for r in rows]

    # -- what policy staff use to improve the knowledge base --------------------------------

    def record_feedback(self, sender: str, message: str, useful: bool,
                        intent: Optional[str] = None, answer: Optional[str] = None) -> None:
        """Store a 有用/没用 vote on the answer to `message` (the user's question)."""
        with self._write() as conn:
            conn.execute("INSERT INTO feedback (sender, message, answer, useful, intent, time) VALUES (?,?,?,?,?,?)",
                         (sender, message.strip(), answer, int(useful), intent, self._now()))

    def log_fallback(self, sender: str, text: str) -> None:
        """Store a question the bot could only answer with its fallback."""
        with self._write() as conn:
            conn.execute("INSERT INTO fallback_log (sender, text, time) VALUES (?,?,?)",
                         (sender, text.strip(), self._now()))

    def report(self, limit: int = 10) -> Dict[str, List[Tuple[str, int]]]:
        """Most frequent fallback questions, questions marked 没用, and ticket categories."""
        queries = {
            "fallback": "SELECT text, COUNT(*) n FROM fallback_log GROUP BY text ORDER BY n DESC, text LIMIT ?",
            "unhelpful": "SELECT message, COUNT(*) n FROM feedback WHERE useful=0 "
                         "GROUP BY message ORDER BY n DESC, message LIMIT ?",
            "categories": "SELECT category, COUNT(*) n FROM tickets GROUP BY category ORDER BY n DESC, category LIMIT ?",
        }
        with self._connection() as conn:
            return {name: [(r[0], r[1]) for r in conn.execute(sql, (limit,))] for name, sql in queries.items()}


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _check_triage(category: str, urgency: str) -> None:
    if category not in CATEGORIES:
        raise InvalidTriage(f"类别应为 {'/'.join(CATEGORIES)} 之一")
    if urgency not in URGENCIES:
        raise InvalidTriage(f"紧急程度应为 {'/'.join(URGENCIES)} 之一")


def _require_ticket(conn: sqlite3.Connection, ticket_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    if row is None:
        raise TicketNotFound(f"没有编号为 {ticket_id} 的工单")
    return row


def _insert_transcript(conn: sqlite3.Connection, ticket_id: str, entry: TranscriptEntry) -> None:
    conn.execute("INSERT INTO transcript (ticket_id, who, text, time, via) VALUES (?,?,?,?,?)",
                 (ticket_id, entry.who, entry.text, entry.time, entry.via))


def _insert_history(conn: sqlite3.Connection, ticket_id: str, who: str, what: str, now: str) -> None:
    conn.execute("INSERT INTO ticket_history (ticket_id, who, what, time) VALUES (?,?,?,?)",
                 (ticket_id, who, what, now))


def _ticket_from_row(row: sqlite3.Row) -> Ticket:
    return Ticket(
        id=row["id"], sender=row["sender"], channel=row["channel"], status=row["status"],
        category=row["category"], department=row["department"], urgency=row["urgency"],
        triage_explanation=row["triage_explanation"] or "", intent=row["intent"],
        facts=json.loads(row["facts"]), eligibility_trace=json.loads(row["eligibility_trace"] or "null"),
        created_at=row["created_at"], updated_at=row["updated_at"], claimed_by=row["claimed_by"],
    )


_stores: Dict[Path, SqliteTicketStore] = {}


def default_store() -> SqliteTicketStore:
    """The store at ``<data_dir>/helpdesk.sqlite`` from the settings (one object per path)."""
    from bot.settings import get_settings

    path = Path(get_settings().data_dir) / "helpdesk.sqlite"
    if path not in _stores:
        _stores[path] = SqliteTicketStore(path)
    return _stores[path]
