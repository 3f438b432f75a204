"""Tickets, staff users, tokens, audit log, feedback and fallback log, in SQL.

The gateway (staff API, human takeover) and the action servers (ticket creation,
feedback) are separate processes writing the same database, so:

- by default it is one SQLite file in WAL mode (readers never block the writer); in
  scale-out mode (``ticket_store_url``) a PostgreSQL database, shared across machines;
- one implementation (SQLAlchemy Core) runs on both; `bot.helpdesk.sql` holds the tables
  and the little that differs between the two;
- every write holds the store's write lock from its first statement, so ticket numbers
  and "consume once" queues are decided by one process at a time;
- the transcript is a table of its own, so appending a line never rewrites the ticket.

Everything else codes against the `TicketStore` protocol; `default_store()` gives the
store the settings name.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import (
    Any,
    Callable,
    ContextManager,
    Dict,
    List,
    Literal,
    Mapping,
    Optional,
    Protocol,
    Tuple,
    get_args,
)

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.helpdesk import sql
from bot.helpdesk.errors import (
    InvalidTriage,
    StaffUserExists,
    StaffUserNotFound,
    TicketConflict,
    TicketNotFound,
)

# A ticket's category, urgency and status: the types (the staff API validates against them)
# and their values in order (the console's choices).
Category = Literal["咨询", "申报", "资金拨付", "投诉", "其他"]
Urgency = Literal["低", "中", "高"]
Status = Literal["open", "claimed", "resolved"]
CATEGORIES: Tuple[str, ...] = get_args(Category)
URGENCIES: Tuple[str, ...] = get_args(Urgency)
STATUSES: Tuple[str, ...] = get_args(Status)
CHANNELS = ("web", "wechat", "wecom")
SPEAKERS = ("user", "bot", "staff")
# Delivery states of a message to a WeChat/WeCom user (see `sql.staff_replies`).
DELIVERY_STATES = ("sent", "waiting", "failed")

Clock = Callable[[], datetime]

# scrypt cost: ~50 ms per check on one core; slow enough to make guessing stolen hashes costly.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


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
    deliveries: List[Dict[str, Any]] = field(default_factory=list)  # messages sent to a WeChat/WeCom user

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
    """What the helpdesk needs from storage (`SqlTicketStore`: SQLite by default, or PostgreSQL)."""

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
    def record_delivery(self, ticket_id: str, sender: str, channel: str, text: str, state: str,
                        errcode: Optional[int] = None, detail: str = "", via: str = "") -> int: ...
    def update_delivery(self, seq: int, state: str, errcode: Optional[int] = None, detail: str = "",
                        via: str = "") -> None: ...
    def take_undelivered(self, sender: str, via: str) -> List[Dict[str, Any]]: ...
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


class SqlTicketStore:
    """`TicketStore` on SQL: one SQLite file or one PostgreSQL database, shared by the gateway
    and the action servers (see `bot.helpdesk.sql` for how writes are serialised).

    Example: ``SqlTicketStore("postgresql://policybot:pw@127.0.0.1:5432/policybot")``.
    """

    def __init__(self, url: Any, clock: Optional[Clock] = None) -> None:
        self.engine = sql.create_engine(url)
        self.clock: Clock = clock or _local_now

    # -- plumbing ---------------------------------------------------------------------------

    def _read(self) -> ContextManager[Connection]:
        return self.engine.connect()

    def _write(self) -> ContextManager[Connection]:
        """A transaction that holds the write lock from its first statement."""
        return sql.write(self.engine)

    def _now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    # -- tickets ----------------------------------------------------------------------------

    def create_ticket(self, new: NewTicket) -> Ticket:
        """Store a new ticket with the next number of the day, e.g. ``T20261122-0001``."""
        _check_triage(new.category, new.urgency)
        now = self._now()
        with self._write() as conn:
            ticket_id = self._next_ticket_id(conn)
            conn.execute(sql.tickets.insert().values(
                id=ticket_id, sender=new.sender, channel=new.channel, status="open", category=new.category,
                department=new.department, urgency=new.urgency, triage_explanation=new.triage_explanation,
                intent=new.intent, facts=_dump(new.facts), eligibility_trace=_dump(new.eligibility_trace),
                created_at=now, updated_at=now, claimed_by=None,
            ))
            for entry in new.transcript:
                _insert_transcript(conn, ticket_id, entry)
            _insert_history(conn, ticket_id, "bot", f"创建工单（{new.category}，{new.urgency}）", now)
        return self.get_ticket(ticket_id)

    def _next_ticket_id(self, conn: Connection) -> str:
        # Safe only under the write lock: no other writer can take the same number meanwhile
        # (and the primary key would refuse a duplicate rather than lose a ticket).
        prefix = "T" + self.clock().strftime("%Y%m%d") + "-"
        count = conn.execute(sa.select(sa.func.count()).select_from(sql.tickets)
                             .where(sql.tickets.c.id.like(prefix + "%"))).scalar_one()
        return f"{prefix}{count + 1:04d}"

    def get_ticket(self, ticket_id: str) -> Ticket:
        """The ticket with its transcript and history; `TicketNotFound` if there is none."""
        with self._read() as conn:
            ticket = _ticket_from_row(_require_ticket(conn, ticket_id))
            lines = conn.execute(sa.select(sql.transcript).where(sql.transcript.c.ticket_id == ticket_id)
                                 .order_by(sql.transcript.c.seq)).mappings()
            ticket.transcript = [TranscriptEntry(r["who"], r["text"], r["time"], r["via"]) for r in lines]
            events = conn.execute(sa.select(sql.ticket_history).where(sql.ticket_history.c.ticket_id == ticket_id)
                                  .order_by(sql.ticket_history.c.seq)).mappings()
            ticket.history = [{"who": r["who"], "what": r["what"], "time": r["time"]} for r in events]
            ticket.deliveries = [_delivery(r) for r in conn.execute(
                sa.select(sql.staff_replies).where(sql.staff_replies.c.ticket_id == ticket_id)
                .order_by(sql.staff_replies.c.seq)).mappings()]
        return ticket

    def list_tickets(self, status: Optional[str] = None, category: Optional[str] = None,
                     department: Optional[str] = None, visible_to: Optional[str] = None) -> List[Ticket]:
        """Tickets, newest first, without transcripts; `visible_to` limits to one department plus unassigned."""
        t = sql.tickets
        query = sa.select(t).order_by(t.c.created_at.desc(), t.c.id.desc())
        for column, value in ((t.c.status, status), (t.c.category, category), (t.c.department, department)):
            if value:
                query = query.where(column == value)
        if visible_to:
            query = query.where(sa.or_(t.c.department.is_(None), t.c.department == visible_to))
        with self._read() as conn:
            return [_ticket_from_row(row) for row in conn.execute(query).mappings()]

    def active_ticket(self, sender: str) -> Optional[Ticket]:
        """The sender's newest ticket that is still open or claimed, if any."""
        t = sql.tickets
        with self._read() as conn:
            ticket_id = conn.execute(
                sa.select(t.c.id).where(t.c.sender == sender, t.c.status.in_(("open", "claimed")))
                .order_by(t.c.created_at.desc(), t.c.id.desc()).limit(1)).scalar()
        return self.get_ticket(ticket_id) if ticket_id else None

    def append_transcript(self, ticket_id: str, who: str, text: str, via: str = "gateway") -> None:
        """Add one line to the ticket's conversation."""
        if who not in SPEAKERS:
            raise ValueError(f"unknown speaker {who!r}")
        now = self._now()
        with self._write() as conn:
            _require_ticket(conn, ticket_id)
            _insert_transcript(conn, ticket_id, TranscriptEntry(who, text, now, via))
            _update_ticket(conn, ticket_id, updated_at=now)

    def update_facts(self, ticket_id: str, facts: Dict[str, Any], eligibility_trace: Any = None) -> None:
        """Replace the facts (and the trace, when one is given) with what the bot knows now."""
        changes = {"facts": _dump(facts), "updated_at": self._now()}
        if eligibility_trace is not None:
            changes["eligibility_trace"] = _dump(eligibility_trace)
        with self._write() as conn:
            _require_ticket(conn, ticket_id)
            _update_ticket(conn, ticket_id, **changes)

    def claim(self, ticket_id: str, username: str) -> Ticket:
        """Give the ticket to `username`; the bot falls silent in that conversation."""
        now = self._now()
        with self._write() as conn:
            row = _require_ticket(conn, ticket_id)
            if row["status"] == "resolved":
                raise TicketConflict("工单已办结，不能认领")
            if row["status"] == "claimed" and row["claimed_by"] != username:
                raise TicketConflict(f"工单已由 {row['claimed_by']} 认领")
            _update_ticket(conn, ticket_id, status="claimed", claimed_by=username, updated_at=now)
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
            _update_ticket(conn, ticket_id, status="resolved", updated_at=now)
            _insert_history(conn, ticket_id, username, "办结工单，交还助手", now)
        return self.get_ticket(ticket_id)

    def set_triage(self, ticket_id: str, username: str, category: str,
                   department: Optional[str], urgency: str) -> Ticket:
        """Staff correct the suggested category, department or urgency."""
        _check_triage(category, urgency)
        now = self._now()
        with self._write() as conn:
            row = _require_ticket(conn, ticket_id)
            _update_ticket(conn, ticket_id, category=category, department=department, urgency=urgency,
                           updated_at=now)
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
        users = sql.staff_users
        with self._write() as conn:
            if conn.execute(sa.select(users.c.username).where(users.c.username == username)).first():
                raise StaffUserExists(f"用户 {username} 已存在")
            conn.execute(users.insert().values(username=username, department=department, password_hash=hashed,
                                               created_at=self._now()))
        return self._staff(username)

    def remove_staff(self, username: str) -> None:
        """Delete a staff user and every token they hold."""
        with self._write() as conn:
            if conn.execute(sql.staff_users.delete().where(sql.staff_users.c.username == username)).rowcount == 0:
                raise StaffUserNotFound(f"没有用户 {username}")
            conn.execute(sql.staff_tokens.delete().where(sql.staff_tokens.c.username == username))

    def list_staff(self) -> List[StaffUser]:
        users = sql.staff_users
        with self._read() as conn:
            rows = conn.execute(sa.select(users.c.username, users.c.department, users.c.created_at)
                                .order_by(users.c.username))
            return [StaffUser(*row) for row in rows]

    def _staff(self, username: str) -> Optional[StaffUser]:
        users = sql.staff_users
        with self._read() as conn:
            row = conn.execute(sa.select(users.c.username, users.c.department, users.c.created_at)
                               .where(users.c.username == username)).first()
        return StaffUser(*row) if row else None

    def verify_password(self, username: str, password: str) -> Optional[StaffUser]:
        """The user when the password is right, else None."""
        users = sql.staff_users
        with self._read() as conn:
            stored = conn.execute(sa.select(users.c.password_hash).where(users.c.username == username)).scalar()
        if stored is None:
            hash_password(password)  # same work as a real check, so timing does not reveal user names
            return None
        return self._staff(username) if password_matches(password, stored) else None

    def issue_token(self, username: str, ttl_s: int) -> Tuple[str, float]:
        """A new random bearer token and its expiry (epoch seconds); only its hash is stored."""
        token = secrets.token_urlsafe(32)
        expires_at = self.clock().timestamp() + ttl_s
        tokens = sql.staff_tokens
        with self._write() as conn:
            conn.execute(tokens.delete().where(tokens.c.expires_at <= self.clock().timestamp()))
            conn.execute(tokens.insert().values(token_hash=_token_hash(token), username=username,
                                                expires_at=expires_at, created_at=self._now()))
        return token, expires_at

    def user_for_token(self, token: str) -> Optional[StaffUser]:
        """The staff user holding this unexpired token, else None."""
        tokens = sql.staff_tokens
        with self._read() as conn:
            row = conn.execute(sa.select(tokens.c.username, tokens.c.expires_at)
                               .where(tokens.c.token_hash == _token_hash(token))).first()
        if row is None or row.expires_at <= self.clock().timestamp():
            return None
        return self._staff(row.username)

    def revoke_token(self, token: str) -> None:
        with self._write() as conn:
            conn.execute(sql.staff_tokens.delete().where(sql.staff_tokens.c.token_hash == _token_hash(token)))

    # -- audit ------------------------------------------------------------------------------

    def audit(self, username: str, action: str, ticket_id: Optional[str] = None, detail: str = "") -> None:
        """Record one staff action: who, what, on which ticket, when."""
        with self._write() as conn:
            conn.execute(sql.audit_log.insert().values(username=username, action=action, ticket_id=ticket_id,
                                                       detail=detail, time=self._now()))

    def audit_log(self, limit: int = 100) -> List[Dict[str, Any]]:
        """Newest staff actions first."""
        with self._read() as conn:
            rows = conn.execute(sa.select(sql.audit_log).order_by(sql.audit_log.c.seq.desc()).limit(limit))
            return [dict(row) for row in rows.mappings()]

    # -- outbox: staff messages waiting for the web chat to fetch them -----------------------

    def queue_message(self, sender: str, message: Dict[str, Any]) -> None:
        with self._write() as conn:
            conn.execute(sql.outbox.insert().values(sender=sender, message=_dump(message), created_at=self._now()))

    def take_messages(self, sender: str) -> List[Dict[str, Any]]:
        """The sender's queued messages, oldest first; each is handed out exactly once."""
        box = sql.outbox
        with self._write() as conn:
            rows = conn.execute(sa.select(box.c.seq, box.c.message).where(box.c.sender == sender)
                                .order_by(box.c.seq)).all()
            conn.execute(box.delete().where(box.c.sender == sender, box.c.seq <= (rows[-1].seq if rows else -1)))
        return [json.loads(row.message) for row in rows]

    # -- messages to WeChat/WeCom users and how far they got ---------------------------------

    def record_delivery(self, ticket_id: str, sender: str, channel: str, text: str, state: str,
                        errcode: Optional[int] = None, detail: str = "", via: str = "") -> int:
        """Note a message sent (or not yet) to the ticket's user; returns its number."""
        _check_delivery_state(state)
        now = self._now()
        with self._write() as conn:
            return int(conn.execute(sql.staff_replies.insert().values(
                ticket_id=ticket_id, sender=sender, channel=channel, text=text, state=state, errcode=errcode,
                detail=detail, via=via, created_at=now, updated_at=now)).inserted_primary_key[0])

    def update_delivery(self, seq: int, state: str, errcode: Optional[int] = None, detail: str = "",
                        via: str = "") -> None:
        _check_delivery_state(state)
        with self._write() as conn:
            conn.execute(sql.staff_replies.update().where(sql.staff_replies.c.seq == seq).values(
                state=state, errcode=errcode, detail=detail, via=via, updated_at=self._now()))

    def take_undelivered(self, sender: str, via: str) -> List[Dict[str, Any]]:
        """The sender's waiting and failed messages, oldest first, now marked sent ``via``
        (the caller delivers them); each is handed out once."""
        box = sql.staff_replies
        with self._write() as conn:
            rows = conn.execute(sa.select(box).where(box.c.sender == sender, box.c.state.in_(("waiting", "failed")))
                                .order_by(box.c.seq)).mappings().all()
            if rows:
                conn.execute(box.update().where(box.c.seq.in_([r["seq"] for r in rows])).values(
                    state="sent", via=via, updated_at=self._now()))
        return [_delivery(r) for r in rows]

    # -- what policy staff use to improve the knowledge base --------------------------------

    def record_feedback(self, sender: str, message: str, useful: bool,
                        intent: Optional[str] = None, answer: Optional[str] = None) -> None:
        """Store a 有用/没用 vote on the answer to `message` (the user's question)."""
        with self._write() as conn:
            conn.execute(sql.feedback.insert().values(sender=sender, message=message.strip(), answer=answer,
                                                      useful=int(useful), intent=intent, time=self._now()))

    def log_fallback(self, sender: str, text: str) -> None:
        """Store a question the bot could only answer with its fallback."""
        with self._write() as conn:
            conn.execute(sql.fallback_log.insert().values(sender=sender, text=text.strip(), time=self._now()))

    def report(self, limit: int = 10) -> Dict[str, List[Tuple[str, int]]]:
        """Most frequent fallback questions, questions marked 没用, and ticket categories."""
        queries = {
            "fallback": _most_frequent(sql.fallback_log.c.text, limit),
            "unhelpful": _most_frequent(sql.feedback.c.message, limit).where(sql.feedback.c.useful == 0),
            "categories": _most_frequent(sql.tickets.c.category, limit),
        }
        with self._read() as conn:
            return {name: [(row[0], row[1]) for row in conn.execute(query)] for name, query in queries.items()}


class SqliteTicketStore(SqlTicketStore):
    """`SqlTicketStore` on one SQLite file (WAL mode: readers never block the writer)."""

    def __init__(self, path: Path, clock: Optional[Clock] = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(sql.sqlite_url(self.path), clock)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _check_delivery_state(state: str) -> None:
    if state not in DELIVERY_STATES:
        raise ValueError(f"unknown delivery state {state!r}")


def _delivery(row: Mapping[str, Any]) -> Dict[str, Any]:
    return {key: row[key] for key in ("seq", "text", "state", "errcode", "detail", "via", "created_at", "updated_at")}


def _check_triage(category: str, urgency: str) -> None:
    if category not in CATEGORIES:
        raise InvalidTriage(f"类别应为 {'/'.join(CATEGORIES)} 之一")
    if urgency not in URGENCIES:
        raise InvalidTriage(f"紧急程度应为 {'/'.join(URGENCIES)} 之一")


def _most_frequent(column: sa.Column, limit: int) -> sa.sql.Select:
    """``(value, count)`` of `column`, most frequent first (ties alphabetically)."""
    n = sa.func.count().label("n")
    return sa.select(column, n).group_by(column).order_by(n.desc(), column).limit(limit)


def _require_ticket(conn: Connection, ticket_id: str) -> sa.engine.RowMapping:
    row = conn.execute(sa.select(sql.tickets).where(sql.tickets.c.id == ticket_id)).mappings().first()
    if row is None:
        raise TicketNotFound(f"没有编号为 {ticket_id} 的工单")
    return row


def _update_ticket(conn: Connection, ticket_id: str, **changes: Any) -> None:
    conn.execute(sql.tickets.update().where(sql.tickets.c.id == ticket_id).values(**changes))


def _insert_transcript(conn: Connection, ticket_id: str, entry: TranscriptEntry) -> None:
    conn.execute(sql.transcript.insert().values(ticket_id=ticket_id, who=entry.who, text=entry.text,
                                                time=entry.time, via=entry.via))


def _insert_history(conn: Connection, ticket_id: str, who: str, what: str, now: str) -> None:
    conn.execute(sql.ticket_history.insert().values(ticket_id=ticket_id, who=who, what=what, time=now))


def _ticket_from_row(row: Mapping[str, Any]) -> Ticket:
    return Ticket(
        id=row["id"], sender=row["sender"], channel=row["channel"], status=row["status"],
        category=row["category"], department=row["department"], urgency=row["urgency"],
        triage_explanation=row["triage_explanation"] or "", intent=row["intent"],
        facts=json.loads(row["facts"]), eligibility_trace=json.loads(row["eligibility_trace"] or "null"),
        created_at=row["created_at"], updated_at=row["updated_at"], claimed_by=row["claimed_by"],
    )


_stores: Dict[str, SqlTicketStore] = {}


def default_store() -> SqlTicketStore:
    """The store the settings name (one object per database): PostgreSQL (or any URL) from
    ``ticket_store_url``, else the SQLite file ``<data_dir>/helpdesk.sqlite``."""
    from bot.settings import get_settings

    settings = get_settings()
    key = settings.ticket_store_url or str(Path(settings.data_dir) / "helpdesk.sqlite")
    if key not in _stores:
        _stores[key] = SqlTicketStore(key) if settings.ticket_store_url else SqliteTicketStore(Path(key))
    return _stores[key]
