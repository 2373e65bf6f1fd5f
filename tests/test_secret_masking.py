"""No secret value appears unmasked in any report format (every format `renderers()` knows, plus terminal).

New formats are picked up automatically: the test iterates `renderers()`.
"""

from __future__ import annotations

import pytest

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
