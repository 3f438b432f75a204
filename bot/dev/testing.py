"""Test drivers that need real processes: Rasa test stories and the held-out NLU evaluation.

`python -m bot.dev.testing stories` starts the real action server on a spare port, runs
`rasa test core` (through `bot.rasa.server`, as served) on tests/stories and fails on any wrong prediction.
`python -m bot.dev.testing nlu-eval` parses the held-out set with the trained model and prints
intent macro-F1, entity F1 and the confusion pairs (also written to reports/nlu.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bot.dev.ports import free_port
from bot.settings import REPO_ROOT

BIN = Path(sys.executable).parent
MODEL = REPO_ROOT / "models" / "current.tar.gz"


def run_stories() -> int:
    """`rasa test core --e2e` (policies and NLU), then a replay through the real actions."""
    import tempfile

    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="policybot-stories-")  # handoff stories open real tickets
    env = {**os.environ, "SANIC_HOST": "127.0.0.1", "POLICYBOT_ACTION_PORT": str(port), "POLICYBOT_DATA_DIR": data_dir}
    log = open(REPO_ROOT / "build" / "story-actions.log", "w")
    server = subprocess.Popen(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        _wait(f"http://127.0.0.1:{port}/health", server)
        out = REPO_ROOT / "build" / "story-results"
        # Through bot.rasa.server: the stories check the Rasa that `policybot run` serves (speed fixes in).
        command = [
            sys.executable, "-m", "bot.rasa.server", "test", "core", "--model", str(MODEL), "--stories", "tests/stories",
            "--endpoints", "bot/rasa/endpoints.yml", "--out", str(out), "--fail-on-prediction-errors", "--e2e",
        ]
        code = subprocess.call(command, cwd=REPO_ROOT, env=env)
        failed = out / "failed_test_stories.yml"
        if failed.exists() and "none of the test stories failed" not in failed.read_text(encoding="utf-8").lower():
            print(failed.read_text(encoding="utf-8"))
            code = code or 1
        print(f"Rasa test stories: {'passed' if code == 0 else 'FAILED'}")
        # rasa test does not run the actions: replay every story through them as well.
        replay = subprocess.call([sys.executable, "tests/stories/replay_check.py", "--port", str(port)],
                                 cwd=REPO_ROOT, env=env)
        print(f"Story replay through the real actions: {'passed' if replay == 0 else 'FAILED'}")
        return code or replay
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)


def _wait(url: str, process: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"动作服务器启动失败（退出码 {process.returncode}），见 build/story-actions.log")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"动作服务器 {timeout_s:.0f} 秒内没有就绪")


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "stories":
        return run_stories()
    if command == "nlu-eval":
        from bot.dev.nlu_eval import main as nlu_eval

        return nlu_eval()
    if command == "answers-eval":
        from bot.dev.answer_eval import main as answers_eval

        return answers_eval(sys.argv[2:])
    print("用法：python -m bot.dev.testing stories|nlu-eval|answers-eval [dev|dev2|dev3|dev4|dev5|dev6|dev7|dev8|dev9|dev10|dev11|dev12|dev13|dev14|dev15|dev16|dev17|dev18|dev19|dev20|dev21|dev22|dev23|dev24|dev25|dev27|dev28|dev29|dev30|dev31|dev32|dev33|dev34|dev35|dev36|dev37|dev38|dev39|dev40|heldout]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
