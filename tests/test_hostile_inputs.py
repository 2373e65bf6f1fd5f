"""Hostile or broken project files: the run finishes, nothing crashes, each problem is recorded.

Large, binary and bomb inputs are generated into tmp_path here rather than committed.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from own_words import own_words
from report_samples import write_tree

from checker.engine.run import RunOptions, run
from checker.model import RunReport, Status
from checker.project.index import MAX_FILE_BYTES, ProjectIndex

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HEADER = "apiVersion: v1\nkind: ConfigMap\n"


def _alias_bomb() -> str:
    """Nine levels of nine aliases: 9**9 (387 million) nodes once expanded."""
    lines = [HEADER + 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def _run(root: Path, *packs: Path) -> RunReport:
    return run(RunOptions(target=root, extra_packs=packs, clock=lambda: NOW))


def _problems(report: RunReport) -> dict[str, tuple[int | None, str]]:
    return {p.path: (p.line, own_words(p.message)) for p in report.input_problems}


def _no_errors(report: RunReport) -> None:
    """Nothing crashed: a rule is `error` only for having met files it could not read (fail closed)."""
    errored = [(r.rule_id, r.message) for r in report.results
               if r.status == Status.ERROR and not r.message.startswith("could not read ")]  # fmt: skip
    assert errored == []


def test_malformed_and_hostile_files_are_recorded(tmp_path: Path) -> None:
    big = HEADER + "data:\n" + "".join(f"  key{i}: {'x' * 90}\n" for i in range(220_000))  # ~21 MB
    assert len(big) > 20 * 1024 * 1024 > MAX_FILE_BYTES
    write_tree(tmp_path, {
        "k8s/malformed.yaml": HEADER + "data: [1, 2\nmore: x\n",
        "k8s/bomb.yaml": _alias_bomb(),
        "k8s/deployment.yaml": b"\x00\x01binary apiVersion kind\xff" * 64,
        "k8s/latin1.yaml": (HEADER + "metadata: {name: caf\xe9}\n").encode("latin-1"),
        "k8s/huge.yaml": big,
        "pyproject.toml": "[project\nname = 'x'\n",
    })  # fmt: skip
    report = _run(tmp_path)
    assert _problems(report) == {
        "k8s/malformed.yaml": (4, "invalid YAML: syntax error (parser: …)"),
        "k8s/bomb.yaml": (3, "invalid YAML: document expands to too many nodes (YAML alias bomb?)"),
        "k8s/deployment.yaml": (None, "binary file; not read as text"),
        "k8s/latin1.yaml": (3, "not UTF-8 text (byte 51); not read"),
        "k8s/huge.yaml": (None, "larger than 8 MB (limits.max_file_mb); not read"),
        "pyproject.toml": (
            1,
            "invalid TOML: Expected ']' at the end of a table declaration (at line 1, column 9)",
        ),
    }
    _no_errors(report)


def test_malformed_json_and_toml_read_by_a_document_query(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "pack: {name: docs}\nrules:\n"
        "  - {id: DOC001, title: t, category: versioning, severity: low, description: d, rationale: r,\n"
        "     remediation: m, check: {type: document_query, files: ['conf/*'], assert: {path: version}}}\n",
        encoding="utf-8",
    )
    project = tmp_path / "proj"
    write_tree(
        project,
        {"conf/a.json": '{"version": ', "conf/b.toml": "version = = 1\n", "conf/c.yaml": "version: 1\n"},
    )
    report = _run(project, pack)
    doc = next(r for r in report.results if r.rule_id == "DOC001")
    assert doc.status == Status.FAIL
    assert [(f.path, f.line, f.message) for f in doc.findings] == [
        ("conf/a.json", 1, "cannot be read: invalid JSON: Expecting value"),
        ("conf/b.toml", 1, "cannot be read: invalid TOML: Invalid value (at line 1, column 11)"),
    ]
    assert _problems(report)["conf/a.json"] == (1, "invalid JSON: Expecting value")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_loop_and_link_outside_the_target(tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text(HEADER + "data: {password: hunter2}\n", encoding="utf-8")
    project = tmp_path / "proj"
    (project / "k8s").mkdir(parents=True)
    os.symlink(outside, project / "k8s" / "external.yaml")
    os.symlink("loop-b", project / "loop-a")
    os.symlink("loop-a", project / "loop-b")
    os.symlink(tmp_path, project / "up")  # a directory link back out: never walked
    report = _run(project)
    assert _problems(report) == {
        "k8s/external.yaml": (None, "symlink points outside the target; not followed"),
        "loop-a": (None, "unreadable path or symlink loop; not followed"),
        "loop-b": (None, "unreadable path or symlink loop; not followed"),
    }
    index = ProjectIndex.build(project)
    assert sorted(index.files) == []
    _no_errors(report)


WRONG_SHAPES = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: spec-is-a-string}
spec: just a string
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: containers-is-a-dict}
spec:
  replicas: 2
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: [not, a, mapping]}
    spec:
      containers: {name: c, image: "nginx:1.25"}
---
apiVersion: apps/v1
kind: Deployment
metadata: [listed]
spec:
  replicas: "two"
  strategy: Recreate
  template:
    spec:
      securityContext: nope
      initContainers: 7
      containers:
        - just-a-string
        - null
        - name: odd
          image: 5
          env: {A: b}
          ports: 8080
          resources: 3
          securityContext: [x]
          readinessProbe: yes
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: hpa}
spec: [1, 2]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb}
spec: {selector: everything}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cron}
spec: {jobTemplate: {spec: {template: 3}}}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {selector: [a]}
"""


def test_wrong_kubernetes_shapes_do_not_crash_checks(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "k8s/wrong.yaml": WRONG_SHAPES,
        "docker-compose.yaml": "services: [web]\n",
        "compose/docker-compose.yml": "services:\n  web: 3\n  api: {image: [x], environment: 5, command: {a: 1}}\n",
    })  # fmt: skip
    report = _run(tmp_path)
    _no_errors(report)
    assert report.input_problems == ()


def test_catastrophic_regex_in_a_user_pack_runs_in_linear_time(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "pack: {name: redos}\nrules:\n"
        "  - {id: RED001, title: t, category: security, severity: low, description: d, rationale: r,\n"
        "     remediation: m, check: {type: file_content, files: ['*.txt'], pattern: '^(a+)+$'}}\n"
        "  - {id: RED002, title: t, category: security, severity: low, description: d, rationale: r,\n"
        "     remediation: m, check: {type: file_content, files: ['*.txt'], pattern: '(x+x+)+y'}}\n",
        encoding="utf-8",
    )
    project = tmp_path / "proj"
    # Inputs that make a backtracking engine take exponential time; RE2 scans each once.
    write_tree(project, {"a.txt": "a" * 100_000 + "!", "x.txt": "x" * 100_000})
    report = _run(project, pack)
    statuses = {r.rule_id: (r.status, r.message) for r in report.results if r.rule_id.startswith("RED")}
    assert statuses == {
        "RED001": (Status.PASS, "2 files checked"),
        "RED002": (Status.PASS, "2 files checked"),
    }


def test_empty_and_odd_yaml_documents(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "k8s/empty.yaml": "",
        "k8s/only-comments.yaml": "# apiVersion kind\n",
        "k8s/scalar.yaml": "apiVersion\n---\nkind\n",
        "k8s/nulls.yaml": "---\n---\napiVersion: v1\nkind: ConfigMap\n---\n",
        "k8s/deep.yaml": HEADER + "data: " + "[" * 5000 + "]" * 5000 + "\n",
        "k8s/tags.yaml": HEADER + "data: !!python/name:os.system ''\n",
        "k8s/tagged-map.yaml": HEADER + "data: !!python/object/apply:os.system {args: [id]}\n",  # refused too
    })  # fmt: skip
    report = _run(tmp_path)
    _no_errors(report)
    problems = _problems(report)
    assert set(problems) == {"k8s/deep.yaml", "k8s/tags.yaml", "k8s/tagged-map.yaml"}
    assert problems["k8s/tags.yaml"][1].startswith("invalid YAML: YAML tag '!!python/name:os.system' is not allowed")
