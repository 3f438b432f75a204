"""The real three processes: health, a greeting, and the typical conversation (docs/product.md §3)."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.stack]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def gateway(live_stack):
    with httpx.Client(base_url=live_stack, timeout=60.0) as client:
        yield client


def say(gateway, sender: str, text: str) -> str:
    reply = gateway.post("/api/chat", json={"sender": sender, "message": text})
    assert reply.status_code == 200, reply.text
    messages = reply.json()
    assert all(m["recipient_id"] == sender for m in messages)
    return "\n".join(m.get("text", "") for m in messages)


def test_health_reports_the_three_parts(gateway):
    reply = gateway.get("/health")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok", "rasa": "ok", "action_server": "ok", "knowledge_base": "ok"}


def test_greeting_and_capabilities_in_chinese(gateway):
    sender = f"t-{uuid.uuid4().hex[:8]}"
    greeting = say(gateway, sender, "你好")
    assert CHINESE.search(greeting) and "技改" in greeting
    capabilities = say(gateway, sender, "你都能帮我干些什么")
    assert "奖补" in capabilities and "税收" in capabilities


def test_spec_example_conversation_gives_the_30_percent_verdict(gateway):
    sender = f"t-{uuid.uuid4().hex[:8]}"
    first = say(gateway, sender, "我们是广西的规上企业，想问问技改项目能不能入选千企技改")
    assert "投资" in first
    second = say(gateway, sender, "3000万，已经备案")
    assert "今年" in second
    verdict = say(gateway, sender, "800万")
    assert verdict.startswith("【广西“千企技改”工程项目】暂不符合")
    assert "30%" in verdict and "900万元" in verdict and "26.7%" in verdict
    assert "三.（四）" in verdict
    assert "征求意见稿，以正式发布文件为准" in verdict


def test_correction_reopens_the_check(gateway):
    sender = f"t-{uuid.uuid4().hex[:8]}"
    say(gateway, sender, "我们是广西的规上企业，想问问技改项目能不能入选千企技改")
    say(gateway, sender, "3000万，已经备案")
    say(gateway, sender, "800万")
    corrected = say(gateway, sender, "不对，总投资是2500万")
    # 800 of 2500 is 32%: the schedule now passes, so the bot asks for the next decisive fact.
    assert "暂不符合" not in corrected and "增长" in corrected


def test_award_question_cites_the_clause(gateway):
    reply = say(gateway, f"t-{uuid.uuid4().hex[:8]}", "六安省级智能工厂奖励多少")
    assert "50万元" in reply and "三.（二）" in reply
