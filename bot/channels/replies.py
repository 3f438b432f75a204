"""Rasa answers as WeChat text: buttons become numbered choices, long text is split.

WeChat shows plain text only and rejects a text message over 2048 bytes (UTF-8), so an
answer is rendered to text, its quick-reply buttons listed as "回复数字选择：1. … 2. …",
and the whole cut into pieces on line breaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

WECHAT_TEXT_LIMIT_BYTES = 2048
CHOICE_HEADER = "回复数字选择："


@dataclass
class Button:
    """One quick reply: what the user sees and what is sent to Rasa when chosen."""

    title: str
    payload: str


@dataclass
class RenderedAnswer:
    """An answer ready for WeChat: text pieces, each within the limit, and the buttons offered."""

    chunks: List[str] = field(default_factory=list)
    buttons: List[Button] = field(default_factory=list)


def render_answer(
    messages: Iterable[Dict[str, Any]], limit_bytes: int = WECHAT_TEXT_LIMIT_BYTES
) -> RenderedAnswer:
    """Render Rasa REST messages to text pieces; e.g. ``[{"text": "好的"}]`` → ``["好的"]``."""
    lines: List[str] = []
    buttons: List[Button] = []
    for message in messages:
        lines.extend(_message_lines(message))
        buttons.extend(_buttons(message))
    if buttons:
        lines.append(CHOICE_HEADER)
        lines.extend(f"{number}. {button.title}" for number, button in enumerate(buttons, 1))
    text = "\n".join(line for line in lines if line is not None).strip()
    return RenderedAnswer(chunks=split_text(text, limit_bytes) if text else [], buttons=buttons)


def _message_lines(message: Dict[str, Any]) -> List[str]:
    lines = []
    if isinstance(message.get("text"), str) and message["text"].strip():
        lines.append(message["text"].strip())
    if isinstance(message.get("image"), str):
        lines.append(message["image"])
    return lines


def _buttons(message: Dict[str, Any]) -> List[Button]:
    found = []
    for raw in message.get("buttons") or []:
        if not isinstance(raw, dict):
            continue
        title = str(raw.get("title") or raw.get("payload") or "").strip()
        payload = str(raw.get("payload") or title).strip()
        if title:
            found.append(Button(title=title, payload=payload))
    return found


def split_text(text: str, limit_bytes: int = WECHAT_TEXT_LIMIT_BYTES) -> List[str]:
    """Cut ``text`` into pieces of at most ``limit_bytes`` UTF-8 bytes, preferring line breaks."""
    pieces: List[str] = []
    current = ""
    for line in _fitting_lines(text, limit_bytes):
        candidate = f"{current}\n{line}" if current else line
        if _size(candidate) <= limit_bytes:
            current = candidate
            continue
        pieces.append(current)
        current = line
    if current:
        pieces.append(current)
    return [piece.strip("\n") for piece in pieces if piece.strip()]


def _fitting_lines(text: str, limit_bytes: int) -> Iterable[str]:
    """The lines of ``text``; a line longer than the limit is cut between characters."""
    for line in text.split("\n"):
        while _size(line) > limit_bytes:
            cut = _longest_prefix(line, limit_bytes)
            yield line[:cut]
            line = line[cut:]
        yield line


def _longest_prefix(line: str, limit_bytes: int) -> int:
    size = 0
    for index, char in enumerate(line):
        size += _size(char)
        if size > limit_bytes:
            return max(index, 1)
    return len(line)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def resolve_choice(text: str, buttons: Optional[List[Button]]) -> Optional[Button]:
    """The button the user picked by answering with its number (e.g. "2" or "２"), else None."""
    if not buttons:
        return None
    stripped = text.strip().rstrip(".。、")
    if not stripped.isdecimal():
        return None
    number = int(stripped)  # int() also reads full-width digits such as "２"
    if 1 <= number <= len(buttons):
        return buttons[number - 1]
    return None
