"""Issue 7 §2: a file a rule could not read never lets that rule pass (or be skipped) silently.

The index notes which unreadable files each rule asked for — directly, through a cached parse error, or through
a derived model (the Kubernetes model, Python facts) that a previous rule built — and the engine turns such a
pass or skip into `error`, one finding per file. A broken file that no rule reads is only an input problem.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from report_samples import write_tree

from checker.engine.run import RunOptions, run
from checker.model import Finding, RunReport, Status
from checker.project.index import InputError, ProjectIndex
from checker.project.pysource import PythonSources

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer}
spec:
  replicas: 2
  selector: {matchLabels: {app: scorer}}
  template:
    metadata: {labels: {app: scorer}}
    spec:
      containers:
        - name: api
          image: registry.example.com/scorer:1.0.0
          resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {memory: 1Gi}}
          readinessProbe: {httpGet: {path: /readyz, port: 8080}}
          livenessProbe: {httpGet: {path: /livez, port: 8080}}
"""
BROKEN = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: broken\n"
KUBE_RULES = ("REL002", "REL003", "SCA001")


def _run(target: Path, *only: str, isolate: bool = True) -> RunReport:
    return run(RunOptions(target=target, only=only, isolate=isolate))


def _broken_problem(report: RunReport) -> Finding:
    (problem,) = [p for p in report.input_problems if p.path == "k8s/broken.yaml"]
    assert problem.message.startswith("invalid YAML: ")
    return Finding(message=problem.message, path=problem.path, line=problem.line)


@pytest.mark.parametrize("isolate", [True, False], ids=["isolated", "in-process"])
def test_rules_that_read_a_broken_manifest_are_errors_naming_it(tmp_path: Path, isolate: bool) -> None:
    target = write_tree(tmp_path, {"k8s/good.yaml": DEPLOYMENT, "k8s/broken.yaml": BROKEN})

    report = _run(target, *KUBE_RULES, isolate=isolate)

    expected = _broken_problem(report)
    assert expected.line == 4  # where the flow mapping is left open
    for result in report.results:  # the second and third rule meet it through the cached Kubernetes model
        assert result.status == Status.ERROR, result.rule_id
        assert result.message == f"could not read 1 input file(s): k8s/broken.yaml ({expected.message})"
        assert result.findings == (expected,)


def test_with_the_broken_manifest_excluded_the_rules_pass(tmp_path: Path) -> None:
    target = write_tree(tmp_path, {"k8s/good.yaml": DEPLOYMENT, "k8s/broken.yaml": BROKEN,
                              "readiness.yaml": "exclude: [k8s/broken.yaml]\n"})  # fmt: skip

    report = _run(target, *KUBE_RULES)

    assert {r.rule_id: r.status for r in report.results} == dict.fromkeys(KUBE_RULES, Status.PASS)
    assert report.input_problems == ()


def test_a_failing_rule_stays_failed_and_names_the_unreadable_file_too(tmp_path: Path) -> None:
    no_probe = DEPLOYMENT.replace("          readinessProbe: {httpGet: {path: /readyz, port: 8080}}\n", "")
    target = write_tree(tmp_path, {"k8s/good.yaml": no_probe, "k8s/broken.yaml": BROKEN})

    (result,) = _run(target, "REL002").results

    assert result.status == Status.FAIL
    assert [(f.path, f.line) for f in result.findings] == [("k8s/broken.yaml", 4), ("k8s/good.yaml", 11)]
    assert "readinessProbe" in result.findings[1].message


def test_an_unreadable_file_no_rule_reads_is_only_an_input_problem(tmp_path: Path) -> None:
    """SEC002 scans every text file, so it meets a Latin-1 file; the Kubernetes rules never open it."""
    target = write_tree(tmp_path, {"k8s/good.yaml": DEPLOYMENT, "docs/notes.txt": "caf\xe9 au lait\n".encode("latin-1")})

    report = _run(target, "SEC002", *KUBE_RULES)

    by_id = {r.rule_id: r for r in report.results}
    assert [by_id[rule].status for rule in KUBE_RULES] == [Status.PASS] * 3
    assert by_id["SEC002"].status == Status.ERROR
    assert by_id["SEC002"].message == "could not read 1 input file(s): docs/notes.txt (not UTF-8 text (byte 3); not read)"
    assert [p.path for p in report.input_problems] == ["docs/notes.txt"]


def test_python_that_does_not_parse_counts_for_every_rule_that_reads_it(tmp_path: Path) -> None:
    """MON001 parses the file first (it declares a route); MON004 gets the same facts from PythonSources' cache."""
    code = 'from fastapi import FastAPI\napp = FastAPI()\n@app.get("/metrics")\ndef metrics(:\n    pass\n'
    target = write_tree(tmp_path, {"src/app.py": code, "pyproject.toml": "[project]\nname = 'x'\n"})

    by_id = {r.rule_id: r for r in _run(target, "MON001", "MON004").results}

    unparsed = Finding(message="not valid Python: invalid syntax", path="src/app.py", line=4)
    assert by_id["MON001"].status == Status.FAIL  # no metrics exposure found, and the file it could not read
    assert unparsed in by_id["MON001"].findings
    assert by_id["MON004"].status == Status.ERROR
    assert by_id["MON004"].findings == (unparsed,)


# --- the index's bookkeeping -----------------------------------------------------------------------


def test_each_block_meets_the_problems_of_what_it_asked_for(tmp_path: Path) -> None:
    target = write_tree(tmp_path, {"good.yaml": "a: 1\n", "bad.yaml": "a: [\n", "bin.dat": b"\x00\x01"})
    index = ProjectIndex.build(target)

    with index.problems_met() as first:
        with pytest.raises(InputError):
            index.yaml("bad.yaml")
        index.yaml("good.yaml")
    with index.problems_met() as second:  # the cached parse error counts again
        with pytest.raises(InputError):
            index.yaml("bad.yaml")
        with pytest.raises(InputError):
            index.text("bin.dat")
    with index.problems_met() as third:
        index.yaml("good.yaml")

    assert list(first) == ["bad.yaml"]
    assert sorted(second) == ["bad.yaml", "bin.dat"]
    assert third == {}


def test_users_of_a_derived_model_meet_what_its_build_could_not_read(tmp_path: Path) -> None:
    target = write_tree(tmp_path, {"bad.yaml": "a: [\n", "src/app.py": "def f(:\n"})
    index = ProjectIndex.build(target)

    def build(idx: ProjectIndex) -> str:
        try:
            idx.yaml("bad.yaml")
        except InputError:
            return "built without bad.yaml"
        return "built"

    with index.problems_met() as builder:
        index.derived("model", build)
        PythonSources.of(index).facts("src/app.py")
    with index.problems_met() as later_user:
        index.derived("model", build)
        PythonSources.of(index).facts("src/app.py")

    assert sorted(builder) == sorted(later_user) == ["bad.yaml", "src/app.py"]
