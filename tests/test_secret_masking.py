"""No secret value appears unmasked in any report format (every format `renderers()` knows, plus terminal).

New formats are picked up automatically: the test iterates `renderers()`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_samples import write_tree

from checker.cli import main
from checker.engine.run import RunOptions, run
from checker.model import RunReport, Status
from checker.reporters import renderers
from checker.reporters.terminal import render as render_terminal

SECRETS = {
    "aws": "AKIAZ7QX3J2N4T5W6Y8R",
    "github": "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5",
    "entropy": "q8Zp3LrT7vXw2Nc9Kd4Bf6Hj1Mg5Sa0Ye",
    "manifest": "Vn4Rt8Lp2Xc6Zq0Bw3Hy7Km1Jd5Fs9Ga",
    "compose": "hunter2-correct-horse-battery",
}
PROJECT = {
    "src/app/settings.py": f'AWS_ACCESS_KEY_ID = "{SECRETS["aws"]}"\nAPI_TOKEN = "{SECRETS["entropy"]}"\n',
    "scripts/release.sh": f"#!/bin/sh\nexport GITHUB_TOKEN={SECRETS['github']}\n",
    "k8s/deployment.yaml": f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: scorer
spec:
  selector:
    matchLabels: {{app: scorer}}
  template:
    metadata:
      labels: {{app: scorer}}
    spec:
      containers:
        - name: api
          image: registry.example.com/scorer:1.0.0
          env:
            - name: DB_PASSWORD
              value: "{SECRETS["manifest"]}"
""",
    "docker-compose.yaml": f"services:\n  api:\n    image: registry.example.com/scorer:1.0.0\n"
    f"    environment:\n      ADMIN_PASSWORD: {SECRETS['compose']}\n",
}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> RunReport:
    root = tmp_path_factory.mktemp("leaky")
    for rel, text in PROJECT.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return run(RunOptions(target=root, jobs=1))


def _rendered(report: RunReport) -> dict[str, str]:
    outputs = {name: render(report) for name, render in renderers().items()}
    outputs["terminal (colour)"] = render_terminal(report, color=True)
    return outputs


def test_the_fixture_really_holds_secrets(report: RunReport) -> None:
    by_rule = {r.rule_id: r for r in report.results}
    assert by_rule["SEC002"].status == Status.FAIL and len(by_rule["SEC002"].findings) == 3
    assert by_rule["SEC007"].status == Status.FAIL and len(by_rule["SEC007"].findings) == 2


def test_every_format_is_rendered() -> None:
    assert {"json", "sarif", "junit", "markdown", "html", "github", "terminal"} <= set(renderers())


@pytest.mark.parametrize("secret", sorted(SECRETS))
def test_no_format_shows_a_secret_or_a_long_piece_of_it(report: RunReport, secret: str) -> None:
    value = SECRETS[secret]
    pieces = {value[i:i + 8] for i in range(len(value) - 7)}  # more than the mask's two characters
    for name, text in _rendered(report).items():
        leaked = sorted(p for p in pieces if p in text)
        assert not leaked, f"{name} report shows part of the {secret} secret: {leaked[:3]}"


# --- a hard-coded password in Python code: reports, terminal, annotations and every cache file -----------

PASSWORD = "hunter2-very-secret-value"
PYTHON_PROJECT = {
    "app/settings.py": f'DB_PASSWORD = "{PASSWORD}"\n',  # B105
    "app/db.py": f'def connect(client):\n    return client.login(user="app", password="{PASSWORD}")\n',  # B106
    "app/auth.py": f'def login(user, password="{PASSWORD}"):\n    return user, password\n',  # B107
    # SEC001 reports bandit's low-severity issues too, so the findings reach every report format.
    "readiness.yaml": "rules:\n  SEC001: {params: {severity: low, confidence: low}}\n",
}
ALL_FORMATS = [arg for fmt in ("terminal", "json", "sarif", "junit", "markdown", "html", "github", "codequality")
               for arg in ("--format", fmt)]  # fmt: skip


def _leaks(text: str) -> list[str]:
    pieces = {PASSWORD[i:i + 8] for i in range(len(PASSWORD) - 7)}  # more than the mask's two characters
    return sorted(p for p in pieces if p in text)


def _files_under(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_bytes().decode("utf-8", "replace")
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def test_a_hard_coded_password_is_masked_everywhere_the_checker_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = write_tree(tmp_path / "proj", PYTHON_PROJECT)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    outputs = {}
    for phase in ("cold", "warm"):  # the warm run answers from the caches the cold one wrote
        result = CliRunner().invoke(main, ["check", ".", "--only", "SEC001", "--only", "SEC002", *ALL_FORMATS])
        assert result.exit_code == 1, result.output
        outputs[f"{phase} stdout"], outputs[f"{phase} stderr"] = result.stdout, result.stderr
    hook = CliRunner().invoke(main, ["pre-commit", "app/settings.py", "app/db.py", "app/auth.py"])  # replay record
    outputs["pre-commit"] = hook.output
    written = {**_files_under(root / "reports"), **_files_under(root / ".readiness-cache")}
    assert {"readiness.json", "readiness.html", "pre-commit-replay.json", "cache-v1.json"} <= {
        Path(name).name for name in written
    } and any(name.startswith("bandit/") for name in written)
    report = written["readiness.json"]
    for test_id in ("B105", "B106", "B107"):
        assert f"{test_id} hardcoded_password" in report  # the findings are there, their value masked
    assert "Possible hardcoded password: 'hu********'" in report
    for name, text in {**outputs, **written}.items():
        assert not _leaks(text), f"{name} shows part of the password: {_leaks(text)[:3]}"


def test_bandit_password_messages_are_masked_with_the_shared_mask() -> None:
    from checker.checks.bandit_runner import masked_text
    from checker.checks.secret_names import mask

    assert masked_text("B105", f"Possible hardcoded password: '{PASSWORD}'") == (
        f"Possible hardcoded password: '{mask(PASSWORD)}'")  # fmt: skip
    quoting = "it's 'quoted'"  # bandit does not escape quotes in the value: everything between the outer ones
    assert masked_text("B106", f"Possible hardcoded password: '{quoting}'") == f"Possible hardcoded password: '{mask(quoting)}'"
    assert masked_text("B107", f"a wording bandit may use one day: {PASSWORD}") == "Possible hardcoded password (value masked)"
    assert masked_text("B602", "subprocess call with shell=True identified") == "subprocess call with shell=True identified"


def test_a_condition_on_a_secret_named_field_explains_without_its_value() -> None:
    from checker.checks.conditions import Leaf, evaluate

    compose = {"environment": {"DB_PASSWORD": PASSWORD, "LOG_LEVEL": "debug"}}
    secret = evaluate(Leaf(path="environment.DB_PASSWORD", op="absent"), compose)
    plain = evaluate(Leaf(path="environment.LOG_LEVEL", op="==", value="info"), compose)
    assert secret is not None and not _leaks(secret.explanation) and "'hu********'" in secret.explanation
    assert plain is not None and plain.explanation == "environment.LOG_LEVEL is 'debug' (expected == 'info')"
