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

Fifth: every message runs two graphs (NLU, then the policies) through ``DaskGraphRunner``,
which builds a dask graph, recomputes the minimal schema by a recursive walk and lets dask's
local scheduler order a dozen nodes, each time (≈1.5 ms of a turn's ≈19 ms of Rasa CPU in
py-spy). :func:`apply` runs the same nodes, with the same inputs, in a dependency order
computed once per target list; errors are wrapped as Rasa wraps them.

Sixth: ``LogisticRegressionClassifier._create_X`` builds each message's row with two
``scipy.sparse.hstack`` calls and a ``vstack`` (``bmat`` each, ≈1.5 ms a message); the
replacement makes the same matrix (same shape, values and dtype) from the sentence features
directly; Rasa's ``get_sparse_features`` also deep-copies and joins the sequence features,
which the classifier never reads (≈2 ms more).

:func:`apply` refuses a Rasa other than the version these were measured on
(``RASA_VERSION``; tests/rasa/test_server.py checks each patch against that Rasa's own
code) and :func:`undo` puts Rasa's own functions back.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

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


def _graph_plan(schema: Any, targets: Tuple[Text, ...]) -> List[Tuple[Text, Tuple[Text, ...]]]:
    """(node, the nodes it needs) for every node the targets depend on, dependencies first."""
    order: List[Tuple[Text, Tuple[Text, ...]]] = []
    seen: set = set()

    def visit(name: Text) -> None:
        if name in seen or name not in schema.nodes:
            return  # done already, or an input placeholder
        seen.add(name)
        needs = tuple(schema.nodes[name].needs.values())
        for dependency in needs:
            visit(dependency)
        order.append((name, needs))

    for target in targets:
        visit(target)
    return order


def _run_graph_in_order(self: Any, inputs: Optional[Dict[Text, Any]] = None,
                        targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
    """``DaskGraphRunner.run`` without dask: the same nodes, inputs and result."""
    from rasa.engine.exceptions import GraphRunError

    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    plans = self.__dict__.setdefault("_policybot_plans", {})
    plan = plans.get(run_targets)
    if plan is None:
        plan = plans[run_targets] = _graph_plan(self._graph_schema, run_targets)
    values: Dict[Text, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and any(value == node for node, _ in plan):
            raise GraphRunError(
                f"Input value '{value}' clashes with a node name. Make sure "
                f"that none of the input names passed to the `run` method are the "
                f"same as node names in the graph schema."
            )
        values[name] = (name, value)
    try:
        for name, needs in plan:
            if name not in values:  # an input of the same name replaces the node, as in dask
                values[name] = self._instantiated_nodes[name](*(values[n] for n in needs))
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e
    return dict(values[target] for target in run_targets)


def _sentence_features(message: Any) -> Any:
    """``message.get_sparse_features(TEXT)[1].features`` without its sequence half: the
    sentence features of all featurizers side by side, concatenated as ``scipy.sparse.hstack``
    concatenates coo blocks (same entries in the same order, same dtype); None without any."""
    import numpy as np
    from rasa.shared.nlu.constants import TEXT
    from scipy.sparse import coo_matrix

    _, sentence = message._filter_sparse_features(TEXT, [])
    blocks = [f.features if f.features.format == "coo" else f.features.tocoo() for f in sentence]
    if not blocks:
        return None
    if len(blocks) == 1:
        return blocks[0]
    offsets = np.cumsum([0] + [b.shape[1] for b in blocks[:-1]])
    dtype = np.result_type(*(b.dtype for b in blocks))
    data = np.concatenate([b.data for b in blocks]).astype(dtype, copy=False)
    rows = np.concatenate([b.row for b in blocks])
    cols = np.concatenate([b.col + offset for b, offset in zip(blocks, offsets, strict=True)])
    return coo_matrix((data, (rows, cols)), shape=(blocks[0].shape[0], sum(b.shape[1] for b in blocks)))


def _create_x(self: Any, messages: List[Any]) -> Any:
    """``LogisticRegressionClassifier._create_X``: the same csr matrix, without ``bmat`` and
    without combining the sequence features it throws away."""
    import numpy as np
    from rasa.shared.nlu.constants import TEXT
    from scipy.sparse import csr_matrix, hstack, vstack

    rows = []
    for message in messages:
        sparse = _sentence_features(message)
        dense = message.get_dense_features(attribute=TEXT)[1]
        if dense is not None:
            rows.append(hstack([csr_matrix(sparse if sparse is not None else []), csr_matrix(dense.features)]))
        elif sparse is not None:
            # hstack([csr(x), csr([])]) is x as csr with NumPy's result dtype of x and float64.
            features = csr_matrix(sparse)
            rows.append(features.astype(np.result_type(features.dtype, np.float64), copy=False))
        else:
            rows.append(csr_matrix(np.empty((1, 0))))
    if len(rows) == 1:
        return rows[0].tocsr()
    return vstack(rows).tocsr()


# The Rasa these fixes were measured on and checked against (tests/rasa/test_server.py).
RASA_VERSION = "3.6."

# (owner, attribute, what the owner itself held, or _MISSING) of each installed fix, for undo().
_installed: List[Tuple[Any, str, Any]] = []
_MISSING = object()


def _install(owner: Any, name: str, value: Any) -> None:
    _installed.append((owner, name, vars(owner).get(name, _MISSING)))
    setattr(owner, name, value)


def apply() -> None:
    """Install the fixes into the Rasa modules of this process (idempotent).

    Raises RuntimeError on a Rasa other than ``RASA_VERSION``: each fix replaces a private
    function whose behaviour it copies, so it must be checked again on an upgrade.
    """
    global _original_resolve_by_type
    import importlib

    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    if _installed:
        return
    if not rasa.__version__.startswith(RASA_VERSION):
        raise RuntimeError(f"bot.rasa.server 的提速补丁按 Rasa {RASA_VERSION}x 编写，当前是 {rasa.__version__}；"
                           "请先按 tests/rasa/test_server.py 重新核对每个补丁")
    _install(RemoteAction, "_validate_action_result", _validate_action_result)
    _install(EndpointConfig, "session", _kept_session)
    _install(DaskGraphRunner, "run", _run_graph_in_order)
    _install(LogisticRegressionClassifier, "_create_X", _create_x)
    for name in DEBUG_COPY_MODULES:
        _install(importlib.import_module(name), "copy", _CopyForDebugLog())
    _original_resolve_by_type = Event.resolve_by_type
    _install(Event, "resolve_by_type", staticmethod(_resolve_event_type))


def undo() -> None:
    """Put Rasa's own functions back (tests use it so that later tests see plain Rasa)."""
    global _original_resolve_by_type
    while _installed:
        owner, name, original = _installed.pop()
        if original is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, original)
    _original_resolve_by_type = None
    _event_types.clear()


def _without_jax() -> None:
    """TensorFlow 2.12 (imported by Rasa whatever the pipeline) imports JAX for TFLite's
    converter if it is installed (it is: TensorFlow depends on it), ≈64 MB per process; TFLite
    catches the ImportError, and neither Rasa nor this project converts models."""
    sys.modules.setdefault("jax", None)  # type: ignore[arg-type]


def prepare() -> None:
    """Everything this module does to a process that is about to import Rasa to serve or test
    the model: no JAX, no TensorFlow for a TensorFlow-free config (``bot.rasa.without_tensorflow``,
    unless ``POLICYBOT_RASA_TENSORFLOW=load``), then the fixes."""
    import logging
    import os

    from bot.rasa import without_tensorflow
    from bot.settings import REPO_ROOT

    _without_jax()
    if os.environ.get("POLICYBOT_RASA_TENSORFLOW", "").lower() != "load":
        kept = without_tensorflow.install(REPO_ROOT / "config.yml")
        if kept:
            logging.getLogger(__name__).info("TensorFlow is loaded: config.yml uses %s", ", ".join(kept))
    apply()


def main(argv: Optional[list] = None) -> None:
    prepare()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
