"""Talking to /staff/match as the page does: sign in, upload in chunks, wait for the run."""

from __future__ import annotations

import time
from typing import Any, Dict

from fastapi.testclient import TestClient

STAFF = {"alice": ("pw-alice", "市经信局"), "bob": ("pw-bob", "自治区工业和信息化厅"), "chief": ("pw-chief", None)}


def login(client: TestClient, username: str = "alice") -> Dict[str, str]:
    reply = client.post("/staff/api/login", json={"username": username, "password": STAFF[username][0]})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def upload(client: TestClient, headers: Dict[str, str], data: bytes, filename: str = "企业名单.xlsx",
           chunk: int = 60_000, issuer: str = "") -> Dict[str, Any]:
    """Upload in chunks as the page does and start the run; returns the run as listed."""
    reply = client.post("/staff/match/api/runs", json={"filename": filename, "size": len(data), "issuer": issuer},
                        headers=headers)
    assert reply.status_code == 200, reply.text
    run_id = reply.json()["id"]
    for offset in range(0, len(data), chunk):
        part = client.put(f"/staff/match/api/runs/{run_id}/file", params={"offset": offset},
                          content=data[offset:offset + chunk], headers=headers)
        assert part.status_code == 200, part.text
    return client.post(f"/staff/match/api/runs/{run_id}/start", headers=headers).json()


def wait_done(client: TestClient, headers: Dict[str, str], run_id: str, timeout_s: float = 90) -> Dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run = client.get(f"/staff/match/api/runs/{run_id}", headers=headers).json()
        if run["state"] in ("done", "failed"):
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} did not finish in {timeout_s} s")
