from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# The official SARIF and JUnit schemas: the team's shared folder beside the clone, or wherever this names.
SCHEMAS_ENV = "READINESS_SCHEMAS_DIR"
SCHEMAS = Path(os.environ.get(SCHEMAS_ENV) or SHARED / "schemas")
sys.path.insert(0, str(Path(__file__).resolve().parent))


def pytest_report_header() -> str:
    """Shows, first thing in every run, whether the suite runs with the locked versions."""
    from locked import LOCK, differences, locked_pins

    pins = locked_pins()
    off = differences(pins)
    if not off:
        return f"locked environment: all {len(pins)} packages as pinned in {LOCK.relative_to(ROOT)}"
    return f"NOT the locked environment: {len(off)} of {len(pins)} packages differ ({'; '.join(off[:3])}…)"
