"""Fixtures: the filled-in firm list, a fresh data directory, and a gateway with staff accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import firm_list
import pytest
from console_client import STAFF
from fastapi.testclient import TestClient

from bot.settings import get_settings


@pytest.fixture(scope="session")
def firm_workbook(tmp_path_factory) -> Path:
    return firm_list.write(tmp_path_factory.mktemp("firms") / "企业名单.xlsx")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, kb_path) -> Iterator[Path]:
    """A fresh data directory and the session's KB, for this process and the workers it starts."""
    path = tmp_path_factory.mktemp("var")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLICYBOT_DATA_DIR", str(path))
        mp.setenv("POLICYBOT_KB_PATH", str(kb_path))
        mp.setenv("POLICYBOT_RATE_LIMIT_ENABLED", "false")  # the test client polls
        get_settings.cache_clear()
        yield path
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def staff_store(data_dir):
    from bot.helpdesk.store import default_store

    store = default_store()
    for name, (password, department) in STAFF.items():
        store.add_staff(name, password, department)
    return store


@pytest.fixture(scope="module")
def client(staff_store) -> TestClient:
    from bot.gateway.app import create_app

    return TestClient(create_app())
