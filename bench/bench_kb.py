"""Benchmark of the policy knowledge base: build time, search latency, recall@3.

Run: `.venv/bin/python bench/bench_kb.py` (wired as `make bench`). Builds into a
temporary directory so the served database is not touched.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policy_kb.compiler import build  # noqa: E402
from policy_kb.search import search  # noqa: E402
from policy_kb.store import open_kb  # noqa: E402

RETRIEVAL = ROOT / "tests" / "policy_kb" / "retrieval.yaml"


def load_questions(path: Path = RETRIEVAL) -> list:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def evaluate(kb, questions, k: int = 3, verbose: bool = False):
    """(recall@k, latencies in ms, misses) over the retrieval set."""
    found, latencies, misses = 0, [], []
    for item in questions:
        start = time.perf_counter()
        hits = search(item["q"], region=item.get("region"), k=k, kb=kb)
        latencies.append((time.perf_counter() - start) * 1000)
        got = [f"{h.document_id}:{h.clause}" for h in hits]
        if set(got) & set(item["expect"]):
            found += 1
        else:
            misses.append((item["q"], item["expect"], got))
    return found / len(questions), latencies, misses


def percentile(values, pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "kb.sqlite"
        report = build(db_path=db, userdict_path=None, lookups_path=None)
        kb = open_kb(db)
        questions = load_questions()
        search("预热", kb=kb)  # load jieba and OpenCC once, outside the timing
        evaluate(kb, questions)
        recall, latencies, misses = evaluate(kb, questions)
        print(f"build_time_s      {report.seconds:.2f}  ({report.documents} documents, {report.clauses} clauses)")
        print(f"search_p50_ms     {statistics.median(latencies):.2f}")
        print(f"search_p95_ms     {percentile(latencies, 95):.2f}")
        print(f"recall_at_3       {recall:.3f}  ({len(questions) - len(misses)}/{len(questions)})")
        for q, expect, got in misses:
            print(f"  miss: {q}  expected {expect}  got {got}")
        kb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
