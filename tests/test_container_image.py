"""The tool's own container image (docker/Dockerfile): checked by the tool's own rules, and read for what the
build needs. The image is not built here (that needs a registry); its definition is tested instead."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.specifiers import SpecifierSet

from checker.checks.registry import default_registry
from checker.cli import main
from checker.engine.packs import builtin_pack_dir, pack_files
from checker.packs.loader import load_packs

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "docker" / "Dockerfile"
TEXT = DOCKERFILE.read_text(encoding="utf-8")
# Instructions as written, continuation lines joined, comments left out.
INSTRUCTIONS = [
    line.strip() for line in re.sub(r"\\\n", " ", TEXT).splitlines() if line.strip() and not line.lstrip().startswith("#")
]


def _dockerfile_rules() -> list[str]:
    """Every built-in rule that reads Dockerfiles, so a new one is held to this image too."""
    rules = load_packs(pack_files(builtin_pack_dir()), default_registry())
    return sorted(r.id for r in rules if any("Dockerfile" in item for item in r.inputs))


def test_the_tools_own_rules_pass_on_its_image(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "image" / "docker").mkdir(parents=True)
    shutil.copy(DOCKERFILE, tmp_path / "image" / "docker" / "Dockerfile")
    monkeypatch.chdir(tmp_path)
    rules = _dockerfile_rules()
    assert {"REL006", "REL007", "SEC003", "SEC008"} <= set(rules)
    selection = [arg for rule in [*rules, "SEC002"] for arg in ("--only", rule)]
    result = CliRunner().invoke(main, ["check", "image", *selection, "--format", "json", "--output-dir", "out", "--no-cache"])
    report = json.loads((tmp_path / "out" / "readiness.json").read_text(encoding="utf-8"))
    status = {r["rule_id"]: r["status"] for r in report["results"]}
    # A one-shot CLI has no long-running process to health-check: REL007 says so, below the default gate.
    assert status.pop("REL007") == "fail"
    assert next(r for r in report["results"] if r["rule_id"] == "REL007")["severity"] == "medium"
    assert status == {rule: "pass" for rule in [*rules, "SEC002"] if rule != "REL007"}
    assert result.exit_code == 0 and report["verdict"] == "ready", result.output


def test_the_base_image_is_pinned_to_an_exact_python_the_package_supports() -> None:
    bases = [line.split()[1] for line in INSTRUCTIONS if line.startswith("FROM ")]
    assert len(bases) == 2 and len(set(bases)) == 1, bases  # build and final stage on the same base
    match = re.fullmatch(r"python:(\d+\.\d+\.\d+)-slim-[a-z]+(@sha256:[0-9a-f]{64})?", bases[0])
    assert match, f"{bases[0]}: pin an exact version tag (or a digest) of the slim image"
    requires = re.search(r'requires-python = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert requires and match.group(1) in SpecifierSet(requires.group(1))


def test_the_image_runs_as_a_non_root_user_and_starts_the_checker() -> None:
    users = [line.split()[1] for line in INSTRUCTIONS if line.startswith("USER ")]
    assert users and re.fullmatch(r"[1-9][0-9]*:[1-9][0-9]*", users[-1]), users  # numeric: runAsNonRoot can verify it
    assert INSTRUCTIONS.index(f"USER {users[-1]}") > max(i for i, line in enumerate(INSTRUCTIONS) if line.startswith("RUN "))
    assert 'ENTRYPOINT ["readiness"]' in INSTRUCTIONS
    assert 'CMD ["check", ".", "--output-dir", "/reports"]' in INSTRUCTIONS and "WORKDIR /src" in INSTRUCTIONS
    assert not [line for line in INSTRUCTIONS if line.startswith("ADD ")]


def test_the_image_stays_small() -> None:
    runs = " ".join(line for line in INSTRUCTIONS if line.startswith("RUN "))
    assert "--no-install-recommends" in runs and "rm -rf /var/lib/apt/lists/*" in runs
    assert runs.count("--no-cache-dir") == 2  # pip keeps no cache in a layer
    assert "--mount=type=bind,from=build" in runs  # the wheel is mounted, not copied into a layer
    assert 'ARG EXTRAS=""' in INSTRUCTIONS  # the core by default: the data engines are an opt-in extra


# --- the build context ---------------------------------------------------------------------------------


def _dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as Docker matches it: `*` and `?` within one path part, `**` across parts."""
    pieces = []
    for part in pattern.strip("/").split("/"):
        if part == "**":
            pieces.append("(?:[^/]+/)*")
        else:
            pieces.append(re.escape(part).replace(r"\*", "[^/]*").replace(r"\?", "[^/]") + "/")
    return re.compile("".join(pieces).rstrip("/") + r"\Z")


def _sent(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern that matches the path or one of its parent folders decides."""
    parents = ["/".join(path.split("/")[: i + 1]) for i in range(path.count("/") + 1)]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = _dockerignore_regex(pattern.lstrip("!"))
        if any(regex.match(p) for p in parents):
            excluded = not negated
    return not excluded


def test_the_build_context_holds_what_the_build_copies_and_nothing_else() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    copied = [src for line in INSTRUCTIONS if line.startswith("COPY ") and "--from" not in line
              for src in line.split()[1:-1]]  # fmt: skip
    assert copied == ["pyproject.toml", "README.md", "checker/", "rules/"]
    needed = ["pyproject.toml", "README.md", "checker/cli.py", "checker/reporters/sarif.py", "rules/security.yaml"]
    assert all(_sent(path, patterns) for path in needed)
    for path in ("tests/test_cli.py", ".git/config", "examples/fraud-scorer/readiness.yaml", "reports/readiness.json",
                 ".venv/bin/python", "checker/__pycache__/cli.cpython-312.pyc", "docker/Dockerfile"):  # fmt: skip
        assert not _sent(path, patterns), path


def test_the_readme_documents_building_and_running_the_image() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docker build -f docker/Dockerfile -t readiness-checker ." in readme
    run = next(line for line in readme.splitlines() if line.startswith("docker run --rm") and "/reports" in line)
    assert '-v "$PWD:/src:ro"' in run and "/reports" in run
    assert "--output-dir - > readiness.sarif" in readme
