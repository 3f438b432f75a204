"""Bad input at the gateway: sizes, floods, control characters, headers, CORS, error shapes.

The app is the real gateway (`create_app`) with its real middleware; only Rasa is replaced by
an echo server object, since these checks are about what reaches Rasa and what comes back.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

import pytest
from fastapi.testclient import TestClient

from bot.gateway.app import create_app
from bot.gateway.deps import get_rasa_client
from bot.gateway.limits import RateLimiter
from bot.gateway.middleware import clean_text
from bot.gateway.rasa_client import RasaClient
from bot.logging_setup import install_redaction, redact
from bot.settings import Settings


class EchoRasa(RasaClient):
    """Answers every message with its own text, so a test sees what Rasa was given."""

    def __init__(self) -> None:
        super().__init__(["http://127.0.0.1:9"])
        self.received: List[str] = []

    async def send(self, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        self.received.append(message)
        return [{"recipient_id": sender, "text": message}]


def make_client(**overrides: Any) -> TestClient:
    settings = Settings(**{"cors_origins": ["https://zhengce.example.gov.cn"], **overrides})
    app = create_app(settings)
    echo = EchoRasa()
    app.dependency_overrides[get_rasa_client] = lambda: echo
    client = TestClient(app, raise_server_exceptions=False)
    client.echo = echo  # type: ignore[attr-defined]
    return client


@pytest.fixture()
def client() -> TestClient:
    return make_client()


def chat(client: TestClient, message: Any, sender: str = "u-hygiene", **kwargs: Any):
    return client.post("/api/chat", json={"sender": sender, "message": message}, **kwargs)


# --- control characters, emoji, mixed scripts ---------------------------------------------

CLEAN_CASES = {
    "你好\x00世界": "你好世界",
    "技改\x07\x1b[31m补贴": "技改[31m补贴",
    "\ufeff广西\u202e千企技改\u200b": "广西千企技改",
    "第一行\r\n第二行\r第三行": "第一行\n第二行\n第三行",
    "家人👨‍👩‍👧一起，点赞👍🏽": "家人👨‍👩‍👧一起，点赞👍🏽",
    "English 中文 日本語 한국어 ئۇيغۇرچە": "English 中文 日本語 한국어 ئۇيغۇرچە",
    "国旗🏴\U000e0067\U000e0062\U000e007f": "国旗🏴\U000e0067\U000e0062\U000e007f",
    "孤立\ud800代理": "孤立代理",
}


@pytest.mark.parametrize("raw, expected", CLEAN_CASES.items())
def test_clean_text_table(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_control_characters_never_reach_rasa(client: TestClient) -> None:
    reply = chat(client, "想问\x00问\u202e六安的技改\x1f奖补😀")
    assert reply.status_code == 200
    assert client.echo.received == ["想问问六安的技改奖补😀"]
    assert reply.json()[0]["text"] == "想问问六安的技改奖补😀"


def test_message_of_only_control_characters_is_empty(client: TestClient) -> None:
    reply = chat(client, "\x00\x01\u200b\ufeff")
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["message"] == "消息不能为空"
    assert client.echo.received == []


def test_lone_surrogate_escape_is_not_a_server_error(client: TestClient) -> None:
    body = '{"sender": "u-sur", "message": "税收\\ud800优惠", "metadata": {"x": "\\udfff"}}'
    reply = client.post("/api/chat", content=body, headers={"content-type": "application/json"})
    assert reply.status_code == 200
    assert client.echo.received == ["税收优惠"]


# --- length and size caps -------------------------------------------------------------------

def test_overlong_message_is_refused_with_a_clear_chinese_message(client: TestClient) -> None:
    reply = chat(client, "技" * 501)
    assert reply.status_code == 422
    assert reply.json()["detail"] == [{"field": "message", "message": "消息过长：最多 500 个字，请分几次发送"}]


def test_message_at_the_limit_after_stripping_is_accepted(client: TestClient) -> None:
    reply = chat(client, "技" * 500 + "\x00" * 20)
    assert reply.status_code == 200
    assert client.echo.received == ["技" * 500]


def test_oversized_body_gets_413_in_chinese() -> None:
    client = make_client(max_body_bytes=4096)
    reply = chat(client, "a" * 5000)
    assert reply.status_code == 413
    assert reply.json() == {"detail": "请求内容过大：最多 4 KB。"}
    assert client.echo.received == []


def test_oversized_chunked_body_without_length_gets_413() -> None:
    client = make_client(max_body_bytes=4096)

    def chunks():
        yield b'{"sender": "u", "message": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    reply = client.post("/api/chat", content=chunks(), headers={"content-type": "application/json"})
    assert reply.status_code == 413
    assert "请求内容过大" in reply.json()["detail"]


# --- rate limits ----------------------------------------------------------------------------

def test_token_bucket_refills_with_time() -> None:
    now = [0.0]
    limiter = RateLimiter(rate_per_min=60, burst=2, clock=lambda: now[0])
    assert [limiter.retry_after("a") for _ in range(2)] == [0.0, 0.0]
    assert limiter.retry_after("a") == pytest.approx(1.0)
    assert limiter.retry_after("b") == 0.0
    now[0] = 1.0
    assert limiter.retry_after("a") == 0.0


def test_rate_limiter_forgets_oldest_keys_beyond_its_bound() -> None:
    limiter = RateLimiter(rate_per_min=60, burst=1, max_keys=3, clock=lambda: 0.0)
    for key in "abcd":
        limiter.retry_after(key)
    assert len(limiter._buckets) == 3 and "a" not in limiter._buckets


def test_per_sender_limit_replies_in_chat_shape() -> None:
    client = make_client(sender_burst=3, sender_rate_per_min=6)
    assert [chat(client, "你好", sender="fast").status_code for _ in range(3)] == [200] * 3
    refused = chat(client, "你好", sender="fast")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    [message] = refused.json()
    assert message["recipient_id"] == "fast" and message["text"].startswith("您发消息太快了")
    assert chat(client, "你好", sender="someone-else").status_code == 200


def test_per_ip_limit_on_the_api_but_not_on_wechat_callbacks() -> None:
    client = make_client(ip_burst=4, ip_rate_per_min=1)
    codes = [client.get("/api/search", params={"q": "技改"}).status_code for _ in range(5)]
    assert 429 not in codes[:4] and codes[4] == 429
    refused = client.get("/api/search", params={"q": "技改"})
    assert refused.json()["detail"].startswith("请求过于频繁")
    assert client.get("/wechat").status_code != 429


def test_clients_behind_a_trusted_proxy_are_limited_one_by_one() -> None:
    client = make_client(ip_burst=2, ip_rate_per_min=1, trusted_proxies=["testclient"])
    first = {"x-forwarded-for": "203.0.113.7"}
    second = {"x-forwarded-for": "198.51.100.1, 203.0.113.8"}
    assert [client.get("/api/search", params={"q": "奖补"}, headers=first).status_code for _ in range(3)][2] == 429
    assert client.get("/api/search", params={"q": "奖补"}, headers=second).status_code != 429
    # Without the header the trusted peer is a local tool (tests, load test): no per-IP limit.
    assert all(client.get("/api/search", params={"q": "奖补"}).status_code != 429 for _ in range(5))


def test_limits_can_be_switched_off_for_load_tests() -> None:
    client = make_client(rate_limit_enabled=False, sender_burst=1, ip_burst=1)
    assert {chat(client, "你好", sender="bench").status_code for _ in range(5)} == {200}


# --- headers, CORS, error shapes ------------------------------------------------------------

def test_html_page_carries_security_headers(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"


def test_json_responses_are_nosniff(client: TestClient) -> None:
    assert client.get("/api/search", params={"q": "技改"}).headers["x-content-type-options"] == "nosniff"


def test_cors_only_for_configured_origins(client: TestClient) -> None:
    allowed = "https://zhengce.example.gov.cn"
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    ok = client.options("/api/chat", headers={"origin": allowed, **preflight})
    assert ok.headers.get("access-control-allow-origin") == allowed
    evil = client.options("/api/chat", headers={"origin": "https://evil.example.com", **preflight})
    assert "access-control-allow-origin" not in evil.headers
    simple = client.get("/api/search", params={"q": "技改"}, headers={"origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in simple.headers


@pytest.mark.parametrize(
    "method, path, body, status",
    [
        ("GET", "/no/such/page", None, 404),
        ("DELETE", "/api/chat", None, 405),
        ("POST", "/api/chat", b"{not json", 422),
        ("POST", "/api/chat", b"[1, 2]", 422),
        ("POST", "/api/chat", b'{"sender": 5, "message": {"a": 1}}', 422),
        ("POST", "/api/eligibility", b'{"region": ["\\u0000"]}', 422),
    ],
)
def test_errors_are_structured_chinese_json(client: TestClient, method: str, path: str, body, status: int) -> None:
    reply = client.request(method, path, content=body, headers={"content-type": "application/json"})
    assert reply.status_code == status
    detail = reply.json()["detail"]
    text = detail if isinstance(detail, str) else " ".join(item["message"] for item in detail)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    assert "Traceback" not in reply.text


# --- logs -----------------------------------------------------------------------------------

def test_redact_masks_phone_and_id_numbers_only() -> None:
    assert redact("请打13812345678或0551-12345678") == "请打138****5678或0551-12345678"
    assert redact("身份证34150219900101123X") == "身份证341502********123X"
    assert redact("订单号 202401011234567890123") == "订单号 202401011234567890123"
    assert redact("投资3000万，13%") == "投资3000万，13%"


def test_gateway_logs_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    install_redaction()
    with caplog.at_level(logging.INFO):
        logging.getLogger("bot.gateway.app").info("用户留言：%s", "电话15912345678，身份证110101199003071234")
        # uvicorn's loggers may not propagate to the root (once uvicorn configured logging in this
        # process), so listen on the logger itself.
        uvicorn_error = logging.getLogger("uvicorn.error")
        uvicorn_error.addHandler(caplog.handler)
        try:
            raise ValueError("联系 13900001111")
        except ValueError:
            uvicorn_error.exception("失败")
        finally:
            uvicorn_error.removeHandler(caplog.handler)
    assert "15912345678" not in caplog.text and "110101199003071234" not in caplog.text
    assert "159****5678" in caplog.text and "110101********1234" in caplog.text
    assert "13900001111" not in caplog.text and "139****1111" in caplog.text
