"""End to end through the running stack (gateway + Rasa + action server): docs/conversation.md §6 handoff.

Needs the fixture `live_stack` (base URL of a running gateway) from tests/conftest.py, and the
test process must see the same POLICYBOT_DATA_DIR as the stack (the staff user is created in it).
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from bot.helpdesk.store import default_store

pytestmark = [pytest.mark.slow, pytest.mark.stack]

TICKET = re.compile(r"T\d{8}-\d{4}")


@pytest.fixture
def gateway(live_stack):
    with httpx.Client(base_url=str(live_stack).rstrip("/"), timeout=60.0) as client:
        yield client


@pytest.fixture
def staff_headers(gateway):
    username, password = f"e2e-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    default_store().add_staff(username, password)  # no department: may act on any ticket
    reply = gateway.post("/staff/api/login", json={"username": username, "password": password})
    assert reply.status_code == 200, reply.text
    yield {"Authorization": f"Bearer {reply.json()['token']}"}
    default_store().remove_staff(username)


def say(gateway, sender, text):
    reply = gateway.post("/api/chat", json={"sender": sender, "message": text})
    assert reply.status_code == 200, reply.text
    return reply.json()


def updates(gateway, sender):
    return [m["text"] for m in gateway.get("/api/chat/updates", params={"sender": sender}).json()]


def test_late_payment_goes_to_a_person_and_back(gateway, staff_headers):
    sender = f"e2e-user-{uuid.uuid4().hex[:8]}"
    replies = say(gateway, sender, "我们是六安的企业，去年评上的市级绿色工厂奖补资金到现在还没到账")
    found = [TICKET.search(r.get("text", "")) for r in replies]
    ticket_id = next(m.group(0) for m in found if m)

    ticket = gateway.get(f"/staff/api/tickets/{ticket_id}", headers=staff_headers).json()
    assert ticket["category"] == "资金拨付" and ticket["status"] == "open"
    assert any("到账" in e["text"] for e in ticket["transcript"] if e["who"] == "user")

    claim = gateway.post(f"/staff/api/tickets/{ticket_id}/claim", headers=staff_headers)
    assert claim.status_code == 200
    answer = "您好，您单位的奖补资金已进入拨付流程。"
    assert gateway.post(f"/staff/api/tickets/{ticket_id}/reply", json={"text": answer},
                        headers=staff_headers).status_code == 200
    delivered = updates(gateway, sender)
    assert any(ticket_id in text for text in delivered)  # the claim notice
    assert any(answer in text for text in delivered)

    # While a person holds the conversation, the bot says nothing and the person sees the message.
    assert say(gateway, sender, "研发费用加计扣除怎么算") == []
    ticket = gateway.get(f"/staff/api/tickets/{ticket_id}", headers=staff_headers).json()
    assert ticket["transcript"][-1] == {**ticket["transcript"][-1], "who": "user", "text": "研发费用加计扣除怎么算"}

    assert gateway.post(f"/staff/api/tickets/{ticket_id}/resolve", headers=staff_headers).status_code == 200
    assert any("已办结" in text for text in updates(gateway, sender))
    after = say(gateway, sender, "研发费用加计扣除怎么算")
    assert after and any(r.get("text") for r in after)
