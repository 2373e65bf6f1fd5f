#!/usr/bin/env python3
"""Derive fraud-scorer-drifted/data/serving_sample.csv from fraud-scorer's serving sample.

    python examples/_drift_serving_sample.py

Deterministic (standard library only). The drift is what production data does to a model:
  - `device` is gone (a client release stopped sending it)         -> DAT001, DAT002, DAT003
  - one row in five comes from a new market (US, CA)               -> DAT001, DAT004
  - a quarter of `avg_amount_30d` is missing (a broken join)        -> DAT001, DAT005
  - `amount` is in cents, not euros (x100)                          -> DAT001, DAT006
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "fraud-scorer" / "data" / "serving_sample.csv"
TARGET = HERE / "fraud-scorer-drifted" / "data" / "serving_sample.csv"
NEW_MARKETS = ("US", "CA")


def drift(row: dict[str, str], number: int) -> dict[str, str]:
    row = {k: v for k, v in row.items() if k != "device"}
    if number % 5 == 0:
        row["country"] = NEW_MARKETS[number // 5 % 2]
    if number % 4 == 1:
        row["avg_amount_30d"] = ""
    row["amount"] = f"{float(row['amount']) * 100:.2f}"
    return row


def main() -> None:
    with SOURCE.open(newline="", encoding="utf-8") as handle:
        rows = [drift(row, i) for i, row in enumerate(csv.DictReader(handle))]
    with TARGET.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
