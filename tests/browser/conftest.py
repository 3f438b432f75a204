"""The stack the browser test drives: ``chat_base_url`` is the gateway's base URL.

For now this folder starts its own stack: the real gateway under uvicorn (a subprocess on a
free loopback port) in front of the tests' fake Rasa (``tests/support/fake_rasa.py``) with
scripted answers. To run the test against the full three-process stack, make
``chat_base_url`` return the ``live_stack`` fixture instead (the scripted answers below
mirror what the real bot says).

Needs Debian's ``chromium`` (``/usr/bin/chromium``), a CJK font (``fonts-wqy-microhei``)
and the Python ``playwright`` package (it drives that chromium; no browser download).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Dict, List

import pytest

from tests.support.fake_rasa import FakeRasa, RasaCrash
from tests.support.gateway_process import uvicorn_process

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

AWARD_ANSWER = (
    "六安市对新认定的省级智能工厂奖励50万元。\n"
    "依据：《六安市规模工业企业技术改造提升行动（征求意见稿）》三.（二）：“新认定的省级智能工厂、绿色工厂、数字化车间分别奖励50万元、20万元、20万元”\n"
    "（本文件为征求意见稿，以正式发布文件为准）"
)


def scripted_answer(body: Dict[str, Any]) -> List[Dict[str, Any]]:
    """What the scripted bot says; "故障" makes it fail like a crashed Rasa (HTTP 500)."""
    sender, message = body["sender"], body["message"]
    if message == "故障":
        raise RasaCrash("boom")
    if message == "六安省级智能工厂奖励多少":
        return [{"recipient_id": sender, "text": AWARD_ANSWER, "buttons": [
            {"title": "申报条件是什么", "payload": "/ask_eligibility"},
            {"title": "市级智能工厂呢", "payload": '/ask_award{"honor": "市级智能工厂"}'}]}]
    if message == "/ask_eligibility":
        return [{"recipient_id": sender, "text": "入库需同时满足：规模以上工业企业、已办理备案（核准）等。贵企业是规模以上工业企业吗？",
                 "buttons": [{"title": "是", "payload": "/affirm"}, {"title": "不是", "payload": "/deny"}]}]
    if message == "转人工":
        return [{"recipient_id": sender, "text": "已为您创建工单 T-0001，工作人员会尽快回复。"}]
    return [{"recipient_id": sender, "text": f"收到：{message}"}]


@pytest.fixture(scope="session")
def scripted_rasa():
    # delay_s: long enough to see the typing indicator
    server = FakeRasa(responder=scripted_answer, delay_s=0.6, model_file="scripted.tar.gz").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def own_stack(scripted_rasa, tmp_path_factory):
    """The real gateway (uvicorn subprocess) in front of the scripted Rasa; yields its base URL."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POLICYBOT_RASA_URLS": json.dumps([scripted_rasa.url]),
        "POLICYBOT_DATA_DIR": str(tmp_path_factory.mktemp("var")),
    }
    with uvicorn_process("browser_gateway:build", env, uvicorn_args=["--factory", "--app-dir", str(Path(__file__).parent)],
                         log=tmp_path_factory.mktemp("log") / "gateway.log", timeout_s=30.0) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def chat_base_url(own_stack) -> str:
    """Base URL of the stack under test (swap for ``live_stack`` to drive the real three processes)."""
    return own_stack


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium driven by Playwright (no Playwright browser download).

    Module scope on purpose: Playwright's sync API keeps an event loop running in the main
    thread while it is open, which would break the pytest-asyncio tests collected after it.
    """
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), f"{CHROMIUM} missing: apt-get install -y chromium fonts-wqy-microhei"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
