"""The staff console in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
sign in, open the ticket from the queue, reply; the reply reaches the user's web chat."""

from __future__ import annotations

import threading
import time

import pytest
import uvicorn
from playwright.sync_api import expect, sync_playwright

from bot.dev.ports import free_port
from bot.helpdesk import handoff
from bot.helpdesk.store import NewTicket, TranscriptEntry

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def console_url(gateway_app):
    """A real uvicorn server with the helpdesk routers, on a free loopback port."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(gateway_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        assert time.time() < deadline, "gateway did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def page(console_url):
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(locale="zh-CN")
        yield context.new_page()
        browser.close()


def test_sign_in_open_ticket_reply(page, console_url, store):
    store.add_staff("alice", "pw-alice", "市经信局")
    ticket = store.create_ticket(NewTicket(
        sender="web-42", category="资金拨付", department="市经信局", urgency="中",
        triage_explanation="类别“资金拨付”：消息提到“到账”。", facts={"region": "六安市", "investment": "3000"},
        eligibility_trace={"results": [{"program_id": "luan-city-project-library", "status": "eligible"}]},
        transcript=[TranscriptEntry("user", "<b>奖补资金</b>什么时候到账", "2026-11-22T09:00:00+08:00", "action")]))

    page.goto(f"{console_url}/staff")
    page.fill("#login-username", "alice")
    page.fill("#login-password", "wrong")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text("用户名或密码错误。")
    page.fill("#login-password", "pw-alice")
    page.click("#login-submit")

    row = page.locator(f'#queue tr[data-id="{ticket.id}"]')
    expect(row).to_contain_text("资金拨付")
    row.click()
    expect(page.locator("#ticket-title")).to_have_text(f"工单 {ticket.id}")
    # User text is shown as text, never as markup.
    expect(page.locator("#transcript")).to_contain_text("<b>奖补资金</b>什么时候到账")
    assert page.locator("#transcript b").count() == 0
    expect(page.locator("#facts")).to_contain_text("3000")
    expect(page.locator("#trace")).to_contain_text("luan-city-project-library")
    expect(page.locator("#triage-category")).to_have_value("资金拨付")

    page.fill("#reply-text", "您好，资金已进入拨付流程。")
    page.click("#reply-send")
    expect(page.locator("#transcript")).to_contain_text("您好，资金已进入拨付流程。")
    expect(page.locator("#ticket-status")).to_have_text("处理中")

    assert handoff.pending_replies("web-42") == [
        {"recipient_id": "web-42", "text": "【人工客服】您好，资金已进入拨付流程。"}]
    assert store.get_ticket(ticket.id).claimed_by == "alice"

    page.click("#resolve")
    expect(page.locator("#ticket-status")).to_have_text("已办结")


class _WindowClosed(Exception):
    errcode = 45015


def test_console_shows_a_reply_waiting_behind_the_48_hour_window_then_delivered(page, console_url, store):
    async def closed_window(user_id, text):
        raise _WindowClosed("response out of time limit")

    handoff.register_delivery("wechat", handoff.channel_delivery(closed_window, (_WindowClosed,)))
    store.add_staff("bob", "pw-bob")
    ticket = store.create_ticket(NewTicket(sender="wechat:o-old", channel="wechat", category="咨询"))

    page.goto(f"{console_url}/staff")
    page.fill("#login-username", "bob")
    page.fill("#login-password", "pw-bob")
    page.click("#login-submit")
    page.locator(f'#queue tr[data-id="{ticket.id}"]').click()
    page.fill("#reply-text", "材料已收到。")
    page.click("#reply-send")
    expect(page.locator("#deliveries")).to_contain_text("等待用户发消息后送达（错误码 45015）")
    expect(page.locator("#action-message")).to_contain_text("将在用户下次发消息时送达")

    store.take_undelivered("wechat:o-old", handoff.PASSIVE_VIA)  # the user wrote again
    expect(page.locator("#deliveries")).to_contain_text("已送达，被动回复", timeout=15000)
