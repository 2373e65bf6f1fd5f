"""Benchmark SEC001 (bandit in-process, over --jobs workers, with a content-hash cache) against `bandit -r`.

Generates a tree of Python files (realistic service code, some with security issues) in a temporary
folder and prints, in one run, whole-process times of:

    readiness check TREE --only SEC001   cold (no cache) and warm (unchanged tree, cache filled)
    bandit -r TREE -q -f json            the same analysis by bandit's own command line

Targets (SPEC §8): cold no slower than `bandit -r`; warm ≤ 5 % of cold. A script that prints figures,
not a test:  python bench/bandit_bench.py [--files 1000] [--repeat 3] [--jobs N]
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

MODULE = '''"""{name}: feature preparation and scoring helpers for the {domain} service."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Iterable

logger = logging.getLogger(__name__)

THRESHOLD_{upper} = {threshold}


@dataclass
class {cls}Features:
    """Inputs of the {domain} model, validated before scoring."""

    amount: float
    country: str
    device: str = "web"
    tags: list[str] = field(default_factory=list)

    def as_vector(self) -> list[float]:
        vector = [self.amount, float(len(self.tags))]
        vector.append(1.0 if self.device == "ios" else 0.0)
        vector.append(1.0 if self.country in {{"DE", "FR", "NL"}} else 0.0)
        return vector


class {cls}Scorer:
    """Wraps a model session and keeps simple counters for monitoring."""

    def __init__(self, weights: Iterable[float], bias: float = 0.0) -> None:
        self.weights = list(weights)
        self.bias = bias
        self.calls = 0

    def score(self, features: {cls}Features) -> float:
        self.calls += 1
        total = sum(w * x for w, x in zip(self.weights, features.as_vector()))
        return max(0.0, min(1.0, total + self.bias))

    def decide(self, features: {cls}Features) -> dict[str, Any]:
        probability = self.score(features)
        decision = "review" if probability >= THRESHOLD_{upper} else "accept"
        logger.info("scored %s -> %s", features.country, decision)
        return {{"probability": round(probability, 4), "decision": decision}}


def load_weights(path: str) -> list[float]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return [float(w) for w in data["weights"]]


def fingerprint(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def batch_decide(scorer: {cls}Scorer, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    results = []
    for row in rows:
        features = {cls}Features(amount=float(row["amount"]), country=str(row["country"]))
        results.append(scorer.decide(features))
    return results


def settings() -> dict[str, str]:
    return {{"region": os.environ.get("REGION", "eu-west-1"), "mode": os.environ.get("MODE", "online")}}
{issue}'''

ISSUES = [
    '\n\ndef export(target: str) -> int:\n    import subprocess\n\n    return subprocess.call("tar czf " + target + " /data", shell=True)\n',
    '\n\ndef read_config(text: str) -> Any:\n    import yaml\n\n    return yaml.load(text)\n',
    '\n\ndef restore(blob: bytes) -> Any:\n    import pickle\n\n    return pickle.loads(blob)\n',
    '\n\ndef legacy_digest(data: bytes) -> str:\n    return hashlib.md5(data).hexdigest()\n',
    '\n\ndef evaluate(expression: str) -> Any:\n    return eval(expression)\n',
]


def generate(root: Path, count: int) -> int:
    """Write `count` modules; every 7th carries an issue. Returns the number of lines written."""
    lines = 0
    for i in range(count):
        package = root / "src" / f"service_{i // 50:02}"
        package.mkdir(parents=True, exist_ok=True)
        issue = ISSUES[i % len(ISSUES)] if i % 7 == 0 else ""
        text = MODULE.format(
            name=f"module_{i}", domain=f"risk-{i % 13}", upper=f"M{i}", threshold=round(0.5 + (i % 40) / 100, 2),
            cls=f"Risk{i}", issue=issue,
        )  # fmt: skip
        (package / f"module_{i:04}.py").write_text(text, encoding="utf-8")
        lines += text.count("\n")
    return lines


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bandit-bench-") as tmp:
        tree, out = Path(tmp) / "tree", Path(tmp) / "out"
        lines = generate(tree, args.files)
        ours = [sys.executable, "-m", "checker", "check", str(tree), "--only", "SEC001", "--format", "json",
                "--output-dir", str(out), "--jobs", str(args.jobs)]  # fmt: skip
        bandit = [shutil.which("bandit") or "bandit", "-r", str(tree), "-q", "-f", "json", "-o", str(out / "b.json")]
        cold, warm, peer, runner_cold, runner_warm = [], [], [], [], []
        for _ in range(args.repeat):
            shutil.rmtree(tree / ".readiness-cache", ignore_errors=True)
            cold.append(timed(ours))
            warm.append(timed(ours))
            peer.append(timed(bandit))
            shutil.rmtree(Path(tmp) / "runner-cache", ignore_errors=True)
            runner_cold.append(runner_time(tree, Path(tmp) / "runner-cache", args.jobs))
            runner_warm.append(runner_time(tree, Path(tmp) / "runner-cache", args.jobs))
        report(args, lines, statistics.median(cold), statistics.median(warm), statistics.median(peer))
        print(f"  in-process bandit runner only       : cold {statistics.median(runner_cold):.2f} s, "
              f"warm {statistics.median(runner_warm):.2f} s "
              f"({100 * statistics.median(runner_warm) / statistics.median(runner_cold):.1f} % of cold)")


def runner_time(tree: Path, cache: Path, jobs: int) -> float:
    """SEC001's analysis without process start-up and rule loading: what the content-hash cache saves."""
    from checker.checks.bandit_runner import run_bandit

    paths = sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*.py") if ".readiness-cache" not in p.parts)
    started = time.perf_counter()
    run_bandit(tree, paths, jobs=jobs, cache_dir=cache)
    return time.perf_counter() - started


def report(args: argparse.Namespace, lines: int, cold: float, warm: float, peer: float) -> None:
    print(f"tree: {args.files} Python files, {lines} lines; jobs={args.jobs}; median of {args.repeat} runs")
    print(f"  readiness --only SEC001, cold cache : {cold:7.2f} s   ({lines / cold:,.0f} lines/s)")
    print(f"  readiness --only SEC001, warm cache : {warm:7.2f} s   ({100 * warm / cold:.1f} % of cold; target <= 5 %)")
    print(f"  bandit -r -q -f json                : {peer:7.2f} s   ({lines / peer:,.0f} lines/s)")
    print(f"  cold / bandit -r                    : {cold / peer:7.2f} x   (target <= 1.00)")


if __name__ == "__main__":
    main()
