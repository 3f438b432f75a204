"""Start and stop the three processes together: Rasa, the action server and the gateway.

`policybot run` (and `make run`) uses `Stack`; the test suite uses the same class on other
ports, so what the tests exercise is what users run. Each child runs in its own process
group so that stopping the stack leaves no orphan (Rasa and Sanic fork workers).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import httpx

from bot.settings import REPO_ROOT, Settings

BIN = Path(sys.executable).parent
LOG_DIR = REPO_ROOT / "var" / "log"


class StackError(RuntimeError):
    """A process of the stack failed to start or died; the message says which and why."""


@dataclass
class Child:
    key: str
    name: str
    argv: List[str]
    ready_url: str
    env: Dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None
    log_path: Optional[Path] = None

    def tail(self, lines: int = 15) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])


def model_path(settings: Settings) -> Path:
    return settings.models_dir / "current.tar.gz"


def rasa_ports(settings: Settings) -> List[int]:
    """Ports of the single-node Rasa processes: ``rasa_port`` and the next ``rasa_workers - 1``."""
    return [settings.rasa_port + i for i in range(max(1, settings.rasa_workers))]


def stack_children(settings: Settings) -> List[Child]:
    """The processes with their command lines and readiness URLs: the action server, the Rasa
    processes (keys ``rasa``, ``rasa-2``, …) and the gateway."""
    host = "127.0.0.1"
    rasas = []
    for number, port in enumerate(rasa_ports(settings), start=1):
        rasas.append(Child(
            "rasa" if number == 1 else f"rasa-{number}", "Rasa" if number == 1 else f"Rasa {number}",
            # bot.rasa_server = `rasa` plus the speed fixes it documents.
            [sys.executable, "-m", "bot.rasa_server", "run", "--model", str(model_path(settings)), "--enable-api",
             "-i", host, "--port", str(port),
             "--endpoints", str(REPO_ROOT / "bot" / "endpoints.yml"),
             "--credentials", str(REPO_ROOT / "bot" / "credentials.yml")],
            f"http://{host}:{port}/status",
        ))
    actions = Child(
        "actions", "动作服务器",
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(settings.action_port)],
        f"http://{host}:{settings.action_port}/health",
        env={"SANIC_HOST": host},
    )
    gateway = Child(
        "gateway", "网关",
        [str(BIN / "uvicorn"), "bot.gateway.app:app", "--host", settings.host,
         "--port", str(settings.gateway_port), "--no-access-log"],
        f"http://{host}:{settings.gateway_port}/health",
        env={"POLICYBOT_RASA_URLS": json.dumps([f"http://{host}:{port}" for port in rasa_ports(settings)])},
    )
    return [actions, *rasas, gateway]


def settings_env(settings: Settings) -> Dict[str, str]:
    """The settings every child must share (ports, files), as POLICYBOT_* variables."""
    names = ("gateway_port", "rasa_port", "action_port", "kb_path", "models_dir", "data_dir")
    return {f"POLICYBOT_{name.upper()}": str(getattr(settings, name)) for name in names}


class Stack:
    """The running stack; use as a context manager or call start()/stop()."""

    def __init__(self, settings: Settings, env: Optional[Dict[str, str]] = None) -> None:
        self.settings = settings
        self.children = stack_children(settings)
        self.env = {**os.environ, **settings_env(settings), **(env or {})}

    def start(self, timeout_s: float = 180.0) -> None:
        if not model_path(self.settings).exists():
            raise StackError(f"没有训练好的模型 {model_path(self.settings)}：请先运行 make train")
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        Path(self.settings.data_dir).mkdir(parents=True, exist_ok=True)
        for child in self.children:
            self._spawn(child)
        self.wait_ready(timeout_s)

    def _spawn(self, child: Child) -> None:
        child.log_path = LOG_DIR / f"{child.key}-{self.settings.gateway_port}.log"
        log = open(child.log_path, "w", encoding="utf-8")
        child.process = subprocess.Popen(
            child.argv, cwd=REPO_ROOT, env={**self.env, **child.env},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        pending = list(self.children)
        while pending:
            self.check_alive()
            pending = [child for child in pending if not _answers(child.ready_url)]
            if pending and time.monotonic() > deadline:
                names = "、".join(child.name for child in pending)
                raise StackError(f"{names} 在 {timeout_s:.0f} 秒内没有就绪\n{pending[0].tail()}")
            if pending:
                time.sleep(0.5)

    def check_alive(self) -> None:
        """Raise StackError naming the first child that exited, with the end of its log."""
        for child in self.children:
            if child.process is not None and child.process.poll() is not None:
                raise StackError(
                    f"{child.name} 已退出（退出码 {child.process.returncode}）。日志 {child.log_path} 末尾：\n{child.tail()}"
                )

    def alive(self) -> List[str]:
        """Names of the children whose process group still has a process."""
        return [child.name for child in self.children if child.process and _group_exists(child.process.pid)]

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM each process group, then SIGKILL what is left after the grace period."""
        for child in self.children:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(child, signal.SIGKILL)
            child.process.wait()

    def __enter__(self) -> "Stack":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _signal_group(child: Child, sig: int) -> None:
    if child.process is None:
        return
    try:
        os.killpg(child.process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(url: str) -> bool:
    try:
        reply = httpx.get(url, timeout=2.0)
    except httpx.HTTPError:
        return False
    if url.endswith("/status"):
        return reply.status_code == 200 and bool(reply.json().get("model_file"))
    return reply.status_code == 200


def serve_forever(settings: Settings, stack: Optional["Stack"] = None,
                  starting: str = "正在启动 Rasa、动作服务器和网关……") -> int:
    """Run `stack` (default: the single-node Stack) until Ctrl-C/SIGTERM or until a child dies.

    Returns the exit code for the CLI; the cluster (`bot.cluster`) runs through here too.
    """
    stack = stack or Stack(settings)

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        print(starting, flush=True)
        stack.start()
        print(f"已就绪。网页聊天：http://127.0.0.1:{settings.gateway_port}  （Ctrl-C 停止）", flush=True)
        while True:
            stack.check_alive()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("正在停止……", flush=True)
        return 0
    except StackError as error:
        print(f"启动失败或进程退出：{error}", file=sys.stderr, flush=True)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
        print("已停止全部进程。", flush=True)
