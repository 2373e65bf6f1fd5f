"""The composite GitHub Action (`action.yml`): its structure, and its `run:` steps executed as a runner would.

The runner is imitated closely enough for the steps' shell: each `run:` script goes to
`bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`) in the workspace, with the step's `env:` —
`${{ inputs.* }}`, `${{ github.action_path }}`, `${{ runner.temp }}` and `${{ steps.*.outputs.* }}`
substituted —, a fresh $GITHUB_OUTPUT file per step, $GITHUB_STEP_SUMMARY and $RUNNER_TEMP; `if:` conditions
are evaluated (only the forms the action uses are understood: anything else fails the test). `uses:` steps
(setup-python, upload-sarif, upload-artifact) are recorded with their inputs, not run.

No network: pip runs for real on the install step's command, in dry-run mode and offline ($PIP_DRY_RUN,
$PIP_NO_INDEX, $PIP_NO_DEPS, $PIP_IGNORE_INSTALLED, no build isolation), so the package spec the step builds is resolved and its
metadata built from the action's checkout (or, for a `version` input, from a wheel of it in a local folder);
`python` and `readiness` on $PATH are this test's interpreter and checker.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from report_samples import EXAMPLE, FAILING_PROJECT

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
PINNED_ACTION = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@v[0-9]+(\.[0-9]+)*$"

# The parts of GitHub's metadata syntax for a composite action that this file uses, strictly.
_TEXT = {"type": "string", "minLength": 1}
ACTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "description", "inputs", "outputs", "runs"],
    "additionalProperties": False,
    "properties": {
        "name": _TEXT,
        "description": _TEXT,
        "author": _TEXT,
        "branding": {"type": "object", "required": ["icon", "color"], "additionalProperties": False,
                     "properties": {"icon": _TEXT, "color": {"enum": ["white", "black", "yellow", "blue", "green",
                                                                         "orange", "red", "purple", "gray-dark"]}}},
        "inputs": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["description", "default"], "additionalProperties": False,
            "properties": {"description": _TEXT, "required": {"type": "boolean"}, "default": {"type": "string"}}}},
        "outputs": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["description", "value"], "additionalProperties": False,
            "properties": {"description": _TEXT, "value": _TEXT}}},
        "runs": {
            "type": "object", "required": ["using", "steps"], "additionalProperties": False,
            "properties": {"using": {"const": "composite"}, "steps": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["name"],
                "properties": {"name": _TEXT, "id": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_-]*$"},
                               "if": _TEXT, "env": {"type": "object", "additionalProperties": {"type": "string"}},
                               "run": _TEXT, "shell": {"const": "bash"}, "uses": {"type": "string", "pattern": PINNED_ACTION},
                               "with": {"type": "object"}},
                "oneOf": [{"required": ["run", "shell"], "not": {"required": ["uses"]}},
                          {"required": ["uses"], "not": {"anyOf": [{"required": ["run"]}, {"required": ["shell"]}]}}],
            }}},
        },
    },
}  # fmt: skip


# --- structure --------------------------------------------------------------------------------------


def test_action_yml_is_a_valid_composite_action() -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in jsonschema.Draft202012Validator(ACTION_SCHEMA).iter_errors(ACTION)]
    assert not errors, errors
    assert {"path", "fail-on", "formats", "policy", "version"} <= set(ACTION["inputs"])
    assert ACTION["inputs"]["path"]["default"] == "." and ACTION["inputs"]["fail-on"]["default"] == "high"
    assert {"verdict", "exit-code", "report-dir"} <= set(ACTION["outputs"])


def test_every_expression_names_something_that_exists() -> None:
    ids = {step["id"] for step in STEPS if "id" in step}
    written = {step["id"]: set(re.findall(r'echo "([a-z-]+)=', step.get("run", ""))) for step in STEPS if "id" in step}
    for expression in EXPRESSION.findall((ROOT / "action.yml").read_text(encoding="utf-8")):
        for name in re.findall(r"inputs\.([A-Za-z0-9_-]+)", expression):
            assert name in ACTION["inputs"], expression
        for step_id, output in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", expression):
            assert step_id in ids and output in written[step_id], expression


def test_no_input_is_interpolated_into_a_script() -> None:
    """`${{ inputs.x }}` inside `run:` would paste the value into the shell source: inputs go through `env:`."""
    for step in STEPS:
        assert "${{" not in step.get("run", ""), step["name"]


def test_the_steps_install_gate_summarise_upload_and_keep_the_reports() -> None:
    uses = {step["uses"].split("@")[0]: step for step in STEPS if "uses" in step}
    assert set(uses) == {"actions/setup-python", "github/codeql-action/upload-sarif", "actions/upload-artifact"}
    assert uses["github/codeql-action/upload-sarif"]["with"]["sarif_file"].endswith("/readiness.sarif")
    assert "${{ inputs.artifact-name }}" == uses["actions/upload-artifact"]["with"]["name"]
    scripts = " ".join(step.get("run", "") for step in STEPS)
    assert "pip install" in scripts and "readiness \"${args[@]}\"" in scripts and '>> "$GITHUB_STEP_SUMMARY"' in scripts
    names = [step["name"] for step in STEPS]
    assert names.index("Readiness gate") < names.index("Step summary") < names.index("Verdict") == len(names) - 1


# --- the run: steps, executed ---------------------------------------------------------------------------


@dataclass
class Run:
    workspace: Path
    temp: Path
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    codes: dict[str, int | None] = field(default_factory=dict)  # step name -> exit code (None: skipped)
    logs: dict[str, str] = field(default_factory=dict)
    uses: dict[str, dict[str, str]] = field(default_factory=dict)  # recorded `uses:` steps that would run
    failed: bool = False

    @property
    def summary(self) -> str:
        path = self.temp / "step-summary.md"
        return path.read_text(encoding="utf-8") if path.exists() else ""


def _shims(folder: Path) -> Path:
    """`python` and `readiness` on $PATH: this interpreter, and the checker of this checkout."""
    folder.mkdir()
    for name, target in (("python", f'"{sys.executable}" "$@"'), ("readiness", f'"{sys.executable}" -m checker "$@"')):
        shim = folder / name
        shim.write_text(f"#!/bin/sh\nexec {target}\n", encoding="utf-8")
        shim.chmod(0o755)
    return folder


def _value(expression: str, inputs: dict[str, str], run: Run) -> str:
    if match := re.fullmatch(r"inputs\.([A-Za-z0-9_-]+)", expression):
        return inputs[match.group(1)]
    if match := re.fullmatch(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", expression):
        return run.outputs.get(match.group(1), {}).get(match.group(2), "")
    known = {"github.action_path": str(ROOT), "runner.temp": str(run.temp)}
    if expression in known:
        return known[expression]
    raise AssertionError(f"the test runner does not know the expression {expression!r}")


def _substitute(text: str, inputs: dict[str, str], run: Run) -> str:
    return EXPRESSION.sub(lambda m: _value(m.group(1), inputs, run), text)


def _condition(step: dict[str, Any], inputs: dict[str, str], run: Run) -> bool:
    """`if:` as GitHub reads the forms used here: `always()` and `a != ''` / `a == 'x'` joined by `&&`."""
    condition = step.get("if", "success()")
    ok = True
    has_status = False
    for part in (p.strip() for p in condition.split("&&")):
        if part in ("always()", "success()"):
            has_status = True
            ok = ok and (part == "always()" or not run.failed)
        elif match := re.fullmatch(r"([\w.-]+) (==|!=) '([^']*)'", part):
            value = _value(match.group(1), inputs, run)
            ok = ok and ((value == match.group(3)) == (match.group(2) == "=="))
        else:
            raise AssertionError(f"the test runner does not understand the condition {part!r}")
    return ok and (has_status or not run.failed)


def _run_step(step: dict[str, Any], inputs: dict[str, str], run: Run, env: dict[str, str]) -> None:
    output = run.temp / f"output-{len(run.codes)}"
    output.write_text("", encoding="utf-8")
    script = run.temp / f"step-{len(run.codes)}.sh"
    script.write_text(step["run"], encoding="utf-8")
    step_env = {**env, "GITHUB_OUTPUT": str(output),
                **{k: _substitute(str(v), inputs, run) for k, v in step.get("env", {}).items()}}  # fmt: skip
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=run.workspace,
                          env=step_env, capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    run.codes[step["name"]] = done.returncode
    run.logs[step["name"]] = done.stdout + done.stderr
    run.failed = run.failed or done.returncode != 0
    if "id" in step:
        run.outputs[step["id"]] = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())


def run_action(workspace: Path, temp: Path, overrides: dict[str, str], pip_env: dict[str, str] | None = None) -> Run:
    inputs = {name: spec["default"] for name, spec in ACTION["inputs"].items()} | overrides
    temp.mkdir()
    run = Run(workspace=workspace, temp=temp)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "GITHUB_", "RUNNER_", "NO_COLOR", "FORCE_COLOR"))},
        "PATH": f"{_shims(temp / 'bin')}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "RUNNER_TEMP": str(temp), "GITHUB_WORKSPACE": str(workspace), "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_STEP_SUMMARY": str(temp / "step-summary.md"), "GITHUB_ENV": str(temp / "env"),
        "GITHUB_PATH": str(temp / "path"), "GITHUB_ACTIONS": "true", "CI": "true",
        # offline, installing nothing: pip resolves the spec and builds its metadata, then stops
        "PIP_DRY_RUN": "1", "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1", "PIP_NO_BUILD_ISOLATION": "0", "PIP_IGNORE_INSTALLED": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1", **(pip_env or {}),
    }  # fmt: skip
    for step in STEPS:
        if not _condition(step, inputs, run):
            run.codes[step["name"]] = None
        elif "uses" in step:
            run.codes[step["name"]] = 0
            run.uses[step["uses"].split("@")[0]] = {k: _substitute(str(v), inputs, run) for k, v in step.get("with", {}).items()}
        else:
            _run_step(step, inputs, run, env)
    return run


def _workspace(tmp_path: Path, project: Path) -> Path:
    workspace = tmp_path / "workspace"
    shutil.copytree(project, workspace, ignore=shutil.ignore_patterns(".readiness-cache"))
    return workspace


def test_the_action_passes_the_example_project(tmp_path: Path) -> None:
    run = run_action(_workspace(tmp_path, EXAMPLE), tmp_path / "runner", {})
    assert run.codes["Install readiness-checker"] == 0, run.logs["Install readiness-checker"]
    assert "Would install readiness-checker-" in run.logs["Install readiness-checker"]
    assert f"Processing {ROOT}" in run.logs["Install readiness-checker"]  # the action's own checkout
    assert run.codes["Readiness gate"] == 0, run.logs["Readiness gate"]
    reports = Path(run.outputs["gate"]["report-dir"])
    assert run.outputs["gate"] == {"exit-code": "0", "verdict": "ready", "report-dir": str(reports), "sarif": "true"}
    assert sorted(p.name for p in reports.iterdir()) == ["readiness.html", "readiness.json", "readiness.junit.xml",
                                                         "readiness.md", "readiness.sarif"]  # fmt: skip
    assert "::notice title=readiness::READY" in run.logs["Readiness gate"]  # `github` annotations in the log
    assert run.summary == (reports / "readiness.md").read_text(encoding="utf-8")
    assert run.summary.startswith("# Readiness: ") and "NOT READY" not in run.summary.splitlines()[0]
    assert run.uses["github/codeql-action/upload-sarif"] == {"sarif_file": str(reports / "readiness.sarif"), "category": "readiness"}
    assert run.uses["actions/upload-artifact"]["path"] == str(reports)
    assert run.codes["Verdict"] == 0 and not run.failed
    added = {p.name for p in run.workspace.iterdir()} - {p.name for p in EXAMPLE.iterdir()}
    assert added <= {".readiness-cache"}  # the reports went to $RUNNER_TEMP, not into the checked tree


def _wheelhouse(folder: Path) -> Path:
    """A wheel of this checkout, as PyPI would serve a release (built offline: the build backend is installed)."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "--quiet", "--wheel-dir", str(folder), str(ROOT)], check=True, timeout=300, capture_output=True)  # fmt: skip
    return folder


def test_the_action_fails_a_failing_project_after_publishing_its_reports(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("fail_on: high\n", encoding="utf-8")
    overrides = {"version": "v0.1.0", "extras": "", "formats": "codequality, junit", "policy": str(policy),
                 "upload-sarif": "false", "fail-on": "medium"}  # fmt: skip
    run = run_action(_workspace(tmp_path, FAILING_PROJECT), tmp_path / "runner", overrides,
                     {"PIP_FIND_LINKS": str(_wheelhouse(tmp_path / "wheels"))})  # fmt: skip
    install = run.logs["Install readiness-checker"]
    assert run.codes["Install readiness-checker"] == 0, install
    assert "Would install readiness-checker-0.1.0" in install and "readiness_checker-0.1.0-py3-none-any.whl" in install
    assert run.codes["Readiness gate"] == 0, run.logs["Readiness gate"]  # not ready is the last step's business
    assert run.outputs["gate"]["exit-code"] == "1" and run.outputs["gate"]["verdict"] == "not_ready"
    reports = Path(run.outputs["gate"]["report-dir"])
    assert sorted(p.name for p in reports.iterdir()) == ["readiness.codequality.json", "readiness.junit.xml",
                                                         "readiness.md", "readiness.sarif"]  # fmt: skip
    report = json.loads((reports / "readiness.codequality.json").read_text(encoding="utf-8"))
    assert any(issue["check_name"] == "REL001" for issue in report)
    sarif = json.loads((reports / "readiness.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["properties"]["policy"].endswith("policy.yaml")  # the policy input reached --policy
    assert run.summary.startswith("# Readiness: ❌ NOT READY")
    assert "github/codeql-action/upload-sarif" not in run.uses and run.codes["Upload SARIF to code scanning"] is None
    assert run.uses["actions/upload-artifact"] == {"name": "readiness-reports", "path": str(reports), "if-no-files-found": "ignore"}
    assert run.codes["Verdict"] == 1 and "readiness: not_ready (exit 1)" in run.logs["Verdict"]


def test_the_action_stops_on_a_configuration_error(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, FAILING_PROJECT)
    (workspace / "readiness.yaml").write_text("fail_onn: high\n", encoding="utf-8")
    run = run_action(workspace, tmp_path / "runner", {})
    assert run.codes["Readiness gate"] == 2
    assert "readiness.yaml:1:1: fail_onn: unknown key" in run.logs["Readiness gate"]
    assert run.outputs["gate"]["verdict"] == "error" and run.outputs["gate"]["sarif"] == "false"
    assert run.codes["Upload SARIF to code scanning"] is None and run.summary == ""
    assert run.codes["Verdict"] == 2


@pytest.mark.parametrize("formats", ["terminal github json junit html", "json,junit", " json , html "])
def test_the_formats_input_splits_on_spaces_and_commas(tmp_path: Path, formats: str) -> None:
    script = next(step["run"] for step in STEPS if step.get("id") == "gate")
    probe = script.split("code=0", 1)[0] + 'printf "%s\\n" "${args[@]}"\n'
    env = {"PATH": os.environ["PATH"], "INPUT_PATH": ".", "INPUT_FAIL_ON": "high", "INPUT_FORMATS": formats,
           "INPUT_POLICY": "", "REPORT_DIR": "/r"}  # fmt: skip
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", probe], env=env,
                          capture_output=True, text=True, check=True)  # fmt: skip
    args = done.stdout.splitlines()
    wanted = [f for f in re.split(r"[,\s]+", formats) if f]
    assert [args[i + 1] for i, a in enumerate(args) if a == "--format"] == ["sarif", "markdown", *wanted]


def test_the_readme_workflow_uses_the_action() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### GitHub Actions", 1)[1].split("\n### ", 1)[0]
    workflow = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))  # type: ignore[union-attr]
    steps = workflow["jobs"]["readiness"]["steps"]
    gate = next(step for step in steps if str(step.get("uses", "")).split("@")[0].endswith("/readiness-checker"))
    assert set(gate["with"]) <= set(ACTION["inputs"]) and "policy" in gate["with"]
    assert workflow["permissions"]["security-events"] == "write"
