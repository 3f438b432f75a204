"""Session-wide test setup: a private data directory, the knowledge base compiled once from the
real sources (`kb_path`, `kb`), and the real three-process stack."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from bot.dev.ports import free_port

# Tickets, trackers and staff users of the tests live in a throw-away directory, shared by the
# test process and the stack it starts (set before anything reads the settings).
_DATA_DIR = tempfile.mkdtemp(prefix="policybot-test-")
os.environ["POLICYBOT_DATA_DIR"] = _DATA_DIR


def pytest_configure(config: pytest.Config) -> None:
    # Beside pyproject.toml's slow and stack: `make test-fast` leaves these out too.
    config.addinivalue_line("markers", "browser: drives the headless Debian chromium through Playwright")
    config.addinivalue_line(
        "markers", "cluster: needs real PostgreSQL and Redis (scripts/test-services.sh), some two Rasa servers too"
    )


@pytest.fixture(scope="session")
def kb_path(tmp_path_factory) -> Path:
    """The knowledge base compiled from the real sources, once per test session."""
    from policy_kb.compiler import build

    path = tmp_path_factory.mktemp("kb-session") / "policy_kb.sqlite"
    build(db_path=path, userdict_path=None, lookups_path=None)
    return path


@pytest.fixture(scope="session")
def kb(kb_path):
    """The session's knowledge base (`kb_path`), opened; tests only read it."""
    from policy_kb.store import open_kb

    return open_kb(kb_path)


@pytest.fixture(scope="session")
def stack_settings():
    from bot.settings import Settings, get_settings

    get_settings.cache_clear()
    settings = Settings(
        gateway_port=free_port(), rasa_port=free_port(), action_port=free_port(), data_dir=Path(_DATA_DIR)
    )
    return settings


@pytest.fixture(scope="session")
def running_stack(stack_settings) -> Iterator[object]:
    """Rasa, the action server and the gateway as `policybot run` starts them, on spare ports."""
    from bot.stack.single_node import Stack

    stack = Stack(stack_settings)
    with stack:
        yield stack
    left = stack.alive()
    assert not left, f"processes left running after stop: {left}"


@pytest.fixture(scope="session")
def live_stack(running_stack, stack_settings) -> str:
    """Base URL of the running gateway."""
    return f"http://127.0.0.1:{stack_settings.gateway_port}"
