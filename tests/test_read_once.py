"""SPEC §8: every file is read and parsed at most once per run.

The whole catalogue but the data rules runs on realistic trees with the project index instrumented: each
disk read of the index (`ProjectIndex._read`), each parse of a YAML / JSON / TOML document
(`ProjectIndex._parse`, per format) and each Python parse (`PythonSources._parse`) is counted per path. Every
other `open()` of a file of the tree is counted too: the reads the engine makes before the index exists (the
config file, `.gitignore` files while discovering) and a check hashing a binary file (VER003's model
checksums). Added up, no file may be read twice: what the engine read first is handed to the index.

One exception, by design: SEC001 hands file paths to bandit, which reads and parses each Python file itself
(in worker processes when there are many), and bandit's runner hashes each file for its content cache. That
is bandit's own cost (SPEC §8 "Python code"), so opens made under `bandit` or `checker.checks.bandit_runner`
are not counted.
"""

from __future__ import annotations

import ast
import builtins
import io
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from checker import config as config_module
from checker.engine.run import RunOptions, run
from checker.model import RunReport, Status
from checker.project.index import ProjectIndex
from checker.project.pysource import PythonSources

ROOT = Path(__file__).resolve().parents[1]
TREES = {
    "fraud-scorer": ROOT / "examples" / "fraud-scorer",
    "monorepo": ROOT / "tests" / "fixtures" / "trees" / "monorepo",
}
FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BANDIT_MODULES = ("bandit", "checker.checks.bandit_runner")


class Reads:
    """Counts of reads and parses per path while a run is instrumented."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.index_reads: Counter[str] = Counter()
        self.document_parses: Counter[tuple[str, str]] = Counter()  # (path, format)
        self.python_parses: Counter[str] = Counter()
        self.stray_python_parses: Counter[str] = Counter()  # ast.parse by checker code outside PythonSources
        self.direct_opens: Counter[str] = Counter()  # opens of tree files other than the index's reads

    def inside(self, file: Any) -> str | None:
        """The tree-relative path of an opened file, or None when it is not a file of the tree."""
        if isinstance(file, int):
            return None
        try:
            path = Path(file).resolve()
        except (TypeError, ValueError, OSError):
            return None
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else None


def _callers(frame: FrameType | None) -> Iterator[FrameType]:
    while frame is not None:
        yield frame
        frame = frame.f_back


def _by_index_or_bandit(frame: FrameType | None) -> bool:
    for caller in _callers(frame):
        if caller.f_code is ProjectIndex._read.__code__:
            return True
        if str(caller.f_globals.get("__name__", "")).startswith(BANDIT_MODULES):
            return True
    return False


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Reads]]:
    """Instrument the index, the Python parser and `open`; the test appends the `Reads` of its tree."""
    box: list[Reads] = []
    read, parse, parse_python = ProjectIndex._read, ProjectIndex._parse, PythonSources._parse
    real_open, real_ast_parse = builtins.open, ast.parse

    def counting_read(index: ProjectIndex, path: str, record: bool = True) -> Any:
        box[0].index_reads[path] += 1
        return read(index, path, record)

    def counting_parse(index: ProjectIndex, path: str, fmt: str, how: Any) -> Any:
        box[0].document_parses[(path, fmt)] += 1
        return parse(index, path, fmt, how)

    from_yaml, from_pyproject = config_module._from_yaml, config_module._from_pyproject

    def counting_from_yaml(path: Path) -> Any:  # the config loader parses its file before the index exists
        if box and box[0].inside(path) is not None:
            box[0].document_parses[(box[0].inside(path) or "", "yaml")] += 1
        return from_yaml(path)

    def counting_from_pyproject(path: Path, required: bool) -> Any:
        if box and box[0].inside(path) is not None:
            box[0].document_parses[(box[0].inside(path) or "", "toml")] += 1
        return from_pyproject(path, required)

    def counting_parse_python(sources: PythonSources, path: str) -> Any:
        box[0].python_parses[path] += 1
        return parse_python(sources, path)

    def counting_ast_parse(source: Any, *args: Any, **kwargs: Any) -> Any:
        caller = str(sys._getframe(1).f_globals.get("__name__", ""))
        if box and caller.startswith("checker.") and caller != "checker.project.pysource":
            box[0].stray_python_parses[caller] += 1
        return real_ast_parse(source, *args, **kwargs)

    def counting_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if box and "r" in mode and "+" not in mode:
            relative = box[0].inside(file)
            if relative is not None and not _by_index_or_bandit(sys._getframe(1)):
                box[0].direct_opens[relative] += 1
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(ProjectIndex, "_read", counting_read)
    monkeypatch.setattr(ProjectIndex, "_parse", counting_parse)
    monkeypatch.setattr(PythonSources, "_parse", counting_parse_python)
    monkeypatch.setattr(config_module, "_from_yaml", counting_from_yaml)
    monkeypatch.setattr(config_module, "_from_pyproject", counting_from_pyproject)
    monkeypatch.setattr(ast, "parse", counting_ast_parse)  # a check parsing code itself would parse it twice
    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(io, "open", counting_open)  # pathlib's read_text / read_bytes / open go through io.open
    yield box


def _run(target: Path, isolate: bool = False) -> RunReport:
    # jobs=1: bandit analyses in this process, so its own reads are exercised (and excused) here too.
    # isolate=False: rules normally run in a forked worker, whose counters this process would never see;
    # in-process evaluation is the same code on the same index (tests/test_isolation.py compares the reports).
    return run(RunOptions(target=target, skip=("data_compatibility",), clock=lambda: FIXED_NOW, jobs=1, isolate=isolate))


def _more_than_once(counter: Counter[Any]) -> dict[Any, int]:
    return {key: count for key, count in counter.items() if count > 1}


def _config_in_pyproject(target: Path) -> None:
    """The example configured by `[tool.readiness]` instead: pyproject.toml is then read by the config loader
    and by the dependency rules."""
    (target / "readiness.yaml").unlink()
    with (target / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[tool.readiness]\nservice = "fraud-scorer"\nfail_on = "high"\n')


@pytest.mark.parametrize("tree", [*sorted(TREES), "fraud-scorer-pyproject-config"])
def test_every_file_is_read_and_parsed_at_most_once(tree: str, tmp_path: Path, counted: list[Reads]) -> None:
    target = tmp_path / tree
    source = TREES.get(tree) or TREES["fraud-scorer"]
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".readiness-cache", "reports"))
    if tree == "fraud-scorer-pyproject-config":
        _config_in_pyproject(target)
    counted.append(Reads(target))

    report = _run(target)

    reads = counted[0]
    assert [r.rule_id for r in report.results if r.status == Status.ERROR] == []
    judged = [r for r in report.results if r.status in (Status.PASS, Status.FAIL)]
    assert len(judged) >= 20, "the catalogue must really have run on the tree"
    assert reads.index_reads, "the index must have read the tree's files"
    assert reads.python_parses, "Python rules must have parsed the tree's code"
    assert _more_than_once(reads.index_reads + reads.direct_opens) == {}
    assert _more_than_once(reads.document_parses) == {}
    assert _more_than_once(reads.python_parses) == {}
    assert reads.stray_python_parses == Counter(), "Python code is parsed once, by PythonSources"


def test_isolated_evaluation_leaves_every_read_to_the_worker(tmp_path: Path, counted: list[Reads]) -> None:
    """With rules in a forked worker, the lead reads only what the engine reads before the index exists and the
    YAML files whose text says whether they are templates (SPEC §10: every report lists those), once each,
    before the fork: the worker inherits those texts, so isolation cannot add a second read of anything."""
    target = tmp_path / "fraud-scorer"
    shutil.copytree(TREES["fraud-scorer"], target, ignore=shutil.ignore_patterns(".readiness-cache", "reports"))
    counted.append(Reads(target))

    report = _run(target, isolate=True)

    reads = counted[0]
    assert len([r for r in report.results if r.status in (Status.PASS, Status.FAIL)]) >= 20  # the worker ran them
    yaml_files = {p for p in reads.index_reads if p.endswith((".yaml", ".yml"))}
    assert reads.index_reads == Counter(dict.fromkeys(yaml_files, 1)) and "k8s/deployment.yaml" in yaml_files
    assert reads.document_parses == Counter({("readiness.yaml", "yaml"): 1})  # the config loader's, only
    assert _more_than_once(reads.direct_opens) == {}


def test_the_instrumentation_notices_a_check_that_reads_around_the_index(
    tmp_path: Path, counted: list[Reads]
) -> None:
    """The counters above are not blind: a second read of a file, by the index or around it, is seen."""
    target = tmp_path / "fraud-scorer"
    shutil.copytree(TREES["fraud-scorer"], target, ignore=shutil.ignore_patterns(".readiness-cache", "reports"))
    index = ProjectIndex.build(target)
    counted.append(Reads(target))

    index.text("pyproject.toml")
    (target / "pyproject.toml").read_text(encoding="utf-8")
    ProjectIndex(target, ["pyproject.toml"]).text("pyproject.toml")

    assert counted[0].direct_opens == Counter({"pyproject.toml": 1})
    assert counted[0].index_reads == Counter({"pyproject.toml": 2})
