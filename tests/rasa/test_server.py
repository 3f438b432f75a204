"""The speed fixes bot.rasa.server installs into Rasa keep Rasa's behaviour."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import re

import pytest
from jsonschema import ValidationError

from bot.rasa import server as rasa_server


@pytest.fixture(scope="module", autouse=True)
def applied():
    rasa_server.apply()


def test_action_responses_are_still_validated():
    from rasa.core.actions.action import RemoteAction

    action = RemoteAction("action_x", None)
    good = {"events": [{"event": "slot", "name": "region", "value": "六安市"}], "responses": [{"text": "好"}]}
    assert action._validate_action_result(good) is True
    with pytest.raises(ValidationError) as raised:
        action._validate_action_result({"events": "not a list", "responses": []})
    assert "Failed to validate Action server response" in raised.value.message


def test_event_types_resolve_as_rasa_resolves_them():
    from rasa.shared.core.events import Event, SlotSet, UserUttered
    from rasa.shared.utils.common import all_subclasses

    for cls in all_subclasses(Event):
        expected = next(c for c in all_subclasses(Event) if c.type_name == cls.type_name)
        assert Event.resolve_by_type(cls.type_name) is expected
    assert Event.resolve_by_type("user") is UserUttered and Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


@pytest.mark.parametrize("module_name", rasa_server.DEBUG_COPY_MODULES)
def test_copy_is_used_only_for_debug_log_lines(module_name):
    source = inspect.getsource(importlib.import_module(module_name))
    uses = [match.start() for match in re.finditer(r"\bcopy\.\w+\(", source)]
    assert uses, f"{module_name} no longer uses copy: drop it from DEBUG_COPY_MODULES"
    for position in uses:
        assert source[position:].startswith("copy.deepcopy(")
        call = source.rfind("structlogger.", 0, position)
        assert call != -1 and source.startswith("structlogger.debug(", call), source[call:position + 20]
        assert source[call:position].count("\n") <= 6


def test_debug_copies_only_when_debug_logging_is_on():
    value = {"slots": [1, 2]}
    rasa_logger = logging.getLogger("rasa")
    level = rasa_logger.level
    try:
        rasa_logger.setLevel(logging.INFO)
        assert rasa_server._CopyForDebugLog.deepcopy(value) is value
        rasa_logger.setLevel(logging.DEBUG)
        copied = rasa_server._CopyForDebugLog.deepcopy(value)
        assert copied == value and copied is not value
    finally:
        rasa_logger.setLevel(level)


def test_an_endpoint_keeps_one_session_per_event_loop():
    from rasa.utils.endpoints import EndpointConfig

    endpoint = EndpointConfig("http://127.0.0.1:9/webhook")

    async def two_sessions():
        async with endpoint.session() as first, endpoint.session() as second:
            same = first is second and not first.closed
        await first.close()
        return same

    assert asyncio.run(two_sessions())
