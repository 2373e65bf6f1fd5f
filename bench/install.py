"""Install footprint (SPEC §8 *Install*: the core ≤ 60 MB of site-packages and ≤ 20 s on a warm package cache).

Creates fresh virtualenvs and installs this checkout into them — the core (`pip install .`, what the
pre-commit hook installs) and, beside it, `.[data]` (the data rules' engines) and, with `--peer`, checkov
(the peer a platform team would otherwise wire in) — then prints the wall time of each install and the size
of what it added to site-packages (the venv's own pip and setuptools are not counted). Run it twice: the first
run warms pip's cache. Asserts nothing (figures belong to the machine).

    python bench/install.py [--peer]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MB, TARGET_S = 60, 20
VENV_OWN = ("pip", "setuptools", "pkg_resources", "_distutils_hack", "distutils-precedence.pth")


def _site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def _size_mb(folder: Path) -> float:
    own = {name for name in VENV_OWN}
    total = 0
    for entry in folder.iterdir():
        if entry.name in own or entry.name.startswith(("pip-", "setuptools-")):
            continue
        paths = entry.rglob("*") if entry.is_dir() else [entry]
        total += sum(p.stat().st_size for p in paths if p.is_file() and not p.is_symlink())
    return total / 1e6


def _install(requirement: str, workdir: Path) -> tuple[float, float]:
    venv = workdir / requirement.replace("/", "_").replace("[", "_").replace("]", "").replace(".", "self")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    started = time.perf_counter()
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    requirement], cwd=ROOT, check=True, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - started, _size_mb(_site_packages(venv))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peer", action="store_true", help="also install checkov for comparison")
    args = parser.parse_args()
    wanted = [("readiness-checker (core)", "."), ("readiness-checker[data]", ".[data]")]
    if args.peer:
        wanted.append(("checkov", "checkov"))
    print(f"{'install':<28} {'wall s':>8} {'site-packages MB':>18}   target: core ≤ {TARGET_MB} MB, ≤ {TARGET_S} s")
    with tempfile.TemporaryDirectory() as tmp:
        for label, requirement in wanted:
            seconds, size = _install(requirement, Path(tmp))
            print(f"{label:<28} {seconds:>8.1f} {size:>18.1f}")


if __name__ == "__main__":
    main()
