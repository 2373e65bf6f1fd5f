#!/usr/bin/env python3
"""Data rules benchmark (SPEC §8 "Data"): whole-process medians, measured side by side in one run.

    python bench/data_bench.py [--rows 1000000] [--repeat 3]

Builds a reference and a serving sample (Parquet, `--rows` × 10 columns) in a temporary folder and prints:
  1. DAT002–DAT007 end to end (`readiness check --only DAT002 … DAT007`)          target ≤ 2 s
  2. DAT001 next to raw Great Expectations validating the same suite           target ≤ 1.1×
  3. peak memory (max RSS) of each process against the in-memory size of the data   target ≤ 2.5×
Not a test: figures depend on the machine; the script only reports them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

SUITE = [
    ("expect_column_values_to_not_be_null", {"column": "amount"}),
    ("expect_column_values_to_be_between", {"column": "amount", "min_value": 0, "max_value": 100000}),
    ("expect_column_values_to_be_in_set", {"column": "country", "value_set": ["DE", "FR", "NL", "ES", "IT", "GB"]}),
    ("expect_column_values_to_be_in_set", {"column": "device", "value_set": ["web", "ios", "android"]}),
    ("expect_column_values_to_not_be_null", {"column": "merchant"}),
    ("expect_column_values_to_be_between", {"column": "hour", "min_value": 0, "max_value": 23}),
    ("expect_column_values_to_be_between", {"column": "age_days", "min_value": 0, "max_value": 20000}),
    ("expect_column_values_to_be_between", {"column": "tx_24h", "min_value": 0, "max_value": 500}),
    ("expect_column_values_to_not_be_null", {"column": "avg_30d"}),
    ("expect_table_row_count_to_be_between", {"min_value": 1000}),
]

RAW_GX = """
import json, os, sys
os.environ["GX_ANALYTICS_ENABLED"] = "false"
import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
folder = sys.argv[1]
context = gx.get_context(mode="ephemeral")
context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
suite = gx.ExpectationSuite(name="bench")
for item in json.load(open(os.path.join(folder, "suite.json")))["expectations"]:
    suite.add_expectation(ExpectationConfiguration(type=item["type"], kwargs=item["kwargs"]).to_domain_obj())
for name in ("reference.parquet", "serving.parquet"):
    frame = pd.read_parquet(os.path.join(folder, name))
    asset = context.data_sources.add_pandas(name).add_dataframe_asset(name)
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5})
    print(name, result.success)
"""


def build(folder: Path, rows: int) -> int:
    """Write the datasets and config; return the in-memory (Arrow) size of both datasets in bytes."""
    import json

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    sizes = 0
    for name, seed, shift in (("reference", 1, 0.0), ("serving", 2, 0.02)):
        rng = np.random.default_rng(seed)
        table = pa.table({
            "amount": rng.lognormal(4 + shift, 1.0, rows).round(2),
            "country": pa.array(rng.choice(["DE", "FR", "NL", "ES", "IT", "GB"], rows)),
            "device": pa.array(rng.choice(["web", "ios", "android"], rows)),
            "merchant": pa.array(rng.choice(["grocery", "travel", "electronics", "fashion", "gaming"], rows)),
            "hour": rng.integers(0, 24, rows),
            "age_days": rng.integers(0, 20000, rows),
            "tx_24h": rng.poisson(2, rows),
            "avg_30d": rng.gamma(2.0, 50.0, rows).round(2),
            "score_hint": rng.normal(0, 1, rows),
            "label": rng.integers(0, 2, rows),
        })  # fmt: skip
        pq.write_table(table, folder / f"{name}.parquet")
        sizes += table.nbytes
    suite = {"name": "bench", "expectations": [{"type": t, "kwargs": k} for t, k in SUITE]}
    (folder / "suite.json").write_text(json.dumps(suite, indent=1), encoding="utf-8")
    (folder / "readiness.yaml").write_text(textwrap.dedent("""\
        data:
          reference: {path: reference.parquet, suite: suite.json}
          serving: {path: serving.parquet, suite: suite.json}
          categorical: [country, device, merchant]
          target: [label]
        """), encoding="utf-8")  # fmt: skip
    return sizes


def measure(command: list[str]) -> tuple[float, int, float]:
    """Wall time, peak RSS in bytes and CPU time (user + system) of one whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def median_of(command: list[str], repeat: int) -> tuple[float, int, float]:
    """Median wall time, largest peak RSS, median CPU time (robust on a busy machine)."""
    runs = [measure(command) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs), statistics.median(r[2] for r in runs)


def readiness(folder: Path, out: Path, *rules: str) -> list[str]:
    only = [arg for rule in rules for arg in ("--only", rule)]
    return [sys.executable, "-m", "checker", "check", str(folder), *only, "--no-cache", "--format", "json", "--output-dir", str(out)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="readiness-data-bench-") as tmp:
        folder, out = Path(tmp) / "project", Path(tmp) / "reports"
        folder.mkdir()
        data_bytes = build(folder, args.rows)
        mib = data_bytes / 2**20
        print(f"data: 2 × {args.rows:,} rows × 10 columns (Parquet), {mib:.0f} MiB in memory (Arrow); median of {args.repeat}")
        compare_s, compare_rss, compare_cpu = median_of(readiness(folder, out, "DAT002", "DAT003", "DAT004", "DAT005", "DAT006", "DAT007"), args.repeat)
        print(f"DAT002–DAT007 end to end : {compare_s:6.2f} s wall, {compare_cpu:6.2f} s CPU (target ≤ 2 s)   "
              f"peak {compare_rss / 2**20:5.0f} MiB = {compare_rss / data_bytes:.2f}× data")
        raw_path = Path(tmp) / "raw_gx.py"
        raw_path.write_text(RAW_GX, encoding="utf-8")
        raw_s, raw_rss, raw_cpu = median_of([sys.executable, str(raw_path), str(folder)], args.repeat)
        ours_s, ours_rss, ours_cpu = median_of(readiness(folder, out, "DAT001"), args.repeat)
        print(f"raw GX, same suite ×2    : {raw_s:6.2f} s wall, {raw_cpu:6.2f} s CPU                  "
              f"peak {raw_rss / 2**20:5.0f} MiB = {raw_rss / data_bytes:.2f}× data")
        print(f"DAT001 (readiness)       : {ours_s:6.2f} s wall, {ours_cpu:6.2f} s CPU = {ours_s / raw_s:.2f}× wall, "
              f"{ours_cpu / raw_cpu:.2f}× CPU of raw GX (target ≤ 1.10×)   peak {ours_rss / 2**20:5.0f} MiB = {ours_rss / data_bytes:.2f}× data")


if __name__ == "__main__":
    main()
