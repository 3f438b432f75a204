"""Start Rasa's command line with the speed fixes this product needs.

``python -m bot.rasa_server run …`` is ``rasa run …`` after :func:`apply`. Profiling a running
server (py-spy, the chat benchmark's script) showed about two thirds of its CPU in one place:
``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which checks the
response schema against the 2020-12 meta-schema on every action call (≈25 ms each, two or
three calls per form turn). The schema never changes, so :func:`apply` builds its validator
once; every response is still validated (≈2 ms).

Second in the profile: ``Event.resolve_by_type`` walks every subclass of ``Event`` (recursively,
with ``inspect.isabstract``) for each event it deserialises: ≈1 ms per 10 events, paid on each
tracker load and each action response. :func:`apply` looks the type up in a table built from
the same walk, rebuilt when a name is missing, and leaves unknown names to Rasa's own code.
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


def apply() -> None:
    """Install the fixes into the Rasa modules of this process (idempotent)."""
    global _original_resolve_by_type
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event

    patched: Callable[..., bool] = _validate_action_result
    RemoteAction._validate_action_result = patched  # type: ignore[assignment]
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
