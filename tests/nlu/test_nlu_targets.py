"""The held-out NLU quality targets of docs/nlu-spec.md, measured on models/current.tar.gz as
`make eval` measures them (the functions of bot/dev/nlu_eval.py, the same scoring)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Dict

import pytest

from bot.dev import nlu_eval
from bot.settings import REPO_ROOT

pytestmark = pytest.mark.slow

# Targets of docs/nlu-spec.md ("Quality targets"), on tests/nlu/heldout.yml.
INTENT_MACRO_F1_TARGET = 0.93
ENTITY_F1_TARGET = 0.95

# Run in a child process: nlu_eval.predict() prepares the process as the served Rasa
# (bot.rasa.server.prepare() puts placeholders in place of TensorFlow), which the other
# tests of the session must not inherit.
EVALUATE = """
import asyncio, json
from bot.dev import nlu_eval
examples = nlu_eval.load_examples()
predictions, _ = asyncio.run(nlu_eval.predict([text for text, _, _ in examples]))
result = nlu_eval.scores(examples, predictions)
print(json.dumps({"intent_macro_f1": result["intent_macro_f1"], "entity_f1": result["entity_f1"]}))
"""


@pytest.fixture(scope="module")
def heldout_scores() -> Dict[str, float]:
    if not nlu_eval.MODEL.exists():
        pytest.skip(f"no trained model at {nlu_eval.MODEL} (make train)")
    done = subprocess.run([sys.executable, "-c", EVALUATE], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_intent_macro_f1_meets_the_target(heldout_scores) -> None:
    assert heldout_scores["intent_macro_f1"] >= INTENT_MACRO_F1_TARGET, heldout_scores


def test_entity_f1_meets_the_target(heldout_scores) -> None:
    assert heldout_scores["entity_f1"] >= ENTITY_F1_TARGET, heldout_scores
