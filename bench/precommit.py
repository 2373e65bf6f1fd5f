"""Pre-commit timings on the example project (SPEC §8: ≤ 0.35 s warm, ≤ 1.5 s cold, without data rules).

Whole-process wall times of `readiness pre-commit <manifest>` in a git work tree, the way the hook runs it:
cold with an empty cache; warm with nothing changed since the previous run (the run is replayed); and warm
after an edit of the staged file (only the rules whose inputs changed are evaluated, the rest come from the
result cache). Prints medians; asserts nothing (timings belong to the machine).

    python bench/precommit.py [--runs 5] [--file k8s/deployment.yaml]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "fraud-scorer"
TARGET_WARM_S, TARGET_COLD_S = 0.35, 1.5


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--file", default="k8s/deployment.yaml", help="the staged file, relative to the project")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "fraud-scorer"
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".readiness-cache"))
        subprocess.run(["git", "init", "-q", str(project)], check=True)
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(scratch) / "user-cache")}
        cmd = [sys.executable, "-m", "checker", "pre-commit", args.file]
        staged = project / args.file
        cold, warm, edited = [], [], []
        for run in range(args.runs):
            shutil.rmtree(project / ".readiness-cache", ignore_errors=True)
            cold.append(timed(cmd, project, env))
            warm.append(timed(cmd, project, env))
            staged.write_text(staged.read_text(encoding="utf-8") + f"# edit {run}\n", encoding="utf-8")
            edited.append(timed(cmd, project, env))
        startup = statistics.median(timed([sys.executable, "-m", "checker", "--version"], project, env) for _ in range(args.runs))
    print(f"pre-commit of examples/fraud-scorer, staged {args.file}, {args.runs} runs (median wall time):")
    print(f"  cold  {statistics.median(cold):6.3f} s   (target ≤ {TARGET_COLD_S} s)")
    print(f"  warm  {statistics.median(warm):6.3f} s   (target ≤ {TARGET_WARM_S} s; nothing changed: replayed)")
    print(f"  warm after editing the staged file  {statistics.median(edited):6.3f} s   (rules of unchanged inputs cached)")
    print(f"  `readiness --version` start-up  {startup:6.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
