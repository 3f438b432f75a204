"""Start Rasa's command line with the speed fixes this product needs.

``python -m bot.rasa.server run …`` is ``rasa run …`` after :func:`apply`. Profiling a running
server (py-spy, the chat benchmark's script) showed about two thirds of its CPU in one place:
``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which checks the
response schema against the 2020-12 meta-schema on every action call (≈25 ms each, two or
three calls per form turn). The schema never changes, so :func:`apply` builds its validator
once; every response is still validated (≈2 ms).

Second in the profile: ``Event.resolve_by_type`` walks every subclass of ``Event`` (recursively,
with ``inspect.isabstract``) for each event it deserialises: ≈1 ms per 10 events, paid on each
tracker load and each action response. :func:`apply` looks the type up in a table built from
the same walk, rebuilt when a name is missing, and leaves unknown names to Rasa's own code.

Third: ``EndpointConfig.request`` opens a new aiohttp session, and so a new TCP connection, for
every action call. :func:`apply` gives each endpoint one kept-alive session per event loop.
Its idle connections are dropped after 2 s, before the action server's (Sanic) 5 s keep-alive
ends, so a request never goes out on a connection the server is closing. The session encodes
request bodies (the whole tracker, ≈50 kB) with ujson, a Rasa dependency, ≈3× faster than
``json``; anything ujson refuses goes through ``json`` as before.

Fourth: the processor and the rule policy deep-copy events, slots and dialogue states for
their debug log lines on every prediction and action (``structlogger.debug(...,
x=copy.deepcopy(x))``), whether or not debug logging is on. :func:`apply` gives those modules
a ``copy`` whose ``deepcopy`` copies only when the ``rasa`` logger logs debug lines.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, Optional, Text

_validator: Optional[Any] = None


def _validator_for_action_responses() -> Any:
    global _validator
    if _validator is None:
        from jsonschema.validators import validator_for
        from rasa.core.actions.action import RemoteAction

        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    return _validator


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Same contract as Rasa's: True, or the ValidationError with Rasa's hint appended."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    validator = _validator_for_action_responses()
    error: Optional[ValidationError] = best_match(validator.iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from "
        f"the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


_event_types: Dict[Text, Any] = {}
_original_resolve_by_type: Optional[Callable[..., Any]] = None


def _resolve_event_type(type_name: Text, default: Optional[Any] = None) -> Optional[Any]:
    """``Event.resolve_by_type`` through a table: the first subclass with that ``type_name``."""
    cls = _event_types.get(type_name)
    if cls is None:
        from rasa.shared.core.events import Event
        from rasa.shared.utils.common import all_subclasses

        table: Dict[Text, Any] = {}
        for subclass in all_subclasses(Event):
            table.setdefault(subclass.type_name, subclass)
        _event_types.clear()
        _event_types.update(table)
        cls = table.get(type_name)
    if cls is not None:
        return cls
    assert _original_resolve_by_type is not None
    return _original_resolve_by_type(type_name, default)


KEEPALIVE_S = 2.0


class _KeptSession:
    """``async with`` yields the endpoint's long-lived session and leaves it open."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        return None


def _dumps(value: Any) -> str:
    import json

    import ujson

    try:
        return ujson.dumps(value)
    except (TypeError, OverflowError, ValueError):
        return json.dumps(value)


def _kept_session(self: Any) -> _KeptSession:
    import asyncio

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    cached = getattr(self, "_policybot_session", None)
    if cached is None or cached.closed or cached._loop is not loop:
        auth = None
        if self.basic_auth:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
        cached = aiohttp.ClientSession(
            headers=self.headers, auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S), json_serialize=_dumps,
        )
        self._policybot_session = cached
    return _KeptSession(cached)


class _CopyForDebugLog:
    """Stands in for the ``copy`` module in Rasa modules that use it only for debug logs."""

    @staticmethod
    def deepcopy(value: Any, memo: Optional[Dict[int, Any]] = None) -> Any:
        import copy
        import logging

        if logging.getLogger("rasa").isEnabledFor(logging.DEBUG):
            return copy.deepcopy(value, memo)
        return value

    def __getattr__(self, name: str) -> Any:
        import copy

        return getattr(copy, name)


# Modules whose every ``copy.`` call feeds a ``structlogger.debug`` (Rasa 3.6.21; checked by
# tests/rasa/test_server.py).
DEBUG_COPY_MODULES = ("rasa.core.processor", "rasa.core.policies.rule_policy", "rasa.core.policies.memoization")


def apply() -> None:
    """Install the fixes into the Rasa modules of this process (idempotent)."""
    global _original_resolve_by_type
    import importlib

    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    patched: Callable[..., bool] = _validate_action_result
    RemoteAction._validate_action_result = patched  # type: ignore[assignment]
    EndpointConfig.session = _kept_session  # type: ignore[assignment]
    for name in DEBUG_COPY_MODULES:
        importlib.import_module(name).copy = _CopyForDebugLog()  # type: ignore[attr-defined]
    if _original_resolve_by_type is None:
        _original_resolve_by_type = Event.resolve_by_type
        Event.resolve_by_type = staticmethod(_resolve_event_type)  # type: ignore[assignment]


def main(argv: Optional[list] = None) -> None:
    apply()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
