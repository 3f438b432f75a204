"""Benchmark of the rules engine (issue 4): `python bench/bench_rules.py [--firms N] [--requests N]`.

Prints
- eligibility latency per request over HTTP (FastAPI TestClient on the policy router), p50/p95;
- batch throughput on a generated CSV of N firms (default 100,000): wall time, CPU time,
  firms per second (wall and per CPU-second: the machine is shared, CPU time shows what one
  core does), for csv output;
- peak memory (resource.getrusage, max RSS).
Targets: ≥ 20,000 firms/s on one core; the 100,000-firm run (read, evaluate, write) < 10 s.
The knowledge base is compiled from policy_kb/sources into a temp dir.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from bot.gateway.deps import get_kb  # noqa: E402
from bot.gateway.routers import policy_api  # noqa: E402
from policy_kb import batch  # noqa: E402
from policy_kb.compiler import build  # noqa: E402
from policy_kb.store import open_kb  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "firms.csv"
REQUESTS = [
    {"region": "广西", "enterprise": {"above_designated_size": True},
     "project": {"fixed_asset_investment_wan": 3000, "filed_or_approved": True, "investment_this_year_wan": 800}},
    {"region": "六安", "enterprise": {"above_designated_size": True},
     "project": {"direction": "智能化", "fixed_asset_investment_wan": 300, "filed_or_approved": True}},
    {"region": "广西", "project": {"fixed_asset_investment_wan": 800}},
]


def generate_firms(path: Path, n: int, seed: int = 7) -> None:
    """N firms drawn from the valid rows of examples/firms.csv, with amounts jittered."""
    with open(EXAMPLES, encoding="utf-8") as f:
        templates = [r for r in csv.DictReader(f) if not r["name"].startswith("错误")]
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, batch.INPUT_COLUMNS)
        writer.writeheader()
        for i in range(n):
            row = dict(rng.choice(templates), name=f"企业{i:06d}")
            for column in ("fixed_asset_investment_wan", "investment_this_year_wan", "rd_expense_wan"):
                if row.get(column):
                    row[column] = f"{float(row[column].replace(',', '')) * rng.uniform(0.5, 1.5):.2f}"
            writer.writerow(row)


def bench_http(db: Path, n: int) -> None:
    app = FastAPI()
    app.include_router(policy_api.router)
    app.dependency_overrides[get_kb] = lambda: open_kb(db)
    times = []
    with TestClient(app) as client:
        for i in range(n):
            start = time.perf_counter()
            response = client.post("/api/eligibility", json=REQUESTS[i % len(REQUESTS)])
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.text
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"eligibility over HTTP: {n} requests, p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms")


def bench_batch(db: Path, firms: Path, n: int, out: Path) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    report = batch.match(firms, out, kb=open_kb(db), progress=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"batch match: {report.rows} firms ({len(report.bad)} bad) in {wall:.2f} s wall / {cpu:.2f} s CPU: "
          f"{report.rows / wall:,.0f} firms/s wall, {report.rows / cpu:,.0f} firms per CPU-second")
    print(f"  target: ≥ 20,000 firms/s, 100,000 firms < 10 s -> "
          f"{'met' if report.rows / cpu >= 20000 and (n < 100000 or cpu < 10) else 'NOT met'} (CPU time)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    total = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "policy_kb.sqlite"
        build(db_path=db, userdict_path=None, lookups_path=None)
        bench_http(db, args.requests)
        generate_firms(tmp / "firms.csv", args.firms)
        bench_batch(db, tmp / "firms.csv", args.firms, tmp / "results.csv")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total {time.perf_counter() - total:.1f} s, peak memory {peak_mb:.0f} MB (max RSS)")


if __name__ == "__main__":
    main()
