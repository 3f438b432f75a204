"""The speed fixes bot.rasa.server installs into Rasa keep Rasa's behaviour."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import re
from pathlib import Path

import pytest
from jsonschema import ValidationError

from bot.rasa import server as rasa_server

MODEL = Path(__file__).resolve().parents[2] / "models" / "current.tar.gz"


@pytest.fixture(scope="module", autouse=True)
def applied():
    rasa_server.apply()
    yield
    rasa_server.undo()


def test_undo_puts_rasas_own_functions_back():
    from rasa.core.actions.action import RemoteAction
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.core.events import Event

    patched = (DaskGraphRunner.run, LogisticRegressionClassifier._create_X, Event.resolve_by_type,
               RemoteAction._validate_action_result)
    rasa_server.undo()
    try:
        assert DaskGraphRunner.run.__module__ == "rasa.engine.runner.dask"
        assert LogisticRegressionClassifier._create_X.__module__ == "rasa.nlu.classifiers.logistic_regression_classifier"
        assert Event.resolve_by_type.__module__ == "rasa.shared.core.events"
        assert RemoteAction._validate_action_result.__module__ == "rasa.core.actions.action"
        assert importlib.import_module("rasa.core.processor").copy is importlib.import_module("copy")
    finally:
        rasa_server.apply()
    assert (DaskGraphRunner.run, LogisticRegressionClassifier._create_X, Event.resolve_by_type,
            RemoteAction._validate_action_result) == patched


def test_another_rasa_version_is_refused(monkeypatch):
    import rasa

    rasa_server.undo()
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    try:
        with pytest.raises(RuntimeError, match="3.7.0"):
            rasa_server.apply()
    finally:
        monkeypatch.undo()
        rasa_server.apply()


def _message(sparse=None, dense=None, more=()):
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from scipy.sparse import coo_matrix

    message = Message({TEXT: "x"})
    if sparse is not None:
        message.add_features(Features(coo_matrix([[1.0, 1.0, 0.0]]), FEATURE_TYPE_SEQUENCE, TEXT, "cv"))
        message.add_features(Features(sparse, FEATURE_TYPE_SENTENCE, TEXT, "cv"))
    for number, block in enumerate(more):
        message.add_features(Features(block, FEATURE_TYPE_SENTENCE, TEXT, f"more{number}"))
    if dense is not None:
        message.add_features(Features(dense, FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    return message


@pytest.mark.parametrize("kind", ["sparse", "sparse+dense", "int counts", "two messages", "three featurizers"])
def test_the_classifier_matrix_is_rasas(kind):
    import numpy as np
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from scipy.sparse import coo_matrix, csr_matrix

    row = coo_matrix(np.array([[0.0, 2.0, 0.0, 1.0]]))
    messages = {
        "sparse": [_message(row)],
        "sparse+dense": [_message(row, np.array([[0.5, -1.0]]))],
        "int counts": [_message(coo_matrix(np.array([[0, 3, 1]], dtype=np.int64)))],
        "two messages": [_message(row), _message(coo_matrix(np.array([[1.0, 0.0, 0.0, 0.0]])))],
        "three featurizers": [_message(row, more=(csr_matrix(np.array([[0, 0, 4]], dtype=np.int64)),
                                                   coo_matrix(np.array([[0.25, 0.0]], dtype=np.float32))))],
    }[kind]
    ours = rasa_server._create_x(None, messages)
    rasa_server.undo()
    try:
        theirs = LogisticRegressionClassifier._create_X(None, messages)
    finally:
        rasa_server.apply()
    assert ours.format == "csr" and ours.shape == theirs.shape and ours.dtype == theirs.dtype
    assert (ours != theirs).nnz == 0


@pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model (make train)")
def test_the_model_parses_as_with_rasas_own_runner_and_classifier():
    """The whole NLU graph of the trained model, through the patched and the plain Rasa."""
    from rasa.core.agent import Agent

    texts = ["六安省级智能工厂奖励多少", "3000万，已经备案", "研发费用800万能少交多少税", "谢谢", "帮我翻译一段英文"]

    def parse_all():
        agent = Agent.load(str(MODEL))
        return [asyncio.run(agent.parse_message(text)) for text in texts]

    ours = parse_all()
    rasa_server.undo()
    try:
        theirs = parse_all()
    finally:
        rasa_server.apply()
    assert ours == theirs
    assert [p["intent"]["name"] for p in ours][:1] == ["ask_award"]


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


def test_tensorflow_imports_without_jax_in_a_fresh_process():
    """The server blocks JAX; TensorFlow's TFLite helper must still import (it catches the
    ImportError) — a TensorFlow upgrade that needs JAX fails here, not in production."""
    import subprocess
    import sys

    code = ("from bot.rasa import server as rasa_server; rasa_server._without_jax(); import importlib; u = importlib.import_module('tensorflow.lite.python.util'); "
            "import sys; assert u._xla_computation is None and sys.modules['jax'] is None; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip().endswith("ok"), done.stderr[-2000:]
