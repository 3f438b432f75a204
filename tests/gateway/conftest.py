"""Fixtures for the gateway's policy API: a small FastAPI app that includes the policy router
(independent of app.py), reading the session's KB compiled from the real sources (tests/conftest.py)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.gateway.deps import get_kb
from bot.gateway.routers import policy_api
from policy_kb.store import open_kb


@pytest.fixture()
def policy_client(kb_path):
    """TestClient on an app with only the policy router; `get_kb` is overridden."""
    app = FastAPI()
    app.include_router(policy_api.router)
    app.dependency_overrides[get_kb] = lambda: open_kb(kb_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
