"""Through the real stack: a restart mid-form loses nothing; a KB rebuild fails no request."""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path
from typing import List

import httpx
import pytest

from policy_kb.compiler import build

pytestmark = [pytest.mark.slow, pytest.mark.stack]

ELIGIBILITY = {
    "region": "广西",
    "enterprise": {"above_designated_size": True},
    "project": {"fixed_asset_investment_wan": 3000, "investment_this_year_wan": 800, "filed_or_approved": True},
}


def say(client: httpx.Client, sender: str, text: str) -> str:
    reply = client.post("/api/chat", json={"sender": sender, "message": text})
    assert reply.status_code == 200, reply.text
    return "\n".join(m.get("text", "") for m in reply.json())


def test_conversation_continues_after_a_restart_mid_form(running_stack, live_stack, stack_settings) -> None:
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=live_stack, timeout=60.0) as client:
        assert "投资" in say(client, sender, "我们是广西的规上企业，想问问技改项目能不能入选千企技改")
        assert "今年" in say(client, sender, "3000万，已经备案")
    running_stack.stop()
    assert running_stack.alive() == []
    assert (Path(stack_settings.data_dir) / "tracker.db").stat().st_size > 0
    running_stack.start()
    with httpx.Client(base_url=live_stack, timeout=60.0) as client:
        verdict = say(client, sender, "800万")
    assert verdict.startswith("【广西“千企技改”工程项目】暂不符合"), verdict
    assert "30%" in verdict and "900万元" in verdict


class Hammer(threading.Thread):
    """Sends requests in a loop until stopped; records every failure."""

    def __init__(self, base_url: str, kind: str) -> None:
        super().__init__(daemon=True)
        self.base_url, self.kind = base_url, kind
        self.stop = threading.Event()
        self.done = 0
        self.failures: List[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=60.0) as client:
            while not self.stop.is_set():
                try:
                    problem = self.once(client)
                except httpx.HTTPError as error:
                    problem = f"{type(error).__name__}: {error}"
                if problem:
                    self.failures.append(problem)
                self.done += 1

    def once(self, client: httpx.Client) -> str:
        if self.kind == "eligibility":
            reply = client.post("/api/eligibility", json=ELIGIBILITY)
            ok = reply.status_code == 200 and reply.json()["results"][0]["program_id"] == "guangxi-qianqi-jigai"
        else:
            reply = client.post("/api/chat", json={"sender": f"kb-{uuid.uuid4().hex[:8]}", "message": "六安省级智能工厂奖励多少"})
            ok = reply.status_code == 200 and "50万元" in "".join(m.get("text", "") for m in reply.json())
        return "" if ok else f"{self.kind}: HTTP {reply.status_code} {reply.text[:200]}"


def test_kb_rebuild_while_serving_fails_no_request(live_stack, stack_settings) -> None:
    kb = Path(stack_settings.kb_path)
    before = kb.stat()
    hammers = [Hammer(live_stack, "eligibility"), Hammer(live_stack, "chat"), Hammer(live_stack, "eligibility")]
    for hammer in hammers:
        hammer.start()
    try:
        time.sleep(1.0)
        for _ in range(3):
            build(db_path=kb, userdict_path=None, lookups_path=None)
            time.sleep(0.5)
        time.sleep(1.0)
    finally:
        for hammer in hammers:
            hammer.stop.set()
        for hammer in hammers:
            hammer.join(timeout=90)
        # Same sources, same content: keep the old time so `make` does not think the KB changed.
        os.utime(kb, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert kb.stat().st_ino != before.st_ino, "the KB file was not replaced"
    assert [f for h in hammers for f in h.failures] == []
    assert all(h.done >= 3 for h in hammers), [h.done for h in hammers]
