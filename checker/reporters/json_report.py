"""`readiness.json`: the result model as JSON, field names as SPEC §6 fixes them."""

from __future__ import annotations

import json

from checker.model import RunReport


def render(report: RunReport) -> str:
    data = report.model_dump(mode="json")
    # allow_nan=False: NaN is not JSON (the model refuses it; this is the last line of defence).
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
