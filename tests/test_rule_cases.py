"""Every built-in rule against its pass and fail mini-projects (tests/rule_cases/*.yaml)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from rulecases import check_expectations, load_cases, run_case

from checker.checks.registry import default_registry
from checker.engine.packs import builtin_pack_dir, pack_files
from checker.packs.loader import load_packs

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case, tmp_path: Path) -> None:
    result = run_case(case, tmp_path / "project")
    check_expectations(case, result)


def test_every_builtin_rule_has_a_pass_and_a_fail_case() -> None:
    statuses: dict[str, set[str]] = defaultdict(set)
    for case in CASES:
        statuses[case.rule].add(case.expect["status"])
    rules = load_packs(pack_files(builtin_pack_dir()), default_registry())
    missing = {r.id: sorted({"pass", "fail"} - statuses[r.id]) for r in rules if not {"pass", "fail"} <= statuses[r.id]}
    assert not missing, f"rules without pass/fail cases: {missing}"
