"""Regenerate the committed generated files: the JSON Schemas of rule packs and of readiness.yaml, the rule
reference and the sample reports of the example project. `tests/test_generated_files.py` fails when any of them is stale.

    python scripts/regenerate.py           # write them
    python scripts/regenerate.py --check   # exit 1 when something is stale
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/fraud-scorer"
SAMPLE_EPOCH = "1795564800"  # 2026-11-25T00:00:00Z: sample reports are reproducible (SOURCE_DATE_EPOCH)


def generated_docs() -> dict[str, str]:
    from checker.checks.registry import default_registry
    from checker.commands.rules import reference_markdown, schema_text
    from checker.config_schema import config_schema_text
    from checker.engine.packs import builtin_pack_dir, pack_files
    from checker.packs.loader import load_packs

    rules = load_packs(pack_files(builtin_pack_dir()), default_registry())
    return {
        "docs/rule-pack.schema.json": schema_text(),
        "docs/readiness.schema.json": config_schema_text(),
        "docs/rules.md": reference_markdown(rules),
    }


def sample_reports() -> dict[str, str]:
    """Every file format of a run on the example project, as `readiness check` writes them."""
    from checker.reporters import FILENAMES

    with tempfile.TemporaryDirectory() as out:
        formats = [arg for name in FILENAMES for arg in ("--format", name)]
        env = {**os.environ, "SOURCE_DATE_EPOCH": SAMPLE_EPOCH}
        cmd = [sys.executable, "-m", "checker", "check", EXAMPLE, *formats, "--output-dir", out, "--no-cache"]
        subprocess.run(cmd, cwd=ROOT, env=env, check=False, capture_output=True)
        return {f"reports/{p.name}": p.read_text(encoding="utf-8") for p in sorted(Path(out).iterdir())}


def expected_files() -> dict[str, str]:
    return {**generated_docs(), **sample_reports()}


def main() -> int:
    check_only = "--check" in sys.argv
    stale = []
    for rel, text in expected_files().items():
        path = ROOT / rel
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(rel)
            if not check_only:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    verb = "stale" if check_only else "rewritten"
    print("\n".join(f"{verb}: {rel}" for rel in stale) or "all generated files are up to date")
    return 1 if (check_only and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
