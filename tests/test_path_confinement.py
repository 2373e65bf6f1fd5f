"""Property: whatever path string a config names, the checker either refuses it or it stays inside the project.

The tree has the traps a hostile pull request would lay: a symlink out of the project, a symlink loop, a
link to a folder inside, and files outside that a path could reach through `..`, `~`, an absolute path, a
URL or a glob. Paths are drawn from those building blocks and from arbitrary text.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.config import ConfigError, LoadedConfig, load_config, rule_pack_files

SEGMENTS = ["..", ".", "", "data", "a.csv", "rules", "pack.yaml", "out_link", "in_link", "loop", "*", "**", "?.csv",
            "[ab].csv", "~", "~root", "http:", "file:", "C:", "\x00", "secret.csv", "%2e%2e", "..."]  # fmt: skip
SEPARATORS = ["/", "\\", "//"]

segment_paths = st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6).flatmap(
    lambda parts: st.sampled_from(SEPARATORS).map(lambda sep: sep.join(parts))
)
prefixed = st.tuples(st.sampled_from(["", "/", "//", "~/", "file://", "http://x/", "./", "../"]), segment_paths).map("".join)
free_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
any_path = st.one_of(prefixed, segment_paths, free_text)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("world")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text("token\nhunter2\n", encoding="utf-8")
    (outside / "pack.yaml").write_text("rules: []\n", encoding="utf-8")
    root = base / "project"
    (root / "data").mkdir(parents=True)
    (root / "rules").mkdir()
    (root / "data" / "a.csv").write_text("x\n1\n", encoding="utf-8")
    (root / "rules" / "pack.yaml").write_text("rules: []\n", encoding="utf-8")
    os.symlink(outside, root / "out_link")
    os.symlink(root / "data", root / "in_link")
    os.symlink(root / "loop", root / "loop")
    return root


def _load(root: Path, key: str, value: str) -> LoadedConfig | None:
    """The config naming `value` at `key`, or None when the loader refused it (with a located problem)."""
    text = {
        "dataset": f"data:\n  reference: {{path: {json.dumps(value)}}}\n",
        "rule_pack": f"rule_packs: [{json.dumps(value)}]\n",
        "spec": f"api:\n  spec: {json.dumps(value)}\n",
    }[key]
    (root / "readiness.yaml").write_text(text, encoding="utf-8")
    try:
        return load_config(root)
    except ConfigError as exc:
        assert exc.problems and all(re.search(r"readiness\.yaml:\d+:\d+: ", p) for p in exc.problems), exc.problems
        return None


def _inside(root: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=any_path, key=st.sampled_from(["dataset", "rule_pack", "spec"]))
def test_a_configured_path_is_refused_or_stays_inside(world: Path, value: str, key: str) -> None:
    loaded = _load(world, key, value)
    if loaded is None:
        return
    config = loaded.config
    if key == "rule_pack":
        files = rule_pack_files(world, config.rule_packs[0])
        assert files and all(_inside(world, f) and f.is_file() for f in files), (value, files)
        return
    named = config.data.reference.path if key == "dataset" and config.data.reference else config.api.spec
    assert named is not None
    matches = sorted(world.glob(named)) if any(ch in named for ch in "*?[") else [world / named]
    assert matches and all(_inside(world, m) for m in matches), (value, matches)


@pytest.mark.parametrize("value", ["out_link/secret.csv", "../outside/secret.csv", "out_link/*.csv", "*/secret.csv",
                                   "in_link/../../outside/secret.csv", "loop/a.csv", "~/secret.csv",
                                   "file:///etc/passwd", "/etc/passwd", "data/a.csv\x00"])  # fmt: skip
def test_known_escapes_are_refused(world: Path, value: str) -> None:
    """The building blocks above do reach outside: without the checks these would load."""
    assert _load(world, "dataset", value) is None
