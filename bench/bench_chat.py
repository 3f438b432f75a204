"""Conversation speed through the gateway, with real actions and knowledge-base look-ups.

Prints: the time from starting the stack (`policybot run`'s processes) to healthy; round-trip
p50/p95 over fresh 10-message conversations sent one at a time; messages per second with 8
conversations sending back-to-back; the latency of message 100 of one long conversation
against message 5; the resident memory of the whole stack (gateway, Rasa, action server and
their children) after the benchmark; the load average beside each. Starts its own stack on
spare ports unless --url points at a running gateway. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import List, Tuple

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.dev.ports import free_port  # noqa: E402

CONVERSATION = [
    "你好",
    "六安省级智能工厂奖励多少",
    "市级绿色工厂和数字化车间一共多少钱",
    "我们是广西的规上企业，想问问技改项目能不能入选千企技改",
    "3000万，已经备案",
    "800万",
    "不对，是2500万",
    "研发费用800万能少交多少税",
    "技改项目备案去哪里办",
    "谢谢",
]


def percentile(values: List[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


class Client:
    """The benchmark's HTTP client: aiohttp, because it shares the two cores with the stack it
    measures (httpx cost 2.3 ms of CPU per message here, aiohttp ≈0.6 ms)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))

    async def post_chat(self, sender: str, text: str) -> Tuple[int, str]:
        async with self.session.post(f"{self.base_url}/api/chat", json={"sender": sender, "message": text}) as reply:
            return reply.status, await reply.text()

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()


async def say(client: Client, sender: str, text: str) -> float:
    started = time.perf_counter()
    status, body = await client.post_chat(sender, text)
    elapsed = time.perf_counter() - started
    if status != 200 or not json.loads(body):
        raise RuntimeError(f"no reply to {text!r}: {status} {body[:200]}")
    return elapsed


async def one_at_a_time(client: Client, conversations: int) -> List[float]:
    latencies = []
    for _ in range(conversations):
        sender = f"bench-{uuid.uuid4().hex[:10]}"
        for text in CONVERSATION:
            latencies.append(await say(client, sender, text))
    return latencies


async def concurrent(client: Client, users: int, rounds: int) -> float:
    async def user() -> int:
        sender = f"bench-c-{uuid.uuid4().hex[:10]}"
        for _ in range(rounds):
            for text in CONVERSATION:
                await say(client, sender, text)
        return rounds * len(CONVERSATION)

    started = time.perf_counter()
    sent = sum(await asyncio.gather(*(user() for _ in range(users))))
    return sent / (time.perf_counter() - started)


async def long_conversation(client: Client, length: int = 100) -> List[float]:
    sender = f"bench-long-{uuid.uuid4().hex[:10]}"
    return [await say(client, sender, CONVERSATION[i % len(CONVERSATION)]) for i in range(length)]


async def measure(base_url: str, conversations: int, rounds: int) -> None:
    async with Client(base_url) as client:
        await one_at_a_time(client, 1)  # warm-up: models, caches, connections
        latencies = await one_at_a_time(client, conversations)
        print(f"one at a time ({len(latencies)} messages, {conversations} fresh 10-message conversations): "
              f"p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {percentile(latencies, 95) * 1000:.1f} ms "
              f"({load_average()})")
        rate = await concurrent(client, 8, rounds)
        print(f"8 concurrent conversations back-to-back: {rate:.1f} messages/s ({load_average()})")
        long = await long_conversation(client)
        early, late = statistics.median(long[2:7]), statistics.median(long[95:100])
        print(f"long conversation: message 5 ≈ {early * 1000:.1f} ms, message 100 ≈ {late * 1000:.1f} ms "
              f"(ratio {late / early:.2f}; medians of messages 3-7 and 96-100)")


def load_average() -> str:
    """“load 0.12 0.30 0.25” (1, 5 and 15 minutes): the figures mean little on a busy machine."""
    with open("/proc/loadavg", encoding="ascii") as handle:
        return "load " + " ".join(handle.read().split()[:3])


def resident_mb(pids: List[int]) -> float:
    """Resident memory (VmRSS) of the processes and all their descendants, in MB."""
    children: dict = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total_kb, todo, seen = 0, list(pids), set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="a running gateway, e.g. http://127.0.0.1:8000")
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the 10-message script per concurrent user")
    args = parser.parse_args()
    if args.url:
        asyncio.run(measure(args.url, args.conversations, args.rounds))
        return 0
    import tempfile

    from bot.settings import Settings
    from bot.stack.single_node import Stack

    settings = Settings(gateway_port=free_port(), rasa_port=free_port(), action_port=free_port(),
                        data_dir=Path(tempfile.mkdtemp(prefix="policybot-bench-")))
    print(f"starting the stack for the benchmark ({settings.rasa_workers} Rasa process(es)) … {load_average()}",
          flush=True)
    started = time.perf_counter()
    # One sender sends 100 messages back to back: the per-sender limit would (rightly) refuse it.
    with Stack(settings, env={"POLICYBOT_RATE_LIMIT_ENABLED": "false"}) as stack:
        print(f"stack healthy {time.perf_counter() - started:.1f} s after start ({load_average()})", flush=True)
        asyncio.run(measure(f"http://127.0.0.1:{settings.gateway_port}", args.conversations, args.rounds))
        pids = [child.process.pid for child in stack.children if child.process]
        print(f"whole stack resident after the benchmark: {resident_mb(pids):.0f} MB "
              f"({len(pids)} processes and their children; {load_average()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
