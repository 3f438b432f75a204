"""Serving without TensorFlow: only for a TensorFlow-free config, and the model parses alike."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.rasa import without_tensorflow

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "current.tar.gz"
TEXTS = ["六安省级智能工厂奖励多少", "3000万，已经备案", "研发费用800万能少交多少税", "谢谢", "帮我翻译一段英文",
         "我们是广西的规上企业，想问问技改项目能不能入选千企技改", "转人工"]


def test_the_projects_config_needs_no_tensorflow():
    assert without_tensorflow.needing_tensorflow(without_tensorflow.components(REPO / "config.yml")) == []


def test_a_config_with_diet_keeps_tensorflow(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("pipeline:\n  - name: JiebaTokenizer\n  - name: DIETClassifier\npolicies:\n  - name: RulePolicy\n"
                      "  - name: TEDPolicy\n", encoding="utf-8")
    assert without_tensorflow.needing_tensorflow(without_tensorflow.components(config)) == ["DIETClassifier",
                                                                                            "TEDPolicy"]


def _parse_in_a_fresh_process(tensorflow: str) -> dict:
    code = (
        "import asyncio, json, sys\n"
        "from bot.rasa import server\n"
        "server.prepare()\n"
        "from rasa.core.agent import Agent\n"
        f"agent = Agent.load({str(MODEL)!r})\n"
        f"out = [asyncio.run(agent.parse_message(t)) for t in {TEXTS!r}]\n"
        "keep = ('intent', 'entities', 'intent_ranking')\n"
        "print('RESULT' + json.dumps({'tf': type(sys.modules['tensorflow']).__name__, "
        "'parses': [{k: p[k] for k in keep} for p in out]}, ensure_ascii=False))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "POLICYBOT_RASA_TENSORFLOW": tensorflow})
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
    assert lines, done.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT"):])


@pytest.mark.skipif(not MODEL.exists(), reason="needs the trained model (make train)")
def test_the_model_parses_the_same_without_tensorflow():
    without = _parse_in_a_fresh_process("")
    real = _parse_in_a_fresh_process("load")
    assert without["tf"] == "_PlaceholderModule" and real["tf"] == "module"
    assert without["parses"] == real["parses"]
    assert without["parses"][0]["intent"]["name"] == "ask_award"
