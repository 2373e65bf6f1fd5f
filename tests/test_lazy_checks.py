"""Check types and built-in rule parameters are built on first use; the declared table cannot drift.

A run imports only the check modules of the rules it evaluates, and pre-commit selection imports none.
(tests/test_imports.py proves the same from the outside, in fresh interpreters.)
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from importlib.metadata import EntryPoint, EntryPoints
from pathlib import Path
from typing import Any

import pytest
from pydantic import Field
from report_samples import EXAMPLE, FIXED_NOW, project_copy

from checker import checks
from checker.checks import builtin
from checker.checks import registry as registry_module
from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import CheckType, Registry, check_type
from checker.config import load_config
from checker.engine.changed import GLOB_FIELDS, relevant_rules
from checker.engine.packs import builtin_pack_dir, load_rules, pack_files
from checker.engine.run import RunOptions, run
from checker.model import Status
from checker.packs.loader import PackError, load_packs
from checker.packs.model import leaves
from checker.project.index import ProjectIndex


def _discovered() -> dict[str, tuple[str, tuple[str, ...]]]:
    """What eager discovery finds: every module of checker.checks with a `register`, run into a registry."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for info in pkgutil.iter_modules(checks.__path__):
        register = getattr(importlib.import_module(f"checker.checks.{info.name}"), "register", None)
        if callable(register):
            scratch = Registry()
            register(scratch)
            found.update({c.name: (info.name, c.inputs) for c in scratch})
    return found


def test_the_declared_table_lists_every_check_type_with_its_module_and_inputs() -> None:
    declared = builtin.BUILTIN_CHECK_TYPES
    discovered = _discovered()
    missing = sorted(set(discovered) - set(declared))
    assert not missing, f"add these to BUILTIN_CHECK_TYPES in checker/checks/builtin.py: {missing}"
    assert sorted(set(declared) - set(discovered)) == []  # declared but defined by no module
    assert declared == discovered  # same module, same input kinds (pre-commit selects by the declared ones)


def test_glob_parameters_of_built_in_check_types_have_no_default() -> None:
    """Pre-commit selection reads `files`/`paths` as written; a default would be invisible to it."""
    registry = Registry()
    builtin.register_all(registry)
    for check in registry:
        for name in GLOB_FIELDS:
            field = check.params.model_fields.get(name)
            assert field is None or field.is_required(), f"{check.name}.{name} has a default"


@pytest.fixture()
def imported(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Modules the registry imports, in order."""
    seen: list[str] = []
    real = importlib.import_module

    def recording(name: str, package: str | None = None) -> Any:
        seen.append(name)
        return real(name, package)

    monkeypatch.setattr(registry_module.importlib, "import_module", recording)
    return seen


def _fresh_registry() -> Registry:
    registry = Registry()
    builtin.register_all(registry)
    return registry


def test_loading_the_built_in_packs_and_selecting_rules_imports_no_check_type(imported: list[str]) -> None:
    registry = _fresh_registry()
    loaded = load_config(EXAMPLE)
    rules = load_rules(EXAMPLE, loaded, (), registry)
    selected = relevant_rules(rules, ["k8s/deployment.yaml"], ProjectIndex.build(EXAMPLE), registry, loaded)
    assert {"REL002", "SCA001", "SEC004"} <= {r.id for r in selected}
    assert "VER001" not in {r.id for r in selected}
    assert imported == []


def test_a_run_imports_only_the_modules_of_the_rules_it_evaluates(
    imported: list[str], tmp_path: Path
) -> None:
    report = run(RunOptions(target=project_copy(EXAMPLE, tmp_path), only=("REL002", "SCA001"),
                            registry=_fresh_registry(), clock=lambda: FIXED_NOW))  # fmt: skip
    assert [(r.rule_id, r.status) for r in report.results] == [
        ("SCA001", Status.PASS),
        ("REL002", Status.PASS),
    ]
    assert imported == ["checker.checks.kubernetes"]


def test_a_declared_type_is_the_one_its_module_registers() -> None:
    registry = _fresh_registry()
    assert "no_print" in registry
    assert registry.inputs("no_print") == ("python",)  # known before the import
    check = registry.get("no_print")
    assert check.name == "no_print" and check.run.__module__ == "checker.checks.monitoring"  # params may be the shared NoParams
    assert registry.get("alert_rules").run.__module__ == "checker.checks.monitoring"  # the same import


def test_a_type_declared_for_the_wrong_module_is_an_error_not_a_silent_gap() -> None:
    registry = Registry()
    registry.declare("no_print", "checker.checks.files")
    with pytest.raises(
        ValueError, match=r"checker.checks.files does not define its declared check types \['no_print'\]"
    ):
        registry.get("no_print")


def test_a_name_is_refused_twice_whether_declared_or_registered() -> None:
    registry = _fresh_registry()
    with pytest.raises(ValueError, match="check type 'kubernetes' is already registered"):
        check_type(registry, "kubernetes", Params, "a second kubernetes")(_always_pass)
    with pytest.raises(ValueError, match="check type 'kubernetes' is already registered"):
        registry.declare("kubernetes", "checker.checks.kubernetes")


# --- plugins through the `readiness.checks` entry point group ------------------------------------------


class LengthParams(Params):
    files: list[str] = Field(min_length=1)


def _always_pass(ctx: CheckContext, params: Any) -> Outcome:
    return Outcome.passed("fine")


PLUGIN_TYPE = CheckType(name="team_length", params=LengthParams, run=_always_pass, summary="a plugin check")


def register_clash(registry: Registry) -> None:
    check_type(registry, "file_exists", Params, "shadows a built-in")(_always_pass)


def _plugins(monkeypatch: pytest.MonkeyPatch, *values: str) -> None:
    points = EntryPoints(
        EntryPoint(name=f"p{i}", value=v, group="readiness.checks") for i, v in enumerate(values)
    )

    def entry_points(group: str) -> Iterator[EntryPoint]:
        return iter(points if group == "readiness.checks" else ())

    monkeypatch.setattr("checker.plugins.entry_points", entry_points)
    monkeypatch.setattr(registry_module, "_default", None)


def test_a_plugin_check_type_is_registered_beside_the_declared_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    _plugins(monkeypatch, f"{__name__}:PLUGIN_TYPE")
    registry = registry_module.default_registry()
    assert registry.get("team_length") is PLUGIN_TYPE
    assert registry.inputs("team_length") == ()
    assert "kubernetes" in registry and len(list(registry)) == len(builtin.BUILTIN_CHECK_TYPES) + 1


def test_a_plugin_may_not_take_a_built_in_name(monkeypatch: pytest.MonkeyPatch) -> None:
    _plugins(monkeypatch, f"{__name__}:register_clash")
    with pytest.raises(ValueError, match="check type 'file_exists' is already registered"):
        registry_module.default_registry()


# --- parameters of trusted (built-in) packs -----------------------------------------------------------


def test_trusted_packs_build_parameters_on_first_use_and_validate_the_same() -> None:
    registry = _fresh_registry()
    files = pack_files(builtin_pack_dir())
    lazy = {r.id: r for r in load_packs(files, registry, trusted=files)}
    eager = {r.id: r for r in load_packs(files, _fresh_registry())}
    assert lazy.keys() == eager.keys()
    for rule_id, rule in lazy.items():
        built = [leaf.params for leaf in leaves(rule.check)]
        assert built == [leaf.params for leaf in leaves(eager[rule_id].check)], rule_id


def test_an_unknown_check_type_in_a_trusted_pack_is_reported_with_its_position(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "pack: {name: t}\nrules:\n"
        "  - {id: T1, title: t, category: reliability, severity: low, description: d, rationale: r,\n"
        "     remediation: m, check: {all: [{type: file_exists, paths: [a]}, {type: no_such_check}]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError) as caught:
        load_packs([pack], _fresh_registry(), trusted=[pack])
    assert [str(p) for p in caught.value.problems] == [
        f"{pack}:4:70: rules[0].check.all[1].type: unknown check type 'no_such_check'"
    ]
