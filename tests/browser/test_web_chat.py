"""The web chat in a real browser (headless chromium via Playwright) against a running gateway.

Screenshots go to test-artifacts/ (desktop, answered, after reload, phone 375×740).
"""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WAIT_MS = 15_000


def _open(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(base_url + "/")
    return context, page


@pytest.fixture
def page(browser, chat_base_url):
    """The page in front of a scripted Rasa (for failures that the real bot cannot be made to show)."""
    context, page = _open(browser, chat_base_url)
    yield page
    context.close()


@pytest.fixture
def live_page(browser, live_stack):
    """The page in front of the real three-process stack."""
    context, page = _open(browser, live_stack)
    yield page
    context.close()


def ask(page, text):
    page.fill("#input", text)
    page.press("#input", "Enter")


def bot_texts(page):
    return page.locator(".row.bot:not(.typing) .bubble").all_inner_texts()


def wait_for_bot_count(page, count):
    page.wait_for_function(
        "n => document.querySelectorAll('.row.bot:not(.typing) .bubble').length >= n", arg=count
    )


@pytest.mark.stack
def test_ask_award_click_quick_reply_and_keep_conversation_across_reload(live_page, artifacts):
    page = live_page
    page.wait_for_selector(".row.bot .bubble")  # the welcome line
    page.screenshot(path=str(artifacts / "web-chat-0-empty.png"))
    welcome_count = len(bot_texts(page))

    # The real stack answers in ≈20 ms, faster than a poll for the indicator: an observer notes it.
    page.evaluate("""() => { window.sawTyping = false; new MutationObserver(() => {
        if (document.querySelector('.row.bot.typing')) window.sawTyping = true;
    }).observe(document.body, {childList: true, subtree: true}); }""")
    ask(page, "六安省级智能工厂奖励多少")
    wait_for_bot_count(page, welcome_count + 1)
    assert page.evaluate("() => window.sawTyping"), "no typing indicator while waiting"  # typing indicator while waiting
    page.screenshot(path=str(artifacts / "web-chat-1-answered.png"))
    assert page.locator("#input").input_value() == ""
    answer = page.locator(".row.bot:not(.typing) .bubble").last
    assert "50万元" in answer.inner_text()

    # The citation is its own small grey line.
    citation = answer.locator("p.cite")
    assert citation.count() == 1 and citation.inner_text().startswith("依据：")
    cite_style = citation.evaluate("e => [getComputedStyle(e).fontSize, getComputedStyle(e).color]")
    body_size = answer.locator("p:not(.cite)").first.evaluate("e => getComputedStyle(e).fontSize")
    assert float(cite_style[0].rstrip("px")) < float(body_size.rstrip("px"))
    r, g, b = map(int, re.findall(r"\d+", cite_style[1])[:3])
    assert max(r, g, b) - min(r, g, b) < 40 and 80 < r < 200  # a grey, neither black nor coloured
    page.screenshot(path=str(artifacts / "web-chat-2-answer.png"))

    # Click a quick reply: the title is shown as the user's message, the bot answers it.
    buttons = page.locator(".quick-replies button")
    title = buttons.first.inner_text()
    buttons.first.click()
    page.wait_for_selector(f".row.user .bubble >> text={title}")
    wait_for_bot_count(page, welcome_count + 2)
    page.screenshot(path=str(artifacts / "web-chat-3-quick-reply.png"))
    before = page.locator(".row .bubble").all_inner_texts()
    sender = page.evaluate("localStorage.getItem('policybot.sender')")

    page.reload()
    page.wait_for_selector(".row.user .bubble")
    after = page.locator(".row .bubble").all_inner_texts()
    assert after == before
    assert page.evaluate("localStorage.getItem('policybot.sender')") == sender
    assert page.locator(".row.bot .bubble p.cite").count() == 1
    page.screenshot(path=str(artifacts / "web-chat-4-after-reload.png"))

    # The same conversation on a phone screen: nothing wider than the screen.
    page.set_viewport_size({"width": 375, "height": 740})
    page.wait_for_timeout(200)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(artifacts / "web-chat-5-phone-375x740.png"))


def test_message_text_is_never_rendered_as_html(page):
    page.wait_for_selector(".row.bot .bubble")
    attack = '<img src=x onerror="document.title=\'pwned\'"><b>粗体</b>'
    ask(page, attack)
    page.wait_for_selector(".row.bot:not(.typing) .bubble >> text=收到：")
    assert page.locator(".messages img, .messages b").count() == 0
    assert page.locator(".row.user .bubble").last.inner_text() == attack
    assert page.locator(".row.bot .bubble").last.inner_text() == "收到：" + attack
    assert page.title() == "技改政策助手"


def test_transfer_to_human_button_sends_the_request(page):
    page.click("#human")
    page.wait_for_selector(".row.user .bubble >> text=转人工")
    page.wait_for_selector(".row.bot .bubble >> text=工单")


def test_server_errors_and_lost_network_show_a_clear_message(page, artifacts):
    page.wait_for_selector(".row.bot .bubble")
    ask(page, "故障")  # the scripted Rasa fails: the gateway answers 503
    notice = page.wait_for_selector(".notice")
    assert "暂时无法回复" in notice.inner_text()

    page.context.set_offline(True)
    ask(page, "还在吗")
    page.wait_for_selector(".notice >> text=无法连接服务器")
    page.screenshot(path=str(artifacts / "web-chat-6-offline.png"))
    page.context.set_offline(False)
    assert page.locator(".row.typing").count() == 0
    assert page.locator("#send").is_enabled()
