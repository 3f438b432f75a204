"""Text rendering for WeChat (numbered buttons, 2048-byte pieces) and the bounded TTL cache."""

from __future__ import annotations

import pytest

from bot.channels.cache import TTLCache
from bot.channels.replies import Button, render_answer, resolve_choice, split_text

BUTTONS = [Button("省级智能工厂", "/a"), Button("市级绿色工厂", "/b"), Button("其他", "/c")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", "/a"), ("3", "/c"), (" 2 ", "/b"), ("２", "/b"), ("2。", "/b"),
        ("0", None), ("4", None), ("12", None), ("二", None), ("2万", None), ("²", None), ("", None),
    ],
)
def test_resolve_choice(text, expected):
    chosen = resolve_choice(text, BUTTONS)
    assert (chosen.payload if chosen else None) == expected


def test_no_remembered_buttons_means_no_choice():
    assert resolve_choice("1", None) is None
    assert resolve_choice("1", []) is None


def test_render_answer_lists_buttons_as_numbered_choices():
    rendered = render_answer([
        {"recipient_id": "u", "text": "省级智能工厂奖励50万元。\n依据：《六安市…》三.（二）"},
        {"recipient_id": "u", "text": "还想了解什么？", "buttons": [
            {"title": "申报条件", "payload": "/ask_eligibility"}, {"title": "税收优惠", "payload": "/ask_tax_incentive"}]},
    ])
    assert rendered.chunks == [
        "省级智能工厂奖励50万元。\n依据：《六安市…》三.（二）\n还想了解什么？\n回复数字选择：\n1. 申报条件\n2. 税收优惠"
    ]
    assert [b.payload for b in rendered.buttons] == ["/ask_eligibility", "/ask_tax_incentive"]


def test_render_answer_of_nothing_is_nothing():
    assert render_answer([]).chunks == []
    assert render_answer([{"recipient_id": "u", "custom": {"x": 1}}]).chunks == []


@pytest.mark.parametrize("limit", [2048, 100, 10])
def test_split_text_keeps_every_piece_within_the_byte_limit(limit):
    text = "\n".join(["一二三四五六七八九十" * 9, "abc", "", "技术改造" * 30, "x" * 250])
    pieces = split_text(text, limit)
    assert all(len(p.encode("utf-8")) <= limit for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


def test_split_text_prefers_line_breaks():
    line = "汉" * 600  # 1800 bytes
    assert split_text(f"{line}\n{line}", 2048) == [line, line]
    assert split_text("短\n句", 2048) == ["短\n句"]


def test_ttl_cache_forgets_after_ttl_and_stays_bounded():
    now = [0.0]
    cache = TTLCache(maxsize=3, ttl_s=10, clock=lambda: now[0])
    for key in "abcd":
        cache.set(key, key.upper())
    assert len(cache) == 3 and cache.get("a") is None and cache.get("d") == "D"
    now[0] = 10.5
    assert cache.get("b") is None
    cache.set("e", "E")
    assert len(cache) == 1
    assert cache.pop("e") == "E" and cache.get("e") is None
