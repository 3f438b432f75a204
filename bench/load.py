"""Load test of the chat API (`make load`): N concurrent conversations for T seconds.

Each simulated user runs short conversations (a fresh sender every script); between two
messages it pauses ``--think`` seconds on average (uniform between half and one and a half
times that; 0 = back to back, which measures saturation: with N users each waiting for its
reply, latency ≈ N / throughput). Every reply is checked: a non-200 answer or a transport failure is an *error*, a 200 with
no bot text is a *lost* message. Prints throughput and latency percentiles.

By default it starts its own stack (Rasa, action server, gateway) on spare loopback ports
with a throw-away data directory; ``--url`` targets a running gateway instead (loopback
only: this tool must never load someone else's server). ``--long 100`` instead measures
one long conversation: the latency of message 100 against message 5.

    python bench/load.py --conversations 8 --seconds 60 --think 1
    python bench/load.py --conversations 8 --seconds 60 --think 0
    python bench/load.py --long 100
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.dev.ports import free_port  # noqa: E402

# A realistic mix: the docs/product.md §3 form, an award look-up, a tax question, small talk.
SCRIPT = [
    "你好",
    "我们是广西的规上企业，想问问技改项目能不能入选千企技改",
    "3000万，已经备案",
    "800万",
    "六安省级智能工厂奖励多少",
    "研发费用加计扣除怎么算",
    "你都能帮我干些什么",
    "六安的技改项目入库要什么条件",
    "谢谢",
    "再见",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class LoadTestError(Exception):
    """Bad arguments (e.g. a non-loopback URL) or a stack that did not start."""


@dataclass
class Tally:
    latencies_ms: List[float] = field(default_factory=list)
    errors: int = 0
    lost: int = 0
    error_samples: List[str] = field(default_factory=list)

    def note_error(self, text: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(text)


async def send(client: httpx.AsyncClient, sender: str, text: str, tally: Tally) -> Optional[float]:
    """One message; records latency, error or loss; returns the latency in ms when answered."""
    start = time.perf_counter()
    try:
        reply = await client.post("/api/chat", json={"sender": sender, "message": text})
    except httpx.HTTPError as error:
        tally.note_error(f"{type(error).__name__}: {error}")
        return None
    elapsed = (time.perf_counter() - start) * 1000
    if reply.status_code != 200:
        tally.note_error(f"HTTP {reply.status_code}: {reply.text[:120]}")
        return None
    if not any(message.get("text") for message in reply.json()):
        tally.lost += 1
        return None
    tally.latencies_ms.append(elapsed)
    return elapsed


async def user(client: httpx.AsyncClient, deadline: float, tally: Tally, think_s: float, rng: random.Random) -> None:
    """One simulated user: fresh conversations of SCRIPT until the deadline, pausing about
    ``think_s`` seconds after each reply."""
    while time.monotonic() < deadline:
        sender = f"load-{uuid.uuid4().hex[:10]}"
        for text in SCRIPT:
            if time.monotonic() >= deadline:
                return
            await send(client, sender, text, tally)
            if think_s > 0:
                await asyncio.sleep(min(rng.uniform(0.5 * think_s, 1.5 * think_s), max(0.0, deadline - time.monotonic())))


async def run_load(url: str, conversations: int, seconds: float, think_s: float = 0.0) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=conversations, max_keepalive_connections=conversations)
    async with httpx.AsyncClient(base_url=url, timeout=60.0, limits=limits) as client:
        deadline = time.monotonic() + seconds
        users = (user(client, deadline, tally, think_s, random.Random(number)) for number in range(conversations))
        await asyncio.gather(*users)
    return tally


async def run_long(url: str, length: int) -> List[Optional[float]]:
    """Latency of each message of one conversation of ``length`` messages, sent one at a time."""
    tally = Tally()
    sender = f"long-{uuid.uuid4().hex[:10]}"
    async with httpx.AsyncClient(base_url=url, timeout=60.0) as client:
        return [await send(client, sender, SCRIPT[i % len(SCRIPT)], tally) for i in range(length)]


def percentile(values: List[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def report_load(tally: Tally, conversations: int, seconds: float, think_s: float = 0.0) -> str:
    answered = len(tally.latencies_ms)
    pause = f"每条消息后平均停顿 {think_s:g} 秒" if think_s > 0 else "不停顿、连续发送（饱和）"
    lines = [
        f"并发会话 {conversations}，时长 {seconds:.0f} 秒，{pause}，CPU 核数 {os.cpu_count()}",
        f"消息总数 {answered + tally.errors + tally.lost}，成功 {answered}，错误 {tally.errors}，丢失 {tally.lost}",
        f"吞吐量 {answered / seconds:.1f} 条/秒",
    ]
    if answered:
        p50, p95, p99 = (percentile(tally.latencies_ms, p) for p in (50, 95, 99))
        lines.append(f"延迟 p50 {p50:.0f} ms，p95 {p95:.0f} ms，p99 {p99:.0f} ms，最大 {max(tally.latencies_ms):.0f} ms")
    lines += [f"错误示例：{sample}" for sample in tally.error_samples]
    return "\n".join(lines)


def report_long(latencies: List[Optional[float]]) -> str:
    """Message 5 and message N, each as the median of the five messages around it (less noise)."""
    def around(index: int) -> float:
        window = [v for v in latencies[max(0, index - 2): index + 3] if v is not None]
        return statistics.median(window) if window else float("nan")

    n = len(latencies)
    fifth, last = around(4), around(n - 3)
    failed = sum(v is None for v in latencies)
    return (f"单个会话 {n} 条消息（失败 {failed}）：第 5 条约 {fifth:.0f} ms，第 {n} 条约 {last:.0f} ms，"
            f"比值 {last / fifth:.2f}")


def start_stack(extra_env: dict):
    """Our own stack on spare ports, limits off (we measure the assistant, not the limiter)."""
    from bot.settings import Settings
    from bot.stack.single_node import Stack

    data_dir = Path(tempfile.mkdtemp(prefix="policybot-load-"))
    settings = Settings(gateway_port=free_port(), rasa_port=free_port(), action_port=free_port(), data_dir=data_dir)
    stack = Stack(settings, env={"POLICYBOT_RATE_LIMIT_ENABLED": "false", **extra_env})
    print("正在启动 Rasa、动作服务器和网关（约一分钟）……", flush=True)
    stack.start()
    return stack, f"http://127.0.0.1:{settings.gateway_port}"


def check_loopback(url: str) -> None:
    if urlsplit(url).hostname not in LOOPBACK:
        raise LoadTestError(f"只允许压测本机地址（127.0.0.1/localhost），不能是 {url}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="技改政策助手聊天接口压测（仅限本机）")
    parser.add_argument("--conversations", "-n", type=int, default=8, help="并发会话数（默认 8）")
    parser.add_argument("--seconds", "-t", type=float, default=60.0, help="持续秒数（默认 60）")
    parser.add_argument("--url", help="已运行网关的地址（仅限本机）；不给则自行启动一套")
    parser.add_argument("--think", type=float, default=0.0,
                        help="每条回复后平均停顿秒数（0.5–1.5 倍之间随机；默认 0 = 连续发送）")
    parser.add_argument("--long", type=int, default=0, help="改为测单个长会话：发送这么多条消息")
    parser.add_argument("--env", action="append", default=[], help="自行启动时额外的环境变量 NAME=VALUE")
    args = parser.parse_args(argv)
    stack = None
    try:
        if args.url:
            check_loopback(args.url)
            url = args.url
        else:
            stack, url = start_stack(dict(item.split("=", 1) for item in args.env))
        if args.long:
            print(report_long(asyncio.run(run_long(url, args.long))))
            return 0
        tally = asyncio.run(run_load(url, args.conversations, args.seconds, args.think))
        print(report_load(tally, args.conversations, args.seconds, args.think))
        return 0 if tally.errors == 0 and tally.lost == 0 else 1
    except LoadTestError as error:
        print(error, file=sys.stderr)
        return 2
    finally:
        if stack is not None:
            stack.stop()


if __name__ == "__main__":
    sys.exit(main())
