"""The loading stage against a corpus of bad rule packs and configs: exact diagnostics, exit 2.

Each `tests/corpus/packs/<case>.yaml` (with companions `<case>.*.yaml`, loaded after it) and each
`tests/corpus/configs/<case>.yaml` has a `<case>.expected` holding the exact `file:line:col: path: message`
lines. Config cases run through the CLI in a small project, so they also prove exit 2 and that no report
is written. Regenerate an expectation only after reading the new message.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from own_words import own_lines, own_words

from checker.cli import main
from checker.packs.loader import PackError, load_packs

CORPUS = Path(__file__).parent / "corpus"
PACKS = CORPUS / "packs"
CONFIGS = CORPUS / "configs"
TEAM_PACK = Path(__file__).parent / "fixtures" / "packs" / "team.yaml"


def _cases(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml") if p.name.count(".") == 1)


def _expected(folder: Path, case: str) -> list[str]:
    return (folder / f"{case}.expected").read_text(encoding="utf-8").splitlines()


def test_the_corpus_is_complete() -> None:
    assert len(_cases(PACKS)) >= 25 and len(_cases(CONFIGS)) >= 12
    for folder in (PACKS, CONFIGS):
        assert {p.stem for p in folder.glob("*.expected")} == set(_cases(folder))


@pytest.mark.parametrize("case", _cases(PACKS))
def test_pack_case(case: str) -> None:
    files = [PACKS / f"{case}.yaml", *sorted(PACKS.glob(f"{case}.*.yaml"))]
    try:
        load_packs(files, display_root=PACKS)
        lines: list[str] = []
    except PackError as exc:
        lines = [str(p) for p in exc.problems]
        assert all(p.line >= 1 and p.column >= 1 for p in exc.problems)
    assert own_lines(lines) == _expected(PACKS, case)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with a valid team pack, a file outside it, and a previous report in its output folder."""
    root = tmp_path / "proj"
    (root / "ops").mkdir(parents=True)
    shutil.copy(TEAM_PACK, root / "ops" / "team.yaml")
    (tmp_path / "outside.yaml").write_text("pack: {name: outside}\nrules: []\n", encoding="utf-8")
    (root / "out").mkdir()
    (root / "out" / "readiness.json").write_bytes(b'{"previous": "report"}\n')
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("case", _cases(CONFIGS))
def test_config_case(case: str, project: Path) -> None:
    shutil.copy(CONFIGS / f"{case}.yaml", project / "readiness.yaml")
    result = CliRunner().invoke(main, ["check", ".", "--output-dir", "out", "--format", "json"])
    assert (result.exit_code, own_lines(result.stderr.splitlines())) == (2, _expected(CONFIGS, case))
    assert (project / "out" / "readiness.json").read_bytes() == b'{"previous": "report"}\n'


# --- protections that need a file system, a subprocess or a patched library -----------------------------

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import urllib.request  # noqa: E402
from typing import Any  # noqa: E402

from pydantic import Field  # noqa: E402

from checker.checks.base import Outcome, Params  # noqa: E402
from checker.checks.registry import Registry, check_type  # noqa: E402
from checker.yamlpos import YamlError, load_all, load_one  # noqa: E402

DEEP = 100_000


def test_very_deep_input_is_an_error_not_a_crash() -> None:
    """libyaml's composer recurses in C: 100,000 levels overflow the stack (SIGSEGV) without the depth check.
    A subprocess, so that a crash fails this test instead of killing the test worker."""
    script = f"""
from pathlib import Path
from checker.yamlpos import YamlError, load_all
from checker.packs.loader import PackError, load_packs
from checker.config import ConfigError, load_config
import sys, tempfile
for text in ["[" * {DEEP}, "{{a: " * {DEEP}, "- " * {DEEP} + "x", "".join(" " * i + "k:\\n" for i in range(0, 3000))]:
    try:
        load_all(text)
    except YamlError as exc:
        print(exc.line, exc.column, exc.message)
root = Path(tempfile.mkdtemp())
(root / "pack.yaml").write_text("pack: {{name: x}}\\nrules: " + "[" * {DEEP})
try:
    load_packs([root / "pack.yaml"], display_root=root)
except PackError as exc:
    print(exc)
(root / "readiness.yaml").write_text("slo: " + "{{a: " * {DEEP})
try:
    load_config(root)
except ConfigError as exc:
    print(exc.problems[0].split(": ", 1)[1])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == [
        "1 201 nested more than 200 levels deep",
        "1 801 nested more than 200 levels deep",
        "1 401 nested more than 200 levels deep",
        "201 201 nested more than 200 levels deep",
        "pack.yaml:2:71: (yaml): nested more than 64 levels deep",
        "(yaml): nested more than 64 levels deep",
    ]


def test_aliases_cannot_nest_deeper_than_the_cap() -> None:
    """Each alias adds its anchor's depth: the expanded tree is capped too (RecursionError without it)."""
    lines = ["a0: &a0 " + "[" * 150 + "]" * 150] + [f"a{i}: &a{i} " + "[" * 150 + f"*a{i - 1}" + "]" * 150 for i in range(1, 12)]
    with pytest.raises(YamlError, match=r"nested more than 200 levels deep \(after alias expansion\)"):
        load_all("\n".join(lines) + "\n", max_depth=200)


def test_max_nodes_is_a_parameter() -> None:
    text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8]\nb: [*a, *a, *a, *a]\n"
    assert load_one(text, max_nodes=100)["b"][3] == [1, 2, 3, 4, 5, 6, 7, 8]
    with pytest.raises(YamlError, match="too many nodes") as caught:
        load_one(text, max_nodes=20)
    assert (caught.value.line, caught.value.column) == (1, 26)  # where the budget ran out, inside the anchor


def test_config_limits_apply_to_its_rule_packs(project: Path) -> None:
    (project / "ops" / "big.yaml").write_text("pack: {name: big}\nrules: []\npadding: [" + "x, " * 600 + "x]\n")
    shutil.copy(TEAM_PACK, project / "ops" / "other.yaml")
    (project / "readiness.yaml").write_text("rule_packs: [ops/big.yaml]\nlimits: {max_yaml_nodes: 500}\n")
    result = CliRunner().invoke(main, ["check", ".", "--output-dir", "out", "--format", "json"])
    assert (result.exit_code, result.stderr) == (2, "ops/big.yaml:3:1484: (yaml): document expands to too many nodes (YAML alias bomb?)\n")
    (project / "readiness.yaml").write_text("rule_packs: [ops/big.yaml]\nlimits: {max_file_mb: 0.001}\n")
    result = CliRunner().invoke(main, ["check", ".", "--output-dir", "out", "--format", "json"])
    assert (result.exit_code, result.stderr) == (2, "ops/big.yaml:1:1: (file): file is larger than the 1,048 bytes limit\n")


def _outside_link(project: Path, name: str) -> None:
    os.symlink(project.parent / "outside.yaml", project / "ops" / name)


def test_rule_pack_symlinks_out_of_the_project_are_refused(project: Path) -> None:
    _outside_link(project, "linked.yaml")
    cases = {
        "ops/linked.yaml": "readiness.yaml:1:14: rule_packs[0]: path 'ops/linked.yaml' leaves the project root",
        "ops/*.yaml": "readiness.yaml:1:14: rule_packs[0]: 'ops/*.yaml' matches 'ops/linked.yaml', which leaves the project root",
        "ops": "readiness.yaml:1:14: rule_packs[0]: 'ops' includes 'ops/linked.yaml', which leaves the project root",
    }
    for entry, expected in cases.items():
        (project / "readiness.yaml").write_text(f"rule_packs: ['{entry}']\n")
        result = CliRunner().invoke(main, ["check", ".", "--output-dir", "out", "--format", "json"])
        assert (result.exit_code, result.stderr) == (2, expected + "\n")


def test_paths_are_checked_before_any_pack_is_opened(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Any] = []
    monkeypatch.setattr("checker.packs.loader.read_text", lambda *args, **kwargs: opened.append(args))
    (project / "readiness.yaml").write_text("rule_packs: [ops/team.yaml, ../outside.yaml]\n")
    result = CliRunner().invoke(main, ["check", ".", "--output-dir", "out", "--format", "json"])
    assert result.exit_code == 2 and opened == []


def _in_thread(action: Any, timeout: float = 60) -> Any:
    """Run `action` in a daemon thread: a hang fails the test (the thread is left behind) instead of the suite."""
    outcome: list[Any] = []

    def attempt() -> None:
        try:
            outcome.append(("returned", action()))
        except Exception as exc:  # noqa: BLE001 - re-raised in the test's thread
            outcome.append(("raised", exc))

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout)
    assert outcome, "the loader hung"
    how, value = outcome[0]
    if how == "raised":
        raise value
    return value


def test_a_fifo_rule_pack_or_config_never_hangs(project: Path) -> None:
    os.mkfifo(project / "ops" / "fifo.yaml")
    with pytest.raises(PackError) as caught:
        _in_thread(lambda: load_packs([project / "ops" / "fifo.yaml"], display_root=project))
    assert str(caught.value) == "ops/fifo.yaml:1:1: (file): not a regular file (a FIFO, device or socket is never read)"
    (project / "readiness.yaml").write_text("rule_packs: [ops/fifo.yaml]\n")
    result = _in_thread(lambda: CliRunner().invoke(main, ["check", ".", "--output-dir", "out"]))
    assert (result.exit_code, result.stderr) == (2, "readiness.yaml:1:14: rule_packs[0]: 'ops/fifo.yaml' is not a regular file\n")
    (project / "readiness.yaml").unlink()
    os.mkfifo(project / "readiness.yaml")
    result = _in_thread(lambda: CliRunner().invoke(main, ["check", ".", "--output-dir", "out"]))
    assert (result.exit_code, result.stderr) == (2, "readiness.yaml:1:1: (file): the config file is not a regular file; not read\n")


def test_a_config_symlink_out_of_the_project_is_not_read(project: Path) -> None:
    os.symlink(project.parent / "outside.yaml", project / "readiness.yaml")
    result = CliRunner().invoke(main, ["check", ".", "--output-dir", "out"])
    assert (result.exit_code, result.stderr) == (
        2, "readiness.yaml:1:1: (file): the config file is a symlink that leaves the project root; not read\n")  # fmt: skip


def test_a_bad_rules_flag_pack_leaves_the_previous_report(project: Path) -> None:
    (project / "bad.yaml").write_text("pack: {name: bad}\nrules: [\n")
    before = {p.name: p.read_bytes() for p in (project / "out").iterdir()}
    result = CliRunner().invoke(main, ["check", ".", "--rules", "bad.yaml", "--output-dir", "out",
                                       "--format", "json", "--format", "sarif", "--format", "html"])  # fmt: skip
    assert (result.exit_code, own_words(result.stderr)) == (2, "bad.yaml:3:1: (yaml): syntax error (parser: …)\n")
    assert {p.name: p.read_bytes() for p in (project / "out").iterdir()} == before


class _RemoteParams(Params):
    # A plugin's parameter model whose JSON Schema points at a remote document.
    files: list[str] = Field(min_length=1, json_schema_extra={"$ref": "https://schemas.invalid/files.json"})


def test_remote_schema_refs_are_never_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """jsonschema retrieves an unknown http(s) `$ref` with urlopen unless given a registry that refuses."""
    fetched: list[Any] = []

    def record(*args: Any, **kwargs: Any) -> Any:
        fetched.append(args)
        raise OSError("the network is off in tests")

    monkeypatch.setattr(urllib.request, "urlopen", record)
    registry = Registry()
    check_type(registry, "remote_thing", _RemoteParams, "a plugin check")(lambda ctx, params: Outcome.skipped("n/a"))
    pack = tmp_path / "plugin.yaml"
    pack.write_text(
        "pack: {name: plugin}\nrules:\n  - {id: P1, title: t, category: security, severity: low, description: d,\n"
        "     rationale: r, remediation: m, check: {type: remote_thing, files: [a]}}\n"
    )
    with pytest.raises(PackError) as caught:
        load_packs([pack], registry, display_root=tmp_path)
    assert fetched == []
    assert str(caught.value) == (
        "plugin.yaml:1:1: (schema): the rule-pack schema refers to 'https://schemas.invalid/files.json', "
        "which is never fetched: a check type's schema must be self-contained"
    )
