"""Answer evaluation: sends every case of an answer set (tests/answers/*.yaml) through the real
stack (gateway → Rasa → actions → knowledge base), scores the reply to each case's last turn, and
checks where every number in every reply comes from. Writes reports/answers-<set>.md.

    python -m bot.dev.testing answers-eval [dev|heldout] [--url http://127.0.0.1:8000]

A case passes when every `must` item (a string, or a list of alternatives) appears in the reply,
no `must_not` string does, and a `deferral` case says honestly that the sources do not cover it.
Number provenance: every number in a reply must stand in the knowledge base, in the user's own
messages of that conversation, or on a line that shows its computation (× or =).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set

import yaml

from bot.settings import REPO_ROOT
from nlu.normalise import chinese_number, find_amounts, format_number, normalise_text

SETS = {name: REPO_ROOT / "tests" / "answers" / f"{name}.yaml" for name in ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev12", "dev13", "dev14", "dev15", "dev16", "dev17", "dev18", "dev19", "dev20", "dev21", "dev22", "dev23", "dev24", "dev25", "dev27", "dev28", "dev29", "dev30", "dev31", "dev32", "dev33", "dev34", "dev35", "dev36", "dev37", "dev38", "dev39", "dev40", "heldout")}
REPORTS = REPO_ROOT / "reports"
# What an honest deferral says (the product's wording; docs/answering.md).
DEFERRAL_MARKERS = ("没有规定", "未规定", "没有载明", "未载明", "没有收录", "未收录", "没有明确", "未明确",
                    "未经确认", "未确认", "没有核实", "无法告诉")
TARGET_OVERALL, TARGET_GROUP = 0.95, 0.90
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CHINESE_NUMERAL = re.compile(r"[一二两三四五六七八九十百千零]{2,}")
_SPACES = re.compile(r"\s+")
_TICKET_ID = re.compile(r"T\d{8}-\d{4}")


@dataclass
class Result:
    case: Dict[str, Any]
    replies: List[str]
    passed: bool
    problems: List[str] = field(default_factory=list)
    unsourced: List[str] = field(default_factory=list)


def normalise(text: str) -> str:
    return _SPACES.sub("", normalise_text(text))


def load_cases(name: str) -> List[Dict[str, Any]]:
    data = yaml.safe_load(SETS[name].read_text(encoding="utf-8"))
    return data["cases"]


def score(case: Dict[str, Any], reply: str) -> List[str]:
    """What is wrong with `reply` for `case` (empty: it passes)."""
    text = normalise(reply)
    problems = []
    for item in case.get("must") or []:
        options = item if isinstance(item, list) else [item]
        if not any(normalise(str(option)) in text for option in options):
            problems.append(f"缺少：{' / '.join(map(str, options))}")
    for item in case.get("must_not") or []:
        if normalise(str(item)) in text:
            problems.append(f"不应出现：{item}")
    if case.get("kind") == "deferral" and not any(marker in text for marker in DEFERRAL_MARKERS):
        problems.append("没有如实说明文件未规定")
    return problems


# --- number provenance ---------------------------------------------------------------------

def kb_numbers(kb_path: Path) -> Set[str]:
    """Every number written anywhere in the compiled knowledge base."""
    conn = sqlite3.connect(f"file:{kb_path}?mode=ro", uri=True)
    numbers: Set[str] = set()
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in tables:
        if "fts" in table:
            continue
        for row in conn.execute(f'SELECT * FROM "{table}"'):
            for value in row:
                numbers.update(_numbers_in(str(value)))
    conn.close()
    return numbers


def _numbers_in(text: str) -> Set[str]:
    found = set(_NUMBER.findall(normalise_text(text)))
    for number in list(found):
        if "." in number:
            found.add(number.rstrip("0").rstrip("."))
    for value in [s.value for s in find_amounts(normalise_text(text))]:
        found.add(format_number(value))
    for run in _CHINESE_NUMERAL.findall(text):  # "员工三百二十人": a count in words is the user's number too
        value = chinese_number(run)
        if value is not None:
            found.add(format_number(value))
    found.update(str(int(float(n) * 100)) for n in list(found) if _is_fraction(n))  # 0.15 → 15 (%)
    return found


def _is_fraction(number: str) -> bool:
    try:
        return 0 < float(number) < 1
    except ValueError:
        return False


def unsourced_numbers(replies: Iterable[str], user_turns: Iterable[str], known: Set[str]) -> List[str]:
    """Numbers in the replies that come from neither the KB, the user, nor a shown computation."""
    allowed = set(known)
    for turn in user_turns:
        allowed |= _numbers_in(turn)
    missing = []
    for reply in replies:
        reply = _TICKET_ID.sub("", reply)  # a ticket number is an identifier, not a figure
        for line in normalise_text(reply).splitlines():
            if "=" in line or "×" in line or "－" in line or " − " in line:
                allowed |= set(_NUMBER.findall(line))  # a computation shown: its result may be said again below
                continue  # a computation shown with its inputs
            for number in _NUMBER.findall(line):
                if number not in allowed and number.rstrip("0").rstrip(".") not in allowed:
                    missing.append(f"{number}（{line[:40]}）")
    return missing


# --- running ---------------------------------------------------------------------------------

async def run_case(client, case: Dict[str, Any]) -> List[str]:
    """All reply texts of the conversation, one string per turn."""
    sender = f"eval-{uuid.uuid4().hex[:12]}"
    turns = []
    for text in case["turns"]:
        response = await client.post("/api/chat", json={"sender": sender, "message": text})
        messages = response.json() if response.status_code == 200 else []
        turns.append("\n".join(m.get("text") or "" for m in messages) if messages and response.status_code == 200
                     else f"<HTTP {response.status_code}> {response.text[:80]}")
    return turns


async def run_all(url: str, cases: List[Dict[str, Any]], known: Set[str], concurrency: int = 4,
                  pause_s: float = 0.0) -> List[Result]:
    """`pause_s` after each case keeps a stack with rate limits on below its per-address limit."""
    import httpx

    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        async def one(case):
            async with semaphore:
                turns = await run_case(client, case)
                await asyncio.sleep(pause_s * len(case["turns"]))
            problems = score(case, turns[-1])
            unsourced = unsourced_numbers(turns, case["turns"], known)
            return Result(case, turns, not problems, problems, unsourced)

        return list(await asyncio.gather(*(one(case) for case in cases)))


def report(name: str, results: List[Result], seconds: float) -> str:
    by_group: Dict[str, List[Result]] = defaultdict(list)
    for result in results:
        by_group[result.case.get("group", "?")].append(result)
    overall = sum(r.passed for r in results) / max(1, len(results))
    unsourced = [r for r in results if r.unsourced]
    lines = [f"# Answer evaluation: {name} ({len(results)} cases)", "",
             f"Overall accuracy **{overall:.3f}** (target ≥ {TARGET_OVERALL}); every group ≥ {TARGET_GROUP}.",
             f"Number provenance: {sum(len(r.unsourced) for r in results)} numbers without a source "
             f"in {len(unsourced)} cases (target 0). Run time {seconds:.0f} s.", "",
             "| group | cases | passed | accuracy |", "|---|---|---|---|"]
    for group in sorted(by_group):
        group_results = by_group[group]
        passed = sum(r.passed for r in group_results)
        lines.append(f"| {group} | {len(group_results)} | {passed} | {passed / len(group_results):.3f} |")
    lines += ["", "## Failing cases", ""]
    for result in results:
        if result.passed and not result.unsourced:
            continue
        case = result.case
        lines.append(f"### {case['id']} ({case.get('group')}, {case.get('kind')})")
        for turn, reply in zip(case["turns"], result.replies, strict=True):
            lines.append(f"- 用户：{turn}")
            lines.append("- 助手：" + reply.replace("\n", " ⏎ "))
        lines += [f"- **{p}**" for p in result.problems]
        lines += [f"- **无来源数字**：{n}" for n in result.unsourced]
        lines.append("")
    return "\n".join(lines) + "\n"


def evaluate(name: str, url: Optional[str]) -> List[Result]:
    from bot.settings import get_settings

    cases = load_cases(name)
    known = kb_numbers(Path(get_settings().kb_path))
    started = time.perf_counter()
    if url:
        results = asyncio.run(run_all(url, cases, known))
    else:
        results = _with_stack(lambda base: asyncio.run(run_all(base, cases, known)))
    text = report(name, results, time.perf_counter() - started)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / f"answers-{name}.md").write_text(text, encoding="utf-8")
    print("\n".join(text.splitlines()[:30]))
    print(f"完整报告：reports/answers-{name}.md")
    return results


def _with_stack(run):
    from bot.dev.ports import free_port
    from bot.settings import Settings
    from bot.stack.single_node import Stack

    settings = Settings(gateway_port=free_port(), rasa_port=free_port(), action_port=free_port(),
                        data_dir=Path(tempfile.mkdtemp(prefix="policybot-answers-")))
    print("starting the stack for the answer evaluation …", flush=True)
    with Stack(settings, env={"POLICYBOT_RATE_LIMIT_ENABLED": "false"}):
        return run(f"http://127.0.0.1:{settings.gateway_port}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("set", nargs="?", default="heldout", choices=sorted(SETS))
    parser.add_argument("--url", help="a running gateway, e.g. http://127.0.0.1:8000")
    args = parser.parse_args(argv)
    evaluate(args.set, args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
