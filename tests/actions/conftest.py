"""The action tests read the session's knowledge base, compiled once from the real sources (tests/conftest.py)."""

from __future__ import annotations

import pytest

from bot.settings import get_settings


@pytest.fixture
def kb_env(kb_path, monkeypatch):
    monkeypatch.setenv("POLICYBOT_KB_PATH", str(kb_path))
    get_settings.cache_clear()
    yield kb_path
    get_settings.cache_clear()
