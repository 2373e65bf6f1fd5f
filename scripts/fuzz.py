"""Fuzz the loaders and parsers that read untrusted input (the targets in tests/fuzz/targets/).

    python scripts/fuzz.py --target loader --examples 100000
    python scripts/fuzz.py                       # every target, 10,000 inputs each

Exit 1 when anything is found; each finding is saved (input + traceback) under --out.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent


def _driver() -> ModuleType:
    sys.path.insert(0, str(REPO))  # the checkout's `checker`, whatever is installed
    spec = importlib.util.spec_from_file_location("fuzz_driver", REPO / "tests" / "fuzz" / "driver.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    driver = _driver()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", action="append", choices=driver.target_names(), help="repeatable; default: all")
    parser.add_argument("--examples", type=int, default=10_000, help="inputs per target (default: 10,000)")
    parser.add_argument("--seed", type=int, help="fix hypothesis's seed to replay a run")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "readiness-fuzz",
                        help="where findings are saved (default: %(default)s)")  # fmt: skip
    args = parser.parse_args(argv)
    found = 0
    for name in args.target or driver.target_names():
        report = driver.run(name, args.examples, args.out, seed=args.seed)
        print(report.summary(), flush=True)
        found += len(report.findings)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
