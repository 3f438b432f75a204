"""Training time of the Rasa model from nothing (no Rasa cache, a fresh output directory).

Prints the wall time of `rasa train` with the project's config, domain and data, and the
load average, so the figure can be judged. The trained model is thrown away; models/ is
not touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_chat import load_average  # noqa: E402
from bot.settings import REPO_ROOT  # noqa: E402


def main() -> int:
    rasa = Path(sys.executable).parent / "rasa"
    domain, data = REPO_ROOT / "bot" / "rasa" / "domain", REPO_ROOT / "bot" / "rasa" / "data"
    with tempfile.TemporaryDirectory(prefix="policybot-train-") as scratch:
        env = {**os.environ, "RASA_CACHE_DIRECTORY": str(Path(scratch) / "cache")}
        command = [str(rasa), "train", "--config", str(REPO / "config.yml"), "--domain", str(domain),
                   "--data", str(data), "--out", str(Path(scratch) / "models"), "--fixed-model-name", "bench"]
        print(f"training the model from an empty cache … ({load_average()})", flush=True)
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, timeout=1800)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            return done.returncode
    print(f"rasa train (NLU and rules, nothing cached): {elapsed:.1f} s ({load_average()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
