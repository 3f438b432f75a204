"""Customer-service API clients against the fake WeChat API server on loopback."""

from __future__ import annotations

import pytest

from bot.channels.errors import WeChatAPIError
from bot.channels.wechat_api import AccessTokenCache, OfficialAccountAPI, WeComAPI


@pytest.fixture
async def official_api(fake_wechat_api):
    api = OfficialAccountAPI(fake_wechat_api.url, "wx1234567890abcdef", "app-secret")
    yield api
    await api.aclose()


async def test_token_is_fetched_once_and_reused(official_api, fake_wechat_api):
    await official_api.send_text("o-1", "第一条")
    await official_api.send_text("o-1", "第二条")
    assert len(fake_wechat_api.token_requests) == 1
    assert fake_wechat_api.token_requests[0] == {
        "path": "/cgi-bin/token", "grant_type": "client_credential",
        "appid": "wx1234567890abcdef", "secret": "app-secret",
    }
    assert [d["body"]["text"]["content"] for d in fake_wechat_api.delivered()] == ["第一条", "第二条"]


@pytest.mark.parametrize("code", [40001, 42001])
async def test_expired_token_is_refreshed_and_the_send_retried_once(official_api, fake_wechat_api, code):
    await official_api.send_text("o-1", "之前")
    fake_wechat_api.expire_tokens(code)  # e.g. another process refreshed the token
    await official_api.send_text("o-1", "之后")
    attempts = [(s["token"], s["accepted"]) for s in fake_wechat_api.sends]
    assert attempts == [("token-0", True), ("token-0", False), ("token-1", True)]
    assert len(fake_wechat_api.token_requests) == 2


async def test_second_failure_after_refresh_is_raised(official_api, fake_wechat_api, monkeypatch):
    # The fake rejects every token: one refresh, one retry, then the error reaches the caller.
    monkeypatch.setattr(fake_wechat_api, "issue_token", lambda: "never-valid")
    with pytest.raises(WeChatAPIError) as raised:
        await official_api.send_text("o-1", "你好")
    assert raised.value.errcode == 42001
    assert len(fake_wechat_api.sends) == 2


async def test_unreachable_server_is_a_wechat_api_error():
    api = OfficialAccountAPI("http://127.0.0.1:9", "wx1", "s")
    with pytest.raises(WeChatAPIError):
        await api.send_text("o-1", "你好")
    await api.aclose()


async def test_wecom_sends_with_agent_id(fake_wechat_api):
    api = WeComAPI(fake_wechat_api.url, "ww123", "corp-secret", "1000002")
    await api.send_text("lisi", "你好")
    await api.aclose()
    assert fake_wechat_api.token_requests[0]["corpsecret"] == "corp-secret"
    (sent,) = fake_wechat_api.delivered()
    assert sent["path"] == "/cgi-bin/message/send"
    assert sent["body"] == {"touser": "lisi", "msgtype": "text", "agentid": 1000002, "text": {"content": "你好"}}


def test_token_cache_expires_before_the_server_says():
    now = [1000.0]
    cache = AccessTokenCache(clock=lambda: now[0])
    cache.put("abc", expires_in_s=7200)
    now[0] += 7200 - 301
    assert cache.get() == "abc"
    now[0] += 2  # inside the last five minutes: refresh early
    assert cache.get() is None
