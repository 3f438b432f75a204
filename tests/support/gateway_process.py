"""An ASGI app (the gateway, mostly) under uvicorn in a child process, on a free loopback port."""

from __future__ import annotations

import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Dict, Iterator, Optional, Sequence

import httpx

from bot.dev.ports import free_port
from bot.settings import REPO_ROOT

Ready = Callable[[httpx.Response], bool]


def answers_200(reply: httpx.Response) -> bool:
    return reply.status_code == 200


@contextmanager
def uvicorn_process(app: str, env: Dict[str, str], *, uvicorn_args: Sequence[str] = (), ready_path: str = "/",
                    ready: Ready = answers_200, log: Optional[Path] = None, timeout_s: float = 60.0) -> Iterator[str]:
    """`python -m uvicorn APP` from the repository root; yields its base URL once `ready_path`
    answers as `ready` wants, and terminates it afterwards. Output goes to `log` (or nowhere).

        with uvicorn_process("bot.gateway.app:app", env) as url:
            httpx.get(f"{url}/health")
    """
    port = free_port()
    out = log.open("w") if log else subprocess.DEVNULL
    argv = [sys.executable, "-m", "uvicorn", *uvicorn_args, app, "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base_url + ready_path, process, ready, timeout_s, log)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=20)
        if log:
            out.close()


def _wait_until_ready(url: str, process: subprocess.Popen, ready: Ready, timeout_s: float,
                      log: Optional[Path]) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log else ""
            raise RuntimeError(f"uvicorn exited with {process.returncode} before {url} answered\n{output}")
        try:
            if ready(httpx.get(url, timeout=1.0)):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no answer at {url} within {timeout_s:.0f} s")
