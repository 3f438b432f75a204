"""Fixtures of the reliability tests: real PostgreSQL + Redis, and the scale-out cluster."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Dict, Iterator

import pytest

from bot.dev.ports import free_port
from bot.settings import REPO_ROOT

SERVICES = REPO_ROOT / "scripts" / "test-services.sh"


@pytest.fixture(scope="session")
def services() -> Iterator[Dict[str, str]]:
    """PostgreSQL and Redis on loopback (installed with apt-get if missing), stopped afterwards."""
    started = subprocess.run([str(SERVICES), "start"], capture_output=True, text=True, timeout=900)
    assert started.returncode == 0, started.stderr
    env = dict(line.split("=", 1) for line in started.stdout.splitlines() if "=" in line)
    yield env
    subprocess.run([str(SERVICES), "stop"], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def cluster(services):
    """Two Rasa servers and two action servers behind one gateway, sharing PostgreSQL and Redis."""
    from bot.settings import Settings
    from bot.stack.cluster import ClusterStack

    settings = Settings(
        gateway_port=free_port(), rasa_port=free_port(), action_port=free_port(),
        data_dir=Path(tempfile.mkdtemp(prefix="policybot-cluster-")),
        tracker_store_url=services["POLICYBOT_TEST_PG_URL"],
        redis_host=services["POLICYBOT_TEST_REDIS_HOST"], redis_port=int(services["POLICYBOT_TEST_REDIS_PORT"]),
        redis_password=services["POLICYBOT_TEST_REDIS_PASSWORD"],
    )
    stack = ClusterStack(
        settings, rasa_ports=[settings.rasa_port, free_port()], action_ports=[settings.action_port, free_port()],
        env={"POLICYBOT_RATE_LIMIT_ENABLED": "false"},
    )
    with stack:
        yield stack
    assert stack.alive() == []
