"""Rasa's SQL tracker store, bounded: a session is loaded as its state plus its last turns.

WeChat users keep one sender id for months. Rasa's ``SQLTrackerStore`` already loads only
the events since the last ``session_started``, but one busy session still grows without
limit, and every turn Rasa replays all of it (policies rebuild the state of each earlier
turn; the action server receives the whole event list). ``BoundedSQLTrackerStore`` loads a
session of more than ``keep_turns`` user turns as: a synthetic session start carrying the
slot values, active form and paused flag reached before those turns, then the last
``keep_turns`` turns as stored. So message 100 of a conversation costs what message 5 does.

The carried state is kept in a checkpoint row per sender (``policybot_checkpoints``: the
state after every event up to ``event_id``), moved forward whenever a load finds more than
``keep_turns`` turns after it; a load therefore reads only the events after the checkpoint,
never the whole session. A checkpoint of an earlier session is ignored (a ``session_started``
after it shows that). Nothing is deleted: the events table keeps every event, and only new
events are appended on save.

The last tracker saved per sender is kept in memory (``cache_size`` senders, least recently
used dropped) and handed back by the next load when nothing else wrote to that sender since
(the newest event id in the table is still the one saved last: another process of a cluster,
or a crash between load and save, makes it load from the database again) and when it is no
longer than a load from the database would make it (at most ``keep_turns`` turns, nothing
added since it was saved). Loading, decoding and replaying the events was ≈15% of a turn.

Configured in ``bot/rasa/endpoints.yml`` as ``type: bot.rasa.tracker_store.BoundedSQLTrackerStore``;
the database URL comes from the settings (``POLICYBOT_TRACKER_STORE_URL``, else SQLite at
``<data_dir>/tracker.db``), so no secret sits in the YAML.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

import sqlalchemy as sa
import sqlalchemy.exc
import sqlalchemy.orm
import sqlalchemy.pool
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import get_settings

logger = logging.getLogger(__name__)

# Attribute set on a tracker we returned: how many of its events are already stored.
STORED_ATTR = "_policybot_stored_events"
# Event types that change what a later turn sees (slots, active form, paused conversation).
STATE_EVENTS = ("slot", "reset_slots", "restart", "session_started", "active_loop", "form", "pause", "resume")

Event = Dict[str, Any]


class CarriedState:
    """Slots, active loop and pause flag after replaying state-changing events in order."""

    def __init__(self) -> None:
        self.slots: Dict[str, Any] = {}
        self.active_loop: Optional[str] = None
        self.paused = False

    def apply(self, events: Iterable[Event]) -> "CarriedState":
        for event in events:
            kind = event.get("event")
            if kind == "slot":
                self.slots[event["name"]] = event.get("value")
            elif kind in ("reset_slots", "restart"):
                self.slots.clear()
                if kind == "restart":
                    self.active_loop, self.paused = None, False
            elif kind in ("active_loop", "form"):
                self.active_loop = event.get("name")
            elif kind in ("pause", "resume"):
                self.paused = kind == "pause"
        return self

    def to_json(self) -> str:
        return json.dumps({"slots": self.slots, "active_loop": self.active_loop, "paused": self.paused},
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "CarriedState":
        data = json.loads(text)
        state = cls()
        state.slots = dict(data.get("slots") or {})
        state.active_loop = data.get("active_loop")
        state.paused = bool(data.get("paused"))
        return state

    def as_events(self, timestamp: float) -> List[Event]:
        """A session start that puts a fresh tracker into this state, then listening."""
        events: List[Event] = [
            {"event": "action", "name": "action_session_start", "timestamp": timestamp},
            {"event": "session_started", "timestamp": timestamp},
        ]
        events += [{"event": "slot", "name": n, "value": v, "timestamp": timestamp} for n, v in self.slots.items()]
        if self.active_loop:
            events.append({"event": "active_loop", "name": self.active_loop, "timestamp": timestamp})
        if self.paused:
            events.append({"event": "pause", "timestamp": timestamp})
        events.append({"event": "action", "name": "action_listen", "timestamp": timestamp})
        return events


# The carried state per sender: slots, active loop and pause flag after every event up to
# ``event_id`` of the sender's current session.
CHECKPOINTS = sa.Table(
    "policybot_checkpoints", sa.MetaData(),
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("event_id", sa.Integer, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
)


def _pooled_sqlite_engine(url: Any) -> Any:
    """An engine that keeps its SQLite connection (SQLAlchemy 1.4 opens and closes one per
    session for a file database), in WAL mode (see :func:`_use_wal`)."""
    engine = sa.create_engine(url, poolclass=sa.pool.SingletonThreadPool)
    _use_wal(engine)
    return engine


def _use_wal(engine: Any) -> None:
    """SQLite in WAL mode with ``synchronous=NORMAL``: a commit no longer waits for an fsync
    (≈3 ms of each turn). A committed turn survives a crash of the process; only a power
    loss can drop the last turns. Readers never block the writer."""
    from sqlalchemy import event

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    event.listen(engine, "connect", on_connect)


def _session_events_select(event: Any) -> Any:
    """(id, type_name, data) of the sender's current session after event id ``after``, in
    order; the session is found as Rasa's ``SQLTrackerStore._event_query`` finds it (events
    stamped at or after the last ``session_started``). Built once; run with parameters."""
    sender = sa.bindparam("sender")
    session_start = (
        sa.select(sa.func.max(event.timestamp))
        .where(event.sender_id == sender, event.type_name == "session_started")
        .scalar_subquery()
    )
    return (
        sa.select(event.id, event.type_name, event.data)
        .where(event.sender_id == sender, event.id > sa.bindparam("after"),
               sa.or_(event.timestamp >= session_start, session_start.is_(None)))
        .order_by(event.id)
    )


class BoundedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose ``retrieve`` returns at most the last ``keep_turns`` turns of
    a session, with the earlier state carried over (see the module docstring)."""

    def __init__(
        self,
        domain: Optional[Any] = None,
        host: Optional[Text] = None,
        keep_turns: Optional[int] = None,
        event_broker: Optional[Any] = None,
        cache_size: Optional[int] = None,
        **kwargs: Any,
    ) -> None:
        settings = get_settings()
        self.keep_turns = max(1, int(keep_turns or settings.tracker_keep_turns))
        self.cache_size = max(0, int(settings.tracker_cache_size if cache_size is None else cache_size))
        # sender → (id of the newest event saved, the tracker as saved)
        self._saved: "OrderedDict[str, Tuple[int, DialogueStateTracker]]" = OrderedDict()
        super().__init__(domain=domain, host=host or settings.tracker_url, event_broker=event_broker, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self.engine = _pooled_sqlite_engine(self.engine.url)
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        try:
            CHECKPOINTS.metadata.create_all(self.engine, tables=[CHECKPOINTS])
        except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError) as error:
            # Several Rasa processes start at once: another one created it first (on PostgreSQL the
            # loser of the race gets a unique violation on pg_type, an IntegrityError).
            logger.debug("checkpoint table: %s", error)
        self._session_select = _session_events_select(self.SQLEvent)
        self._checkpoint_select = (
            sa.select(CHECKPOINTS.c.event_id, CHECKPOINTS.c.state)
            .where(CHECKPOINTS.c.sender_id == sa.bindparam("sender"))
        )
        self._newest_select = (
            sa.select(sa.func.max(self.SQLEvent.id)).where(self.SQLEvent.sender_id == sa.bindparam("sender"))
        )

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions=True)
        with self.session_scope() as session:
            saved = self._saved_tracker(session, sender_id)
            if saved is not None:
                return saved
            events = self._session_events(session, sender_id)
            session.commit()
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, STORED_ATTR, len(tracker.events))
        return tracker

    def _saved_tracker(self, session: Any, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker saved last, when a load from the database would give the same one."""
        entry = self._saved.get(sender_id)
        if entry is None:
            return None
        newest, tracker = entry
        unchanged = getattr(tracker, STORED_ATTR, None) == len(tracker.events)
        if unchanged and session.execute(self._newest_select, {"sender": sender_id}).scalar() == newest:
            self._saved.move_to_end(sender_id)
            return tracker
        del self._saved[sender_id]
        return None

    def _remember(self, session: Any, tracker: DialogueStateTracker) -> None:
        """Keep the tracker just saved (in ``session``, before its commit) for the next load."""
        sender_id = tracker.sender_id
        self._saved.pop(sender_id, None)
        if not self.cache_size or sum(1 for e in tracker.events if e.type_name == "user") > self.keep_turns:
            return  # a load from the database would shorten it
        newest = session.execute(self._newest_select, {"sender": sender_id}).scalar()
        if newest is None:
            return
        self._saved[sender_id] = (newest, tracker)
        while len(self._saved) > self.cache_size:
            self._saved.popitem(last=False)

    def _session_events(self, session: Any, sender_id: Text) -> List[Event]:
        """Events to build the tracker from: carried state, then at most ``keep_turns`` turns.

        Moves the sender's checkpoint forward (in ``session``; the caller commits) when more
        than ``keep_turns`` turns follow it.
        """
        checkpoint = session.execute(self._checkpoint_select, {"sender": sender_id}).first()
        after = checkpoint.event_id if checkpoint is not None else -1
        rows = session.execute(self._session_select, {"sender": sender_id, "after": after}).all()
        state: Optional[CarriedState] = None
        if checkpoint is not None and not any(row.type_name == "session_started" for row in rows):
            state = CarriedState.from_json(checkpoint.state)
        users = [index for index, row in enumerate(rows) if row.type_name == "user"]
        if len(users) > self.keep_turns:
            cut = users[-self.keep_turns]
            state = (state or CarriedState()).apply(json.loads(row.data) for row in rows[:cut])
            self._move_checkpoint(session, sender_id, rows[cut - 1].id, state)
            rows = rows[cut:]
        tail = [json.loads(row.data) for row in rows]
        if state is None:
            return tail
        return state.as_events(tail[0].get("timestamp") or 0.0 if tail else 0.0) + tail

    @staticmethod
    def _move_checkpoint(session: Any, sender_id: Text, event_id: int, state: CarriedState) -> None:
        session.execute(sa.delete(CHECKPOINTS).where(CHECKPOINTS.c.sender_id == sender_id))
        session.execute(sa.insert(CHECKPOINTS).values(sender_id=sender_id, event_id=event_id, state=state.to_json()))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events added since the tracker was loaded (or last saved).

        The base class counts stored events to find the new ones, which is wrong for a
        tracker we loaded shortened; we remember the loaded length on the tracker instead.
        """
        stored = getattr(tracker, STORED_ATTR, None)
        if stored is None:
            self._saved.pop(tracker.sender_id, None)
            await super().save(tracker)
            setattr(tracker, STORED_ATTR, len(tracker.events))
            with self.session_scope() as session:
                self._remember(session, tracker)
            return
        await self.stream_events(tracker)
        new_events = list(tracker.events)[stored:]
        # One executemany through SQLAlchemy Core: the ORM's unit of work (an object per
        # event, flushed one by one) was ≈1.5 ms of a turn.
        rows = [self._row_values(tracker.sender_id, event) for event in new_events]
        with self.session_scope() as session:
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            self._remember(session, tracker)
            session.commit()
        setattr(tracker, STORED_ATTR, len(tracker.events))

    @staticmethod
    def _row_values(sender_id: Text, event: Any) -> Dict[str, Any]:
        """The events-table row of one event, as Rasa's ``SQLTrackerStore.save`` writes it."""
        data = event.as_dict()
        intent = (data.get("parse_data") or {}).get("intent", {}).get("name")
        return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
                "intent_name": intent, "action_name": data.get("name"), "data": json.dumps(data)}
