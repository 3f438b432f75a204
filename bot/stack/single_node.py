"""Start and stop the three processes together: Rasa, the action server and the gateway.

`policybot run` (and `make run`) uses `Stack`; the test suite uses the same class on other
ports, so what the tests exercise is what users run. Each child runs in its own process
group so that stopping the stack leaves no orphan (Rasa and Sanic fork workers).

Once the stack is up, a supervisor thread restarts a child that dies (kill -9, OOM, a
crash) after a growing pause (``RestartPolicy``: 0.5 s, 1 s, 2 s, … up to 30 s). Only a
crash loop — the child dies again and again within ``stable_s`` of each start — stops the
stack, with the reason (`Stack.failure`). Meanwhile the gateway answers
"系统正在恢复，请稍后再试" and ``/health`` names the part that is down.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import httpx

from bot.settings import RASA_DIR, REPO_ROOT, Settings

BIN = Path(sys.executable).parent
LOG_DIR = REPO_ROOT / "var" / "log"

logger = logging.getLogger(__name__)


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
    started_at: float = 0.0
    crashes: int = 0  # deaths in a row, each within RestartPolicy.stable_s of its start
    restarts: int = 0
    restart_at: Optional[float] = None  # set while the child waits for its restart

    def tail(self, lines: int = 15) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])


@dataclass(frozen=True)
class RestartPolicy:
    """When the supervisor restarts a dead child, and when it gives up.

    The n-th death in a row waits ``first_delay_s * 2**(n-1)`` (at most ``max_delay_s``); a
    child that ran ``stable_s`` or longer before dying starts the count again. The
    ``max_crashes``-th death in a row is a crash loop: the stack stops and says why.
    """

    first_delay_s: float = 0.5
    max_delay_s: float = 30.0
    stable_s: float = 60.0
    max_crashes: int = 5

    def delay(self, crashes: int) -> float:
        """Pause before restarting after ``crashes`` deaths in a row.

        >>> [RestartPolicy().delay(n) for n in (1, 2, 3, 10)]
        [0.5, 1.0, 2.0, 30.0]
        """
        return min(self.max_delay_s, self.first_delay_s * 2 ** max(0, crashes - 1))


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
            # bot.rasa.server = `rasa` plus the speed fixes it documents.
            [sys.executable, "-m", "bot.rasa.server", "run", "--model", str(model_path(settings)), "--enable-api",
             "-i", host, "--port", str(port),
             "--endpoints", str(RASA_DIR / "endpoints.yml"),
             "--credentials", str(RASA_DIR / "credentials.yml")],
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
         "--port", str(settings.gateway_port), "--no-access-log",
         "--timeout-keep-alive", "75"],  # (uvicorn's 5 s closes pooled client connections under their feet)
        f"http://{host}:{settings.gateway_port}/health",
        env={"POLICYBOT_RASA_URLS": json.dumps([f"http://{host}:{port}" for port in rasa_ports(settings)]),
             "POLICYBOT_ACTION_URLS": json.dumps([f"http://{host}:{settings.action_port}"])},
    )
    return [actions, *rasas, gateway]


def settings_env(settings: Settings) -> Dict[str, str]:
    """The settings every child must share (ports, files), as POLICYBOT_* variables."""
    names = ("gateway_port", "rasa_port", "action_port", "kb_path", "models_dir", "data_dir")
    return {f"POLICYBOT_{name.upper()}": str(getattr(settings, name)) for name in names}


class Stack:
    """The running stack; use as a context manager or call start()/stop()."""

    def __init__(self, settings: Settings, env: Optional[Dict[str, str]] = None,
                 restart: Optional[RestartPolicy] = RestartPolicy()) -> None:
        self.settings = settings
        self.children = stack_children(settings)
        self.env = {**os.environ, **settings_env(settings), **(env or {})}
        self.restart = restart  # None: no supervisor (a death is final, as before)
        self.failure: Optional[StackError] = None
        self._stopping = threading.Event()
        self._supervisor: Optional[threading.Thread] = None
        self._lock = threading.Lock()

    def start(self, timeout_s: float = 180.0) -> None:
        if not model_path(self.settings).exists():
            raise StackError(f"没有训练好的模型 {model_path(self.settings)}：请先运行 make train")
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        Path(self.settings.data_dir).mkdir(parents=True, exist_ok=True)
        self.failure = None
        for child in self.children:
            child.crashes, child.restart_at = 0, None
            self._spawn(child)
        self.wait_ready(timeout_s)
        if self.restart is not None:
            self.start_supervisor()

    def _spawn(self, child: Child, append: bool = False) -> None:
        child.log_path = LOG_DIR / f"{child.key}-{self.settings.gateway_port}.log"
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        log = open(child.log_path, "a" if append else "w", encoding="utf-8")
        child.process = subprocess.Popen(
            child.argv, cwd=REPO_ROOT, env={**self.env, **child.env},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()  # the child holds its own copy of the descriptor
        child.started_at = time.monotonic()

    # -- supervision ----------------------------------------------------------------------

    def start_supervisor(self) -> None:
        """Watch the children in a background thread (`start` does this once all are ready)."""
        self._stopping.clear()
        self._supervisor = threading.Thread(target=self._supervise, name="policybot-supervisor", daemon=True)
        self._supervisor.start()

    def _supervise(self) -> None:
        while not self._stopping.wait(0.2):
            with self._lock:
                if self._stopping.is_set():
                    return
                self.supervise_once(time.monotonic())
            if self.failure is not None:
                return

    def supervise_once(self, now: float) -> None:
        """Note children that died, restart those whose pause is over; on a crash loop set
        `failure` (and restart nothing more)."""
        assert self.restart is not None
        for child in self.children:
            if child.restart_at is None and child.process is not None and child.process.poll() is not None:
                self._note_death(child, now)
                if self.failure is not None:
                    return
            if child.restart_at is not None and now >= child.restart_at:
                _signal_group(child, signal.SIGKILL)  # workers of the dead leader still hold its port
                child.restart_at = None
                child.restarts += 1
                self._spawn(child, append=True)
                logger.warning("%s restarted (restart %d)", child.key, child.restarts)

    def _note_death(self, child: Child, now: float) -> None:
        policy = self.restart
        assert policy is not None and child.process is not None
        ran_s = now - child.started_at
        child.crashes = 1 if ran_s >= policy.stable_s else child.crashes + 1
        code = child.process.returncode
        if child.crashes >= policy.max_crashes:
            self.failure = StackError(
                f"{child.name} 反复崩溃（连续 {child.crashes} 次，每次运行不到 {policy.stable_s:.0f} 秒，"
                f"最后退出码 {code}），已停止重启。日志 {child.log_path} 末尾：\n{child.tail()}"
            )
            logger.error("%s", self.failure)
            return
        delay = policy.delay(child.crashes)
        child.restart_at = now + delay
        logger.warning("%s exited (code %s) after %.1f s; restarting in %.1f s", child.key, code, ran_s, delay)
        print(f"{child.name} 已退出（退出码 {code}），{delay:g} 秒后重启。", file=sys.stderr, flush=True)

    def raise_if_failed(self) -> None:
        """Raise the supervisor's StackError once it gave up (crash loop); without a
        supervisor, raise as soon as any child exited."""
        if self.restart is None:
            self.check_alive()
        elif self.failure is not None:
            raise self.failure

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
        self._stopping.set()
        with self._lock:  # no restart can begin once we hold it
            pass
        if self._supervisor is not None and self._supervisor is not threading.current_thread():
            self._supervisor.join(timeout=5.0)
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

    Returns the exit code for the CLI; the cluster (`bot.stack.cluster`) runs through here too.
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
            stack.raise_if_failed()
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
