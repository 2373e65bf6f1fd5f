"""The suite runs with the locked versions (requirements/test.lock), and the lock still satisfies every
requirement that pyproject.toml declares, so editing one without refreshing the other is noticed."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from locked import LOCK, differences, locked_pins
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCKED_EXTRAS = ("test", "data", "spark")


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in LOCKED_EXTRAS:  # an extra naming the project's own extras adds no requirement of its own
        lines += [line for line in project["optional-dependencies"][extra] if not line.startswith(project["name"])]
    build = (ROOT / "requirements" / "build.in").read_text(encoding="utf-8").splitlines()
    lines += [line for line in build if line.strip() and not line.startswith("#")]
    return [Requirement(line) for line in lines]


def test_the_lock_satisfies_every_declared_requirement() -> None:
    pins = locked_pins()
    unmet = [
        f"{req} (lock: {pins.get(canonicalize_name(req.name), 'absent')})"
        for req in _declared()
        if (req.marker is None or req.marker.evaluate())
        and not req.specifier.contains(pins.get(canonicalize_name(req.name), "0.dev0"), prereleases=True)
    ]
    assert not unmet, f"refresh the lock with scripts/lock-refresh.sh: {unmet}"


def test_the_lock_pins_with_hashes() -> None:
    text = LOCK.read_text(encoding="utf-8")
    pinned = [line for line in text.splitlines() if "==" in line and not line.startswith(("#", " "))]
    assert pinned and text.count("--hash=sha256:") >= len(pinned)


def test_the_suite_runs_with_the_locked_versions() -> None:
    if os.environ.get("READINESS_UNLOCKED") == "1":
        pytest.skip("READINESS_UNLOCKED=1: scripts/try-newest.sh runs the suite on the newest releases")
    assert differences(locked_pins()) == [], "install the locked versions: bash scripts/install-test-deps.sh"
