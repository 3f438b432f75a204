"""The bounded SQL tracker store against a real SQLite file and the project's own domain."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from bot.rasa.tracker_store import CHECKPOINTS, STORED_ATTR, BoundedSQLTrackerStore, CarriedState
from bot.settings import REPO_ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "bot" / "rasa" / "domain"))


def run(coro):
    return asyncio.run(coro)


def turn(i: int) -> list:
    """One user turn as Rasa stores it, filling a slot on the way (region on turn 3, the
    investment amount changing every turn)."""
    events = [UserUttered(f"第{i}句", {"name": "inform", "confidence": 1.0}),
              SlotSet("fixed_asset_investment_wan", float(i)),
              ActionExecuted("eligibility_form")]
    if i == 3:
        events += [SlotSet("region", "广西壮族自治区"), ActiveLoop("eligibility_form")]
    if i == 20:
        events += [ActiveLoop(None)]
    if i == 30:
        events += [ActiveLoop("eligibility_form"), SlotSet("requested_slot", "investment_this_year_wan")]
    return events + [BotUttered(f"回复{i}"), ActionExecuted("action_listen")]


def fill(store, sender: str, turns: int) -> None:
    tracker = run(store.get_or_create_tracker(sender))
    for i in range(1, turns + 1):
        for event in turn(i):
            tracker.update(event)
    run(store.save(tracker))


def test_carried_state_replays_slots_loop_and_restart() -> None:
    state = CarriedState().apply([
        {"event": "slot", "name": "region", "value": "六安市"},
        {"event": "active_loop", "name": "eligibility_form"},
        {"event": "restart"},
        {"event": "slot", "name": "direction", "value": "智能化"},
        {"event": "pause"},
    ])
    assert state.slots == {"direction": "智能化"} and state.active_loop is None and state.paused


def test_long_session_loads_state_and_last_turns(tmp_path: Path, domain: Domain) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = BoundedSQLTrackerStore(domain, host=url, keep_turns=5)
    fill(store, "long", 40)
    full = run(SQLTrackerStore(domain, host=url).retrieve("long"))
    bounded = run(store.retrieve("long"))
    assert len(full.events) > 200
    assert len(bounded.events) < 50
    assert [e.text for e in bounded.events if isinstance(e, UserUttered)] == [f"第{i}句" for i in range(36, 41)]
    assert bounded.current_slot_values() == full.current_slot_values()
    assert bounded.current_slot_values()["region"] == "广西壮族自治区"
    assert bounded.active_loop_name == full.active_loop_name == "eligibility_form"
    assert bounded.latest_action_name == "action_listen"


def test_saving_a_shortened_tracker_appends_only_new_events(tmp_path: Path, domain: Domain) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = BoundedSQLTrackerStore(domain, host=url, keep_turns=5)
    fill(store, "long", 40)
    plain = SQLTrackerStore(domain, host=url)
    before = len(run(plain.retrieve("long")).events)
    tracker = run(store.retrieve("long"))
    for event in turn(41):
        tracker.update(event)
    run(store.save(tracker))
    run(store.save(tracker))  # saving twice must not duplicate
    after = run(plain.retrieve("long"))
    assert len(after.events) == before + len(turn(41))
    assert after.current_slot_values()["fixed_asset_investment_wan"] == 41.0
    assert getattr(tracker, STORED_ATTR) == len(tracker.events)


def test_short_session_is_loaded_whole(tmp_path: Path, domain: Domain) -> None:
    store = BoundedSQLTrackerStore(domain, host=f"sqlite:///{tmp_path / 't.db'}", keep_turns=5)
    fill(store, "short", 4)
    tracker = run(store.retrieve("short"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [f"第{i}句" for i in range(1, 5)]
    assert run(store.retrieve("nobody")) is None


def user_texts(tracker) -> list:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def test_checkpoint_moves_forward_and_later_loads_stay_short(tmp_path: Path, domain: Domain) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = BoundedSQLTrackerStore(domain, host=url, keep_turns=5)
    fill(store, "long", 40)
    first = run(store.retrieve("long"))
    with store.engine.connect() as connection:
        checkpoint_id = connection.execute(sa.select(CHECKPOINTS.c.event_id)).scalar()
    assert checkpoint_id is not None
    for i in range(41, 44):  # three more turns, each loaded, extended and saved like Rasa does
        tracker = run(store.retrieve("long"))
        for event in turn(i):
            tracker.update(event)
        run(store.save(tracker))
    later = run(store.retrieve("long"))
    full = run(SQLTrackerStore(domain, host=url).retrieve("long"))
    assert user_texts(first) == [f"第{i}句" for i in range(36, 41)]
    assert user_texts(later) == [f"第{i}句" for i in range(39, 44)]
    assert len(later.events) <= len(first.events) + 1
    assert later.current_slot_values() == full.current_slot_values()
    assert later.current_slot_values()["fixed_asset_investment_wan"] == 43.0
    with store.engine.connect() as connection:
        assert connection.execute(sa.select(CHECKPOINTS.c.event_id)).scalar() > checkpoint_id


def test_checkpoint_of_an_earlier_session_is_ignored(tmp_path: Path, domain: Domain) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = BoundedSQLTrackerStore(domain, host=url, keep_turns=5)
    fill(store, "s", 12)
    run(store.retrieve("s"))  # writes a checkpoint inside the first session
    tracker = run(store.retrieve("s"))
    for event in [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("region", "六安市"),
                  ActionExecuted("action_listen"), *turn(13)]:
        tracker.update(event)
    run(store.save(tracker))
    loaded = run(store.retrieve("s"))
    assert user_texts(loaded) == ["第13句"]
    assert loaded.get_slot("region") == "六安市"
    assert loaded.active_loop_name is None  # the first session's form is not carried by the stale checkpoint


def as_dicts(tracker) -> list:
    return [e.as_dict() for e in tracker.events]


def test_the_tracker_saved_last_is_loaded_as_the_database_would_load_it(tmp_path: Path, domain: Domain) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = BoundedSQLTrackerStore(domain, host=url, keep_turns=5)
    fill(store, "u", 3)
    saved = run(store.retrieve("u"))
    again = run(store.retrieve("u"))
    fresh = run(BoundedSQLTrackerStore(domain, host=url, keep_turns=5, cache_size=0).retrieve("u"))
    assert again is saved  # from memory
    assert as_dicts(again) == as_dicts(fresh)
    assert again.current_slot_values() == fresh.current_slot_values()


def test_a_turn_written_by_another_process_is_loaded_from_the_database(tmp_path: Path, domain: Domain) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    first = BoundedSQLTrackerStore(domain, host=url, keep_turns=5)
    fill(first, "u", 2)
    cached = run(first.retrieve("u"))
    other = BoundedSQLTrackerStore(domain, host=url, keep_turns=5)  # e.g. the other Rasa of a cluster
    tracker = run(other.retrieve("u"))
    for event in turn(3):
        tracker.update(event)
    run(other.save(tracker))
    loaded = run(first.retrieve("u"))
    assert loaded is not cached
    assert user_texts(loaded) == ["第1句", "第2句", "第3句"]


def test_events_added_but_never_saved_are_not_loaded(tmp_path: Path, domain: Domain) -> None:
    """A turn that failed between load and save leaves nothing behind in the next load."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = BoundedSQLTrackerStore(domain, host=url, keep_turns=5)
    fill(store, "u", 2)
    tracker = run(store.retrieve("u"))
    tracker.update(UserUttered("没存上的一句", {"name": "inform", "confidence": 1.0}))
    loaded = run(store.retrieve("u"))
    assert user_texts(loaded) == ["第1句", "第2句"]


def test_a_tracker_longer_than_a_load_is_not_kept(tmp_path: Path, domain: Domain) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = BoundedSQLTrackerStore(domain, host=url, keep_turns=5)
    fill(store, "u", 8)
    loaded = run(store.retrieve("u"))
    assert user_texts(loaded) == [f"第{i}句" for i in range(4, 9)]
    assert loaded.current_slot_values()["region"] == "广西壮族自治区"
