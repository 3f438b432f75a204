"""The per-sender rate limit on the WeChat and WeCom callbacks (same buckets as the web chat).

Each test sets the limit on the channel settings before the first message: the channels
are built, with their buckets, on first use. One token a minute and a burst of 2 means the
third message in a row is refused, and no token comes back during a test.
"""

from __future__ import annotations

import re

import pytest

LIMIT_REPLY = re.compile(r"您发消息太快了，请 (\d+) 秒后再发。")


@pytest.fixture
def tight_limit(channel_settings):
    channel_settings.rate_limit_enabled = True
    channel_settings.sender_burst = 2
    channel_settings.sender_rate_per_min = 1.0
    return channel_settings


def assert_limit_reply(content: str) -> None:
    match = LIMIT_REPLY.fullmatch(content)
    assert match, content
    # One token a minute: the wait is a minute, less the few moments the test has taken.
    assert 50 <= int(match.group(1)) <= 60


async def test_burst_beyond_the_limit_gets_the_chinese_reply_and_rasa_is_not_asked(
    tight_limit, official_account, fake_rasa
):
    replies = [
        official_account.reply(await official_account.text(f"问题{n}", msg_id=7000 + n))["Content"]
        for n in range(1, 5)
    ]
    assert replies[:2] == ["收到：问题1", "收到：问题2"]
    assert_limit_reply(replies[2])
    assert_limit_reply(replies[3])
    assert fake_rasa.texts() == ["问题1", "问题2"]


async def test_safe_mode_refusal_is_an_encrypted_passive_reply(tight_limit, official_account, fake_rasa):
    for n in (1, 2):
        await official_account.text(f"问题{n}", msg_id=7100 + n, safe=True)
    response = await official_account.text("问题3", msg_id=7103, safe=True)
    assert response.status_code == 200
    assert "<Encrypt>" in response.text and "太快" not in response.text
    reply = official_account.reply(response)
    assert reply["ToUserName"] == "o-user-1"
    assert_limit_reply(reply["Content"])
    assert fake_rasa.texts() == ["问题1", "问题2"]


async def test_another_openid_is_not_affected(tight_limit, official_account, fake_rasa):
    for n in range(1, 4):
        await official_account.text(f"问题{n}", msg_id=7200 + n, user="o-fast")
    other = await official_account.text("你好", msg_id=7210, user="o-calm")
    assert official_account.reply(other)["Content"] == "收到：你好"
    assert fake_rasa.texts() == ["问题1", "问题2", "你好"]
    assert [m["sender"] for m in fake_rasa.messages] == ["wechat:o-fast", "wechat:o-fast", "wechat:o-calm"]


async def test_wecom_user_is_limited_and_another_user_is_not(tight_limit, wecom, fake_rasa):
    replies = [wecom.reply(await wecom.text(f"问题{n}", msg_id=7300 + n))["Content"] for n in range(1, 4)]
    assert replies[:2] == ["收到：问题1", "收到：问题2"]
    assert_limit_reply(replies[2])
    other = await wecom.text("你好", msg_id=7310, user="lisi")
    assert wecom.reply(other)["Content"] == "收到：你好"
    assert [m["sender"] for m in fake_rasa.messages] == ["wecom:zhangsan", "wecom:zhangsan", "wecom:lisi"]


async def test_wechat_and_wecom_users_have_separate_buckets(tight_limit, official_account, wecom, fake_rasa):
    for n in range(1, 4):
        await official_account.text(f"问题{n}", msg_id=7400 + n, user="zhangsan")
    response = await wecom.text("你好", msg_id=7410, user="zhangsan")
    assert wecom.reply(response)["Content"] == "收到：你好"


async def test_retried_msg_id_takes_no_token(tight_limit, official_account, fake_rasa):
    for _ in range(3):  # the first delivery and two WeChat retries of it
        response = await official_account.text("问题1", msg_id=7501)
        assert official_account.reply(response)["Content"] == "收到：问题1"
    second = await official_account.text("问题2", msg_id=7502)
    assert official_account.reply(second)["Content"] == "收到：问题2"
    third = await official_account.text("问题3", msg_id=7503)
    assert_limit_reply(official_account.reply(third)["Content"])
    assert fake_rasa.texts() == ["问题1", "问题2"]


async def test_retry_of_a_refused_message_gets_the_same_refusal_and_never_reaches_rasa(
    tight_limit, official_account, fake_rasa
):
    for n in (1, 2):
        await official_account.text(f"问题{n}", msg_id=7600 + n)
    refused = official_account.reply(await official_account.text("问题3", msg_id=7603))["Content"]
    retried = official_account.reply(await official_account.text("问题3", msg_id=7603))["Content"]
    assert_limit_reply(refused)
    assert retried == refused
    assert fake_rasa.texts() == ["问题1", "问题2"]


async def test_disabled_limit_lets_every_message_through(channel_settings, official_account, wecom, fake_rasa):
    channel_settings.rate_limit_enabled = False
    channel_settings.sender_burst = 1
    channel_settings.sender_rate_per_min = 1.0
    for n in range(1, 5):
        response = await official_account.text(f"问题{n}", msg_id=7700 + n)
        assert official_account.reply(response)["Content"] == f"收到：问题{n}"
    for n in range(1, 4):
        response = await wecom.text(f"企业{n}", msg_id=7710 + n)
        assert wecom.reply(response)["Content"] == f"收到：企业{n}"
    assert fake_rasa.texts() == ["问题1", "问题2", "问题3", "问题4", "企业1", "企业2", "企业3"]
