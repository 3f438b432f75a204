"""Conversation speed through the gateway, with real actions and knowledge-base look-ups.

Prints: round-trip p50/p95 over fresh 10-message conversations sent one at a time;
messages per second with 8 conversations sending back-to-back; the latency of message 100
of one long conversation against message 5. Starts its own stack on spare ports unless
--url points at a running gateway. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import List

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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


async def say(client: httpx.AsyncClient, sender: str, text: str) -> float:
    started = time.perf_counter()
    reply = await client.post("/api/chat", json={"sender": sender, "message": text})
    elapsed = time.perf_counter() - started
    if reply.status_code != 200 or not reply.json():
        raise RuntimeError(f"no reply to {text!r}: {reply.status_code} {reply.text[:200]}")
    return elapsed


async def one_at_a_time(client: httpx.AsyncClient, conversations: int) -> List[float]:
    latencies = []
    for _ in range(conversations):
        sender = f"bench-{uuid.uuid4().hex[:10]}"
        for text in CONVERSATION:
            latencies.append(await say(client, sender, text))
    return latencies


async def concurrent(client: httpx.AsyncClient, users: int, rounds: int) -> float:
    async def user() -> int:
        sender = f"bench-c-{uuid.uuid4().hex[:10]}"
        for _ in range(rounds):
            for text in CONVERSATION:
                await say(client, sender, text)
        return rounds * len(CONVERSATION)

    started = time.perf_counter()
    sent = sum(await asyncio.gather(*(user() for _ in range(users))))
    return sent / (time.perf_counter() - started)


async def long_conversation(client: httpx.AsyncClient, length: int = 100) -> List[float]:
    sender = f"bench-long-{uuid.uuid4().hex[:10]}"
    return [await say(client, sender, CONVERSATION[i % len(CONVERSATION)]) for i in range(length)]


async def measure(base_url: str, conversations: int, rounds: int) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        await one_at_a_time(client, 1)  # warm-up: models, caches, connections
        latencies = await one_at_a_time(client, conversations)
        print(f"one at a time ({len(latencies)} messages, {conversations} fresh 10-message conversations): "
              f"p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {percentile(latencies, 95) * 1000:.1f} ms")
        rate = await concurrent(client, 8, rounds)
        print(f"8 concurrent conversations back-to-back: {rate:.1f} messages/s")
        long = await long_conversation(client)
        early, late = statistics.median(long[2:7]), statistics.median(long[95:100])
        print(f"long conversation: message 5 ≈ {early * 1000:.1f} ms, message 100 ≈ {late * 1000:.1f} ms "
              f"(ratio {late / early:.2f}; medians of messages 3-7 and 96-100)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    print("starting the stack for the benchmark …", flush=True)
    # One sender sends 100 messages back to back: the per-sender limit would (rightly) refuse it.
    with Stack(settings, env={"POLICYBOT_RATE_LIMIT_ENABLED": "false"}):
        asyncio.run(measure(f"http://127.0.0.1:{settings.gateway_port}", args.conversations, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
