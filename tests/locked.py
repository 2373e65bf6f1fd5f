"""The locked test environment: requirements/test.lock's pins against what is installed.

Used by the suite (tests/test_locked_environment.py and the report header in conftest.py) and by
scripts/try-newest.sh (`python tests/locked.py --differences`).
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

LOCK = Path(__file__).resolve().parents[1] / "requirements" / "test.lock"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def locked_pins(lock: Path = LOCK) -> dict[str, str]:
    """Package name (canonical) -> pinned version, for the pins whose markers hold on this interpreter."""
    pins: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match is None:
            continue
        name, version, marker = match.groups()
        if marker is None or Marker(marker).evaluate():
            pins[canonicalize_name(name)] = version
    return pins


def differences(pins: dict[str, str]) -> list[str]:
    """`name: installed X, locked Y` for every pin that the environment does not match."""
    found = []
    for name, version in sorted(pins.items()):
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != version:
            found.append(f"{name}: installed {installed}, locked {version}")
    return found


if __name__ == "__main__":
    if sys.argv[1:] == ["--differences"]:
        print("\n".join(differences(locked_pins())) or "none: the environment matches the lock")
