"""Rasa's SQL tracker store, bounded: a long session is loaded as its state plus its last turns.

WeChat users keep one sender id for months. Rasa's ``SQLTrackerStore`` already loads only
the events since the last ``session_started``, but one busy session still grows without
limit, and every turn Rasa replays all of it (policies rebuild the state of each earlier
turn; the action server receives the whole event list). ``BoundedSQLTrackerStore`` loads a
session of more than ``max_events`` events as: a synthetic session start carrying the
slot values, active form and paused flag reached so far, then the last ``keep_turns`` user
turns as stored. Nothing is deleted: the table keeps every event, and only new events are
appended on save.

Configured in ``bot/endpoints.yml`` as ``type: bot.tracker_store.BoundedSQLTrackerStore``;
the database URL comes from the settings (``POLICYBOT_TRACKER_STORE_URL``, else SQLite at
``<data_dir>/tracker.db``), so no secret sits in the YAML.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

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


class BoundedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose ``retrieve`` returns at most the last ``keep_turns`` turns of
    a session longer than ``max_events`` events, with the earlier state carried over."""

    def __init__(
        self,
        domain: Optional[Any] = None,
        host: Optional[Text] = None,
        max_events: Optional[int] = None,
        keep_turns: Optional[int] = None,
        event_broker: Optional[Any] = None,
        **kwargs: Any,
    ) -> None:
        settings = get_settings()
        self.max_events = int(max_events or settings.tracker_max_events)
        self.keep_turns = int(keep_turns or settings.tracker_keep_turns)
        super().__init__(domain=domain, host=host or settings.tracker_url, event_broker=event_broker, **kwargs)

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions=True)
        with self.session_scope() as session:
            events, stored = self._session_events(session, sender_id)
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, STORED_ATTR, len(tracker.events))
        if stored != len(tracker.events):
            logger.debug("tracker %s: %d stored events loaded as %d", sender_id, stored, len(tracker.events))
        return tracker

    def _session_events(self, session: Any, sender_id: Text) -> Tuple[List[Event], int]:
        """Events to build the tracker from, and how many events the session really holds."""
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
        stored = query.count()
        cut_id = self._cut_id(query) if stored > self.max_events else None
        if cut_id is None:
            return [json.loads(row.data) for row in query.all()], stored
        event = self.SQLEvent
        tail = [json.loads(row.data) for row in query.filter(event.id >= cut_id).all()]
        earlier = query.filter(event.id < cut_id, event.type_name.in_(STATE_EVENTS)).all()
        state = CarriedState().apply(json.loads(row.data) for row in earlier)
        return state.as_events(tail[0].get("timestamp") or 0.0) + tail, stored

    def _cut_id(self, query: Any) -> Optional[int]:
        """Id of the user event that starts the last ``keep_turns`` turns (None: too few turns)."""
        event = self.SQLEvent
        ids = (
            query.filter(event.type_name == "user").with_entities(event.id)
            .order_by(None).order_by(event.id.desc()).limit(self.keep_turns).all()
        )
        if len(ids) < self.keep_turns:
            return None
        return min(row[0] for row in ids)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events added since the tracker was loaded (or last saved).

        The base class counts stored events to find the new ones, which is wrong for a
        tracker we loaded shortened; we remember the loaded length on the tracker instead.
        """
        stored = getattr(tracker, STORED_ATTR, None)
        if stored is None:
            await super().save(tracker)
            return
        await self.stream_events(tracker)
        new_events = list(tracker.events)[stored:]
        with self.session_scope() as session:
            for event in new_events:
                session.add(self._row(tracker.sender_id, event))
            session.commit()
        setattr(tracker, STORED_ATTR, len(tracker.events))

    def _row(self, sender_id: Text, event: Any) -> Any:
        data = event.as_dict()
        intent = (data.get("parse_data") or {}).get("intent", {}).get("name")
        return self.SQLEvent(
            sender_id=sender_id, type_name=event.type_name, timestamp=data.get("timestamp"),
            intent_name=intent, action_name=data.get("name"), data=json.dumps(data),
        )
