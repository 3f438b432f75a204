"""A knowledge base built from the real sources into a temporary directory for action tests."""

from __future__ import annotations

import pytest

from bot.settings import get_settings
from policy_kb.compiler import build


@pytest.fixture(scope="module")
def _kb_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("kb") / "policy_kb.sqlite"
    build(db_path=path, userdict_path=None, lookups_path=None)
    return path


@pytest.fixture
def kb_env(_kb_file, monkeypatch):
    monkeypatch.setenv("POLICYBOT_KB_PATH", str(_kb_file))
    get_settings.cache_clear()
    yield _kb_file
    get_settings.cache_clear()
