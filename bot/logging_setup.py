"""Logging that never keeps what users type about themselves: phone and ID-card numbers.

People paste their mobile number or 身份证号 into the chat to be called back; those end up
in log lines (errors quoting a message, ticket notes). ``RedactingFilter`` rewrites every
record, exception text included, before a handler writes it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

# 18-digit 居民身份证号 (last character may be X) and mainland mobile numbers 1[3-9]xxxxxxxxx,
# not when they are part of a longer run of digits (order numbers, timestamps).
ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def redact(text: str) -> str:
    """Mask the middle of ID-card and phone numbers.

    >>> redact("电话13812345678，身份证110101199003071234")
    '电话138****5678，身份证110101********1234'
    """
    text = ID_CARD.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    return PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


class RedactingFilter(logging.Filter):
    """Replace a record's message (and its formatted exception) by the redacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_redaction() -> None:
    """Redact every log record of this process when it is created. Safe to call twice.

    A record factory rather than handler filters: it covers loggers and handlers configured
    later (uvicorn, Rasa) and Python's last-resort handler, which filters would miss.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "redacting", False):
        return
    redactor = RedactingFilter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        redactor.filter(record)
        return record

    factory.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
