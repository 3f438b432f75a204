"""Fixtures for the gateway's policy API: a KB compiled from the real sources into a temp
dir, and a small FastAPI app that includes the policy router (independent of app.py)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.gateway.deps import get_kb
from bot.gateway.routers import policy_api
from policy_kb.compiler import build
from policy_kb.store import open_kb


@pytest.fixture(scope="session")
def policy_kb_path(tmp_path_factory):
    """Path of a knowledge base built from policy_kb/sources."""
    db = tmp_path_factory.mktemp("policy_kb") / "policy_kb.sqlite"
    build(db_path=db, userdict_path=None, lookups_path=None)
    return db


@pytest.fixture()
def policy_client(policy_kb_path):
    """TestClient on an app with only the policy router; `get_kb` is overridden."""
    app = FastAPI()
    app.include_router(policy_api.router)
    app.dependency_overrides[get_kb] = lambda: open_kb(policy_kb_path)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
