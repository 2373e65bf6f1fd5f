#!/usr/bin/env python3
"""Regenerate the synthetic artefacts of examples/fraud-scorer.

    python examples/_generate_data.py            # writes the files, then verifies them
    python examples/_generate_data.py --check    # only verifies the committed files

Writes, deterministically (fixed seeds, standard library only):
  fraud-scorer/data/reference.csv        400 labelled rows ("training" reference)
  fraud-scorer/data/serving_sample.csv   200 unlabelled rows (recent serving traffic)
  fraud-scorer/model/model.onnx          a small placeholder for the real ONNX artefact
  fraud-scorer/model/checksums.sha256    sha256sum-format checksum of model.onnx

Both datasets are drawn from the same distributions with Latin-hypercube sampling (each
column's marginal is stratified), so the serving sample does not drift from the reference:
the script fails if any numeric column has PSI >= 0.05 with 10 quantile bins of the
reference, if a serving categorical value is unseen in the reference, or if a value is missing.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import hashlib
import math
import random
import sys
from pathlib import Path
from statistics import NormalDist

ROOT = Path(__file__).resolve().parent / "fraud-scorer"
DATA = ROOT / "data"
MODEL = ROOT / "model"

REFERENCE_ROWS = 400
SERVING_ROWS = 200
REFERENCE_SEED = 20260915
SERVING_SEED = 20261104

INPUTS = [
    "amount",
    "merchant_category",
    "country",
    "device",
    "hour_of_day",
    "customer_age_days",
    "num_tx_24h",
    "avg_amount_30d",
]
TARGET = "is_fraud"
NUMERIC = ["amount", "hour_of_day", "customer_age_days", "num_tx_24h", "avg_amount_30d"]

MERCHANT_CATEGORIES = {"grocery": 0.34, "fashion": 0.22, "electronics": 0.18,
                       "travel": 0.14, "gaming": 0.12}
COUNTRIES = {"DE": 0.30, "FR": 0.20, "NL": 0.14, "ES": 0.13, "IT": 0.12, "GB": 0.11}
DEVICES = {"web": 0.38, "ios": 0.33, "android": 0.29}
# Relative transaction volume per local hour: quiet nights, lunch and evening peaks.
HOUR_WEIGHTS = [2, 1, 1, 1, 1, 2, 4, 6, 8, 9, 10, 11, 13, 12, 10, 10, 11, 12, 14, 15, 13, 10, 7, 4]

_NORMAL = NormalDist()


def _stratified(rng: random.Random, n: int) -> list[float]:
    """n uniforms in (0, 1), exactly one in each of n equal strata, in random order."""
    strata = list(range(n))
    rng.shuffle(strata)
    return [(s + rng.random()) / n for s in strata]


def _discrete(weights: dict[str, float] | list[float], u: float):
    keys = list(weights) if isinstance(weights, dict) else list(range(len(weights)))
    values = list(weights.values()) if isinstance(weights, dict) else list(weights)
    total = sum(values)
    acc = 0.0
    for key, weight in zip(keys, values):
        acc += weight / total
        if u < acc:
            return key
    return keys[-1]


def _poisson(mean: float, u: float) -> int:
    k, p = 0, math.exp(-mean)
    cdf = p
    while u > cdf and k < 60:
        k += 1
        p *= mean / k
        cdf += p
    return k


def generate(n: int, seed: int, labelled: bool) -> list[dict[str, object]]:
    rng = random.Random(seed)
    columns = {name: _stratified(rng, n) for name in INPUTS}
    rows = []
    for i in range(n):
        u = {name: columns[name][i] for name in INPUTS}
        row: dict[str, object] = {
            "amount": max(0.5, math.exp(3.9 + 1.1 * _NORMAL.inv_cdf(u["amount"]))),
            "merchant_category": _discrete(MERCHANT_CATEGORIES, u["merchant_category"]),
            "country": _discrete(COUNTRIES, u["country"]),
            "device": _discrete(DEVICES, u["device"]),
            "hour_of_day": _discrete(HOUR_WEIGHTS, u["hour_of_day"]),
            "customer_age_days": min(7300, int(-900.0 * math.log1p(-u["customer_age_days"]))),
            "num_tx_24h": _poisson(2.6, u["num_tx_24h"]),
            "avg_amount_30d": max(1.0, math.exp(3.8 + 0.8 * _NORMAL.inv_cdf(u["avg_amount_30d"]))),
        }
        if labelled:
            row[TARGET] = _label(row, rng)
        rows.append(row)
    return rows


def _label(row: dict[str, object], rng: random.Random) -> int:
    logit = (
        -4.6
        + 0.9 * math.log(float(row["amount"]) / float(row["avg_amount_30d"]))
        + (0.9 if int(row["hour_of_day"]) < 6 else 0.0)
        + (0.6 if row["device"] == "web" else 0.0)
        + (0.8 if row["merchant_category"] in {"electronics", "gaming"} else 0.0)
        + (1.0 if int(row["customer_age_days"]) < 60 else 0.0)
        + 0.15 * max(0, int(row["num_tx_24h"]) - 4)
    )
    return int(rng.random() < 1.0 / (1.0 + math.exp(-logit)))


def write_csv(path: Path, rows: list[dict[str, object]], columns: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                f"{row[c]:.2f}" if isinstance(row[c], float) else row[c] for c in columns
            )


def write_model_placeholder(path: Path) -> bytes:
    """A deterministic stand-in for model.onnx: a protobuf-shaped header plus filler."""

    def field(number: int, payload: bytes) -> bytes:
        return bytes([(number << 3) | 2, len(payload)]) + payload

    header = (
        b"\x08\x08"  # ir_version = 8
        + field(2, b"skl2onnx")
        + field(3, b"1.17.0")
        + field(4, b"ai.onnx")
        + b"\x28\x07"  # model_version = 7
        + field(6, b"fraud-scorer placeholder graph (synthetic example artefact)")
    )
    filler = b""
    block = b"fraud-scorer/1.4.0"
    while len(header) + len(filler) < 512:
        block = hashlib.sha256(block).digest()
        filler += block
    content = (header + filler)[:512]
    path.write_bytes(content)
    return content


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def psi(reference: list[float], serving: list[float], bins: int = 10) -> float:
    """Population stability index over `bins` quantile bins of the reference."""
    ordered = sorted(reference)
    edges = sorted({ordered[int(len(ordered) * q / bins)] for q in range(1, bins)})

    def shares(values: list[float]) -> list[float]:
        counts = [0] * (len(edges) + 1)
        for value in values:
            counts[bisect.bisect_right(edges, value)] += 1
        return [max(c / len(values), 1e-4) for c in counts]

    ref, cur = shares(reference), shares(serving)
    return sum((c - r) * math.log(c / r) for r, c in zip(ref, cur))


def verify() -> bool:
    reference = _read_csv(DATA / "reference.csv")
    serving = _read_csv(DATA / "serving_sample.csv")
    ok = True
    for name in INPUTS:
        missing = sum(1 for row in reference + serving if row[name] == "")
        if missing:
            print(f"FAIL {name}: {missing} missing values")
            ok = False
    for name in NUMERIC:
        value = psi([float(r[name]) for r in reference], [float(r[name]) for r in serving])
        print(f"psi {name:<18} {value:.4f}")
        ok &= value < 0.05
    for name in ("merchant_category", "country", "device"):
        unseen = {r[name] for r in serving} - {r[name] for r in reference}
        if unseen:
            print(f"FAIL {name}: unseen values {sorted(unseen)}")
            ok = False
    positives = sum(int(r[TARGET]) for r in reference)
    print(f"reference rows {len(reference)}, fraud rate {positives / len(reference):.3f}")
    print(f"serving rows {len(serving)}")
    model = (MODEL / "model.onnx").read_bytes()
    recorded = (MODEL / "checksums.sha256").read_text(encoding="utf-8").split()[0]
    if recorded != hashlib.sha256(model).hexdigest():
        print("FAIL model/checksums.sha256 does not match model/model.onnx")
        ok = False
    print("OK" if ok else "FAILED")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify the files")
    args = parser.parse_args()
    if not args.check:
        DATA.mkdir(parents=True, exist_ok=True)
        write_csv(DATA / "reference.csv", generate(REFERENCE_ROWS, REFERENCE_SEED, True),
                  INPUTS + [TARGET])
        write_csv(DATA / "serving_sample.csv", generate(SERVING_ROWS, SERVING_SEED, False), INPUTS)
        content = write_model_placeholder(MODEL / "model.onnx")
        (MODEL / "checksums.sha256").write_text(
            f"{hashlib.sha256(content).hexdigest()}  model.onnx\n", encoding="utf-8"
        )
    return 0 if verify() else 1


if __name__ == "__main__":
    sys.exit(main())
