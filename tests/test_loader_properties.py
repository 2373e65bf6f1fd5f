"""Properties of the loading stage: for any YAML-shaped input, the pack loader returns rules or raises
PackError, and the config loader returns a config or raises ConfigError — every problem located at a file,
a line ≥ 1 and a column ≥ 1. Any other exception (or a problem without a place) fails."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.checks.registry import default_registry
from checker.config import ConfigError, load_config
from checker.packs.loader import PackError, ReadLimits, load_packs

FIXTURES = Path(__file__).parent / "fixtures" / "packs"
VALID_PACK = (FIXTURES / "team.yaml").read_text(encoding="utf-8")
VALID_CONFIG = (Path(__file__).parent.parent / "examples" / "fraud-scorer" / "readiness.yaml").read_text(encoding="utf-8")
SETTINGS = settings(max_examples=200, database=None, deadline=None, suppress_health_check=list(HealthCheck))

# Pieces of YAML: structure, scalars YAML 1.1 reads as something else, tags, anchors, keys of packs and configs.
YAML_TOKENS = [
    "\n", "  ", "- ", ": ", "? ", "[", "]", "{", "}", ", ", "'", '"', "|\n", ">\n", "#", "---\n", "&a ", "*a",
    "<<: *a", "!!python/object/apply:os.system ", "!custom ", "!!set ", "!!binary ", "~", "no", "yes", "1.10",
    "0755", "2024-01-01", ".nan", "pack", "name", "rules", "id", "title", "category", "severity", "check",
    "type", "file_exists", "file_content", "paths", "pattern", "all", "any", "not", "params", "description",
    "rationale", "remediation", "security", "high", "TEAM1", "(a)\\1", "rule_packs", "slo", "waivers", "limits",
    "../x", "/etc/passwd", "~/x", "http://x/y", "\\0", "\t", "\x00", "\x1b", "é",
]  # fmt: skip

yaml_shaped = st.lists(st.sampled_from(YAML_TOKENS), max_size=60).map("".join)


@st.composite
def mutated(draw: st.DrawFn, valid: str) -> str:
    """The valid text with a few tokens inserted, lines deleted or duplicated, or cut short."""
    lines = valid.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate", "truncate"]))
        if action == "insert" and lines:
            column = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:column] + draw(st.sampled_from(YAML_TOKENS)) + lines[at][column:]
        elif action == "delete" and lines:
            del lines[at]
        elif action == "duplicate" and lines:
            lines.insert(at, lines[at])
        elif action == "truncate":
            lines = lines[:at]
    return "".join(lines)


def _pack_outcome(tmp_path: Path, data: bytes) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_bytes(data)
    try:
        load_packs([pack], default_registry(), display_root=tmp_path, limits=ReadLimits(max_nodes=5_000))
    except PackError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert (problem.file, problem.line >= 1, problem.column >= 1) == ("pack.yaml", True, True), problem
            assert problem.path and problem.message


@SETTINGS
@given(st.one_of(yaml_shaped, mutated(VALID_PACK)))
def test_any_pack_text_gives_rules_or_located_problems(tmp_path_factory: object, text: str) -> None:
    _pack_outcome(_scratch(tmp_path_factory), text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.binary(max_size=200))
def test_any_pack_bytes_give_rules_or_located_problems(tmp_path_factory: object, data: bytes) -> None:
    _pack_outcome(_scratch(tmp_path_factory), b"pack: {name: x}\nrules: []\n" + data)


_PROBLEM = re.compile(r"^readiness\.yaml:([1-9]\d*):([1-9]\d*): \S.*: .+", re.DOTALL)


@SETTINGS
@given(st.one_of(yaml_shaped, mutated(VALID_CONFIG)))
def test_any_config_text_gives_a_config_or_located_problems(tmp_path_factory: object, text: str) -> None:
    root = _scratch(tmp_path_factory)
    (root / "readiness.yaml").write_text(text, encoding="utf-8")
    try:
        load_config(root)
    except ConfigError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert _PROBLEM.match(problem.removeprefix(f"{root}/")), problem


_scratch_dirs: dict[int, Path] = {}


def _scratch(factory: object) -> Path:
    """One folder per test function (hypothesis reuses the fixture across examples), with a pack to name."""
    key = id(factory)
    if key not in _scratch_dirs:
        path = factory.mktemp("loader-properties")  # type: ignore[attr-defined]
        (path / "ops").mkdir()
        shutil.copy(FIXTURES / "team.yaml", path / "ops" / "team.yaml")
        _scratch_dirs[key] = path
    return _scratch_dirs[key]
