"""The built-in packs skip the JSON Schema pass at run time, so the suite holds them to it here."""

from __future__ import annotations

from checker.checks.registry import default_registry
from checker.engine.packs import builtin_pack_dir, pack_files
from checker.packs.loader import load_packs


def test_builtin_packs_are_valid_against_the_published_schema() -> None:
    rules = load_packs(pack_files(builtin_pack_dir()), default_registry())  # no `trusted`: full validation
    assert len(rules) == len({r.id for r in rules}) >= 49


def test_builtin_rules_carry_the_metadata_a_reader_needs() -> None:
    for rule in load_packs(pack_files(builtin_pack_dir()), default_registry()):
        assert len(rule.description) > 40 and len(rule.rationale) > 40 and len(rule.remediation) > 40, rule.id
        assert rule.inputs, f"{rule.id} does not say what it reads"
