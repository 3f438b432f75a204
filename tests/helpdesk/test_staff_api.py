"""Staff API through a FastAPI TestClient app with the helpdesk routers."""

from __future__ import annotations

import pytest

from bot.helpdesk import handoff
from bot.helpdesk.store import NewTicket

API = "/staff/api"


def login(client, username="alice", password="pw-alice"):
    reply = client.post(f"{API}/login", json={"username": username, "password": password})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


@pytest.fixture
def staff(store):
    store.add_staff("alice", "pw-alice", "市经信局")
    store.add_staff("bob", "pw-bob", "自治区工业和信息化厅")
    store.add_staff("chief", "pw-chief")  # no department: sees everything
    return store


@pytest.fixture
def payment_ticket(store):
    return store.create_ticket(NewTicket(sender="web-7", category="资金拨付", department="市经信局",
                                         urgency="中", facts={"region": "六安市"}))


@pytest.mark.parametrize("method,path", [
    ("get", "/me"), ("get", "/tickets"), ("get", "/tickets/T20261122-0001"),
    ("post", "/tickets/T20261122-0001/claim"), ("post", "/tickets/T20261122-0001/resolve"),
    ("get", "/options"), ("post", "/logout"),
])
def test_every_route_needs_a_token(client, method, path):
    reply = getattr(client, method)(API + path)
    assert reply.status_code == 401
    assert reply.json()["detail"] == "未登录或登录已过期，请重新登录。"
    assert reply.headers["www-authenticate"] == "Bearer"


def test_unknown_and_expired_tokens_are_refused(client, staff):
    assert client.get(f"{API}/me", headers={"Authorization": "Bearer made-up"}).status_code == 401
    expired, _ = staff.issue_token("alice", ttl_s=0)
    reply = client.get(f"{API}/me", headers={"Authorization": f"Bearer {expired}"})
    assert reply.status_code == 401 and "过期" in reply.json()["detail"]


def test_wrong_password_is_refused_and_audited(client, staff):
    reply = client.post(f"{API}/login", json={"username": "alice", "password": "nope"})
    assert reply.status_code == 401 and reply.json()["detail"] == "用户名或密码错误。"
    assert staff.audit_log()[0]["action"] == "login_failed"


def test_login_gives_an_expiring_token(client, staff):
    reply = client.post(f"{API}/login", json={"username": "alice", "password": "pw-alice"}).json()
    assert reply["department"] == "市经信局" and reply["expires_at"] and len(reply["token"]) >= 40
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {reply['token']}"}).json() == \
        {"username": "alice", "department": "市经信局"}


def test_logout_revokes_the_token(client, staff):
    headers = login(client)
    assert client.post(f"{API}/logout", headers=headers).status_code == 200
    assert client.get(f"{API}/me", headers=headers).status_code == 401


def test_claim_reply_resolve_reaches_the_web_chat(client, staff, payment_ticket):
    headers = login(client)
    tid = payment_ticket.id
    queue = client.get(f"{API}/tickets", params={"status": "open", "category": "资金拨付"}, headers=headers).json()
    assert [t["id"] for t in queue] == [tid]

    claimed = client.post(f"{API}/tickets/{tid}/claim", headers=headers).json()
    assert (claimed["status"], claimed["claimed_by"]) == ("claimed", "alice")
    assert client.get("/api/chat/updates", params={"sender": "web-7"}).json()[0]["text"] == \
        handoff.CLAIMED_NOTICE.format(ticket_id=tid)

    reply = client.post(f"{API}/tickets/{tid}/reply", json={"text": "资金已进入拨付流程。"}, headers=headers)
    assert reply.status_code == 200 and reply.json()["delivered_via"] == "queue"
    assert client.get("/api/chat/updates", params={"sender": "web-7"}).json() == \
        [{"recipient_id": "web-7", "text": "【人工客服】资金已进入拨付流程。"}]
    assert client.get("/api/chat/updates", params={"sender": "web-7"}).json() == []

    resolved = client.post(f"{API}/tickets/{tid}/resolve", headers=headers).json()
    assert resolved["status"] == "resolved"
    assert "已办结" in client.get("/api/chat/updates", params={"sender": "web-7"}).json()[0]["text"]
    assert [(e["who"], e["text"]) for e in resolved["transcript"]] == [("staff", "资金已进入拨付流程。")]
    actions = [(a["username"], a["action"], a["ticket_id"]) for a in reversed(staff.audit_log())]
    assert actions == [("alice", "login", None), ("alice", "list", None), ("alice", "claim", tid),
                       ("alice", "reply", tid), ("alice", "resolve", tid)]


def test_reply_claims_an_open_ticket_and_another_staff_cannot_reply(client, staff, payment_ticket):
    tid = payment_ticket.id
    client.post(f"{API}/tickets/{tid}/reply", json={"text": "您好"}, headers=login(client, "chief", "pw-chief"))
    assert staff.get_ticket(tid).claimed_by == "chief"
    reply = client.post(f"{API}/tickets/{tid}/reply", json={"text": "我也来"}, headers=login(client))
    assert reply.status_code == 409 and "chief" in reply.json()["detail"]


def test_other_department_gets_403_on_every_action(client, staff, payment_ticket):
    headers = login(client, "bob", "pw-bob")
    tid = payment_ticket.id
    assert client.get(f"{API}/tickets", headers=headers).json() == []
    calls = [client.get(f"{API}/tickets/{tid}", headers=headers),
             client.post(f"{API}/tickets/{tid}/claim", headers=headers),
             client.post(f"{API}/tickets/{tid}/reply", json={"text": "x"}, headers=headers),
             client.post(f"{API}/tickets/{tid}/resolve", headers=headers),
             client.patch(f"{API}/tickets/{tid}/triage", json={"urgency": "高"}, headers=headers)]
    assert [c.status_code for c in calls] == [403] * 5
    assert "市经信局" in calls[0].json()["detail"]
    assert staff.get_ticket(tid).status == "open"
    assert {a["action"] for a in staff.audit_log() if a["username"] == "bob"} >= {"denied"}


def test_staff_without_department_and_unassigned_tickets(client, staff, store):
    unassigned = store.create_ticket(NewTicket(sender="w2"))
    headers = login(client, "bob", "pw-bob")
    assert client.get(f"{API}/tickets/{unassigned.id}", headers=headers).status_code == 200


def test_triage_can_be_changed_and_is_validated(client, staff, payment_ticket):
    headers = login(client)
    tid = payment_ticket.id
    changed = client.patch(f"{API}/tickets/{tid}/triage", json={"category": "投诉", "urgency": "高"},
                           headers=headers).json()
    assert (changed["category"], changed["department"], changed["urgency"]) == ("投诉", "市经信局", "高")
    bad = client.patch(f"{API}/tickets/{tid}/triage", json={"category": "杂项"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "category"
    moved = client.patch(f"{API}/tickets/{tid}/triage", json={"department": "县区主管部门"}, headers=headers)
    assert moved.json()["department"] == "县区主管部门"
    assert client.get(f"{API}/tickets/{tid}", headers=headers).status_code == 403  # no longer alice's


def test_ticket_detail_has_transcript_facts_and_history(client, staff, payment_ticket):
    headers = login(client)
    detail = client.get(f"{API}/tickets/{payment_ticket.id}", headers=headers).json()
    assert detail["facts"] == {"region": "六安市"} and detail["history"][0]["who"] == "bot"
    assert client.get(f"{API}/tickets/T20000101-0001", headers=headers).status_code == 404


def test_bad_input_gets_422_not_500(client, staff, payment_ticket):
    headers = login(client)
    assert client.post(f"{API}/tickets/{payment_ticket.id}/reply", json={"text": "  "},
                       headers=headers).status_code == 422
    assert client.get(f"{API}/tickets", params={"status": "whatever"}, headers=headers).status_code == 422
    assert client.post(f"{API}/login", json={"username": ""}).status_code == 422


def test_wechat_ticket_reply_goes_through_the_registered_client(client, staff, store):
    sent = []
    handoff.register_delivery("wechat", lambda openid, text: sent.append((openid, text)))
    ticket = store.create_ticket(NewTicket(sender="oOPENID", channel="wechat", department="市经信局"))
    headers = login(client)
    reply = client.post(f"{API}/tickets/{ticket.id}/reply", json={"text": "您好"}, headers=headers)
    assert reply.json()["delivered_via"] == "wechat"
    assert sent[-1] == ("oOPENID", "【人工客服】您好")


def test_failed_wechat_delivery_is_a_502(client, staff, store):
    def broken(openid, text):
        raise handoff.DeliveryFailed("接口调用失败")

    handoff.register_delivery("wechat", broken)
    ticket = store.create_ticket(NewTicket(sender="oX", channel="wechat", department="市经信局"))
    reply = client.post(f"{API}/tickets/{ticket.id}/claim", headers=login(client))
    assert reply.status_code == 502 and "未能送达" in reply.json()["detail"]


def test_options_list_kb_departments(client, staff):
    options = client.get(f"{API}/options", headers=login(client)).json()
    assert options["categories"] == ["咨询", "申报", "资金拨付", "投诉", "其他"]
    assert {"市经信局", "县区主管部门", "自治区工业和信息化厅"} <= set(options["departments"])


def test_console_page_and_assets(client):
    page = client.get("/staff")
    assert page.status_code == 200 and "工作台" in page.text
    assert client.get("/staff/static/app.js").status_code == 200
    assert client.get("/staff/static/../../app.py").status_code == 404
