"""Fixtures: a helpdesk database in a temporary data_dir, and a gateway app with the helpdesk routers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.helpdesk import handoff
from bot.helpdesk.store import SqliteTicketStore, default_store
from bot.settings import get_settings


class SteppingClock:
    """A clock the test moves forward by hand (token expiry, ticket numbers across days)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Iterator:
    """POLICYBOT_DATA_DIR points at a fresh directory: `default_store()` opens a file there."""
    monkeypatch.setenv("POLICYBOT_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def store(data_dir) -> SqliteTicketStore:
    return default_store()


@pytest.fixture
def clock() -> SteppingClock:
    return SteppingClock(datetime(2026, 11, 22, 9, 30).astimezone())


@pytest.fixture
def clocked_store(tmp_path, clock) -> SqliteTicketStore:
    return SqliteTicketStore(tmp_path / "clocked.sqlite", clock=clock)


@pytest.fixture(autouse=True)
def no_deliveries() -> Iterator[None]:
    """Delivery functions registered by a test do not leak into the next one."""
    yield
    for channel in ("web", "wechat", "wecom"):
        handoff.register_delivery(channel, None)
        handoff.register_notifier(channel, None)


def build_app() -> FastAPI:
    """The lead's gateway plus the helpdesk routers (unless the lead already includes them)."""
    from bot.gateway.app import create_app
    from bot.gateway.routers import handoff as handoff_router
    from bot.gateway.routers import staff

    app = create_app()
    paths = {getattr(route, "path", None) for route in app.routes}
    if "/staff/api/login" not in paths:
        app.include_router(staff.router)
    if "/api/chat/updates" not in paths:
        app.include_router(handoff_router.router)
    return app


@pytest.fixture
def gateway_app(store) -> FastAPI:
    return build_app()


@pytest.fixture
def client(gateway_app) -> TestClient:
    return TestClient(gateway_app)
