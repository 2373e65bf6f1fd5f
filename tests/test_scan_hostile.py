"""The scan stage against hostile project trees: every file that cannot be used is an input problem naming it
(and its line where it has one), the other files are still checked, and nothing blocks, crashes, leaves the
target or fetches anything.

Special files (FIFOs, sockets, devices, symlink loops and escapes, odd names) are built here in tmp_path;
a read that would block runs in a daemon thread, so the old behaviour fails the test instead of hanging it.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable

import pytest
from own_words import own_words
from report_samples import write_tree

from checker.config import Limits
from checker.engine.run import RunOptions, run
from checker.model import RunReport
from checker.project.dockerfile import dockerfiles, parse
from checker.project.dockerfile_syntax import DockerfileSyntaxError
from checker.project.index import InputError, ProjectIndex

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HEADER = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - {name: web, image: "nginx:1.25"}
"""
OUTSIDE = "symlink points outside the target; not followed"
LOOP = "unreadable path or symlink loop; not followed"


def _run(root: Path, **options: Any) -> RunReport:
    return run(RunOptions(target=root, clock=lambda: NOW, **options))


def _problems(index_or_report: ProjectIndex | RunReport) -> dict[str, tuple[int | None, str]]:
    found = index_or_report.problems if isinstance(index_or_report, ProjectIndex) else index_or_report.input_problems
    return {p.path: (p.line, own_words(p.message)) for p in found}


def _finishes(action: Callable[[], object], timeout: float = 30) -> object:
    """`action()`'s result, or a test failure when it is still running after `timeout` (a blocked open)."""
    box: list[object] = []
    worker = threading.Thread(target=lambda: box.append(action()), daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), "blocked: the read never returned"
    return box[0] if box else None


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                   check=True, capture_output=True, timeout=60)  # fmt: skip


def _read_all(index: ProjectIndex) -> dict[str, str | None]:
    texts: dict[str, str | None] = {}
    for path in index.files:
        try:
            texts[path] = index.text_unless_binary(path)
        except InputError:
            texts[path] = None
    return texts


# --- broken and unconstructible documents ----------------------------------------------------------------


def test_a_broken_manifest_does_not_hide_the_valid_ones(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "k8s/a-good.yaml": DEPLOYMENT,
        "k8s/b-broken.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad\nspec: {}\n",
        "k8s/c-good.yaml": DEPLOYMENT.replace("name: web", "name: api"),
    })  # fmt: skip
    report = _run(tmp_path, only=("REL002",), isolate=False)
    assert _problems(report) == {"k8s/b-broken.yaml": (4, "invalid YAML: syntax error (parser: …)")}
    rel002 = next(r for r in report.results if r.rule_id == "REL002")
    judged = {f.path for f in rel002.findings}
    assert {"k8s/a-good.yaml", "k8s/c-good.yaml"} <= judged  # no readinessProbe: still found in the valid files


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (HEADER + "data: !!python/object/apply:os.mkdir [MARKER]\n", 4, "YAML tag '!!python/object/apply:os.mkdir' is not allowed"),
        (HEADER + "data: !!python/object:os.system {a: 1}\n", 4, "YAML tag '!!python/object:os.system' is not allowed"),
        (HEADER + "data: !!python/name:os.system ''\n", 4, "YAML tag '!!python/name:os.system' is not allowed"),
        ("Resources:\n  Bucket:\n    Properties: {Name: !Ref Other}\n", 3, "YAML tag '!Ref' is not allowed"),
        (HEADER + "data: !!binary '@@@ not base64'\n", 4, "failed to decode base64 data"),
        (HEADER + "data:\n  ? {a: 1}\n  : x\n", 5, "a mapping key must be a scalar"),
    ],
    ids=["python-object-apply", "python-object", "python-name", "cloudformation-ref", "binary-garbage", "mapping-key"],
)  # fmt: skip
def test_yaml_the_safe_loader_cannot_construct_is_a_located_problem(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    marker = tmp_path / "constructed"
    write_tree(tmp_path, {"k8s/odd.yaml": text.replace("MARKER", str(marker))})
    index = ProjectIndex.build(tmp_path)
    with pytest.raises(InputError) as raised:
        index.yaml("k8s/odd.yaml")
    assert raised.value.problem.line == line
    assert message in raised.value.problem.message
    assert raised.value.problem.message.startswith("invalid YAML: ")
    assert not marker.exists()  # nothing was ever constructed


_DEEP_SCRIPT = """
import sys
from pathlib import Path
from checker.project.index import InputError, ProjectIndex
index = ProjectIndex.build(Path(sys.argv[1]))
for path in sorted(index.files):
    try:
        index.data(path)
        print(path, "parsed")
    except InputError as exc:
        print(path, exc.problem.line, exc.problem.message)
"""


def test_deep_nesting_and_alias_bombs_are_problems_not_crashes(tmp_path: Path) -> None:
    """100,000 levels overflow libyaml's C composer (a segfault) and the JSON/TOML parsers' recursion: run in a
    child process, so a crash fails this test instead of killing the test session."""
    deep = 100_000
    bomb = [HEADER + 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    bomb += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 9)]
    write_tree(tmp_path, {
        "deep-flow.yaml": "a: " + "[" * deep + "]" * deep + "\n",
        "deep-block.yaml": "".join(" " * n + f"k{n}:\n" for n in range(3000)),
        "deep.json": "[" * deep + "]" * deep,
        "deep.toml": "a = " + "[" * deep + "]" * deep + "\n",
        "bomb.yaml": "\n".join(bomb) + "\n",
    })  # fmt: skip
    proc = subprocess.run([sys.executable, "-c", _DEEP_SCRIPT, str(tmp_path)], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        "bomb.yaml 4 invalid YAML: document expands to too many nodes (YAML alias bomb?)",
        "deep-block.yaml 201 invalid YAML: nested more than 200 levels deep",
        "deep-flow.yaml 1 invalid YAML: nested more than 200 levels deep",
        "deep.json None invalid JSON: nested too deeply to read",
        "deep.toml None invalid TOML: nested too deeply to read",
    ]


def test_the_yaml_node_cap_comes_from_the_config_limits(tmp_path: Path) -> None:
    write_tree(tmp_path, {"k8s/list.yaml": HEADER + "data:\n" + "".join(f"  k{i}: v\n" for i in range(100))})
    assert ProjectIndex.build(tmp_path).yaml("k8s/list.yaml")[0]["data"]["k99"] == "v"
    capped = ProjectIndex.build(tmp_path, limits=Limits(max_yaml_nodes=50))
    with pytest.raises(InputError, match="too many nodes"):
        capped.yaml("k8s/list.yaml")


# --- sizes, binary and non-UTF-8 files ---------------------------------------------------------------------


def test_size_cap_binary_and_non_utf8_inputs_through_a_run(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    write_tree(tmp_path, {
        "readiness.yaml": "limits: {max_file_mb: 0.01}\n",  # 10 KB
        "k8s/big.yaml": HEADER + "data:\n" + "".join(f"  k{i}: {'x' * 60}\n" for i in range(300)),
        "k8s/deployment.yaml": b"\x00" * 4096,
        "Dockerfile": png,
        "docker/Dockerfile": "FROM python:3.12\n# caf\xe9\nUSER app\n".encode("latin-1"),
        "src/app.py": "# -*- coding: latin-1 -*-\n\nname = 'caf\xe9'\n".encode("latin-1"),
    })  # fmt: skip
    report = _run(tmp_path, only=("REL006", "SEC003", "MON004", "SCA001"), isolate=False)
    assert _problems(report) == {
        "k8s/big.yaml": (None, "larger than 0.01 MB (limits.max_file_mb); not read"),
        "k8s/deployment.yaml": (None, "binary file; not read as text"),
        "Dockerfile": (None, "binary file; not read as text"),
        "docker/Dockerfile": (2, "not UTF-8 text (byte 22); not read"),
        "src/app.py": (3, "not UTF-8 text (byte 38); not read"),
    }


# --- special files: FIFOs, sockets, devices, symlinks ------------------------------------------------------


def _special_tree(root: Path) -> None:
    write_tree(root, {"k8s/deployment.yaml": DEPLOYMENT, "outside/secret.yaml": HEADER + "data: {password: x}\n"})
    project = root / "proj"
    write_tree(project, {"k8s/deployment.yaml": DEPLOYMENT, "config/app.yaml": HEADER})
    os.mkfifo(project / "k8s" / "fifo.yaml")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(project / "k8s" / "api.sock"))
    server.close()
    os.mknod(project / "k8s" / "null.yaml", stat.S_IFCHR | 0o600, os.makedev(1, 3))  # /dev/null's numbers
    os.symlink("/dev/zero", project / "k8s" / "zero.yaml")
    os.symlink(root / "outside" / "secret.yaml", project / "k8s" / "external.yaml")
    os.symlink("../config/app.yaml", project / "k8s" / "same-file.yaml")  # the real file is read once, by its name
    os.symlink("fifo.yaml", project / "k8s" / "to-fifo.yaml")
    os.symlink("loop-b", project / "loop-a")
    os.symlink("loop-a", project / "loop-b")
    os.symlink("..", project / "config" / "up")  # a folder loop: never walked into
    os.symlink(root / "outside", project / "outside-dir")


SPECIAL_PROBLEMS = {
    "k8s/fifo.yaml": (None, "a FIFO, not a regular file; never opened"),
    "k8s/api.sock": (None, "a socket, not a regular file; never opened"),
    "k8s/null.yaml": (None, "a character device, not a regular file; never opened"),
    "k8s/zero.yaml": (None, OUTSIDE),
    "k8s/external.yaml": (None, OUTSIDE),
    "k8s/to-fifo.yaml": (None, "symlink to a FIFO; never opened"),
    "loop-a": (None, LOOP),
    "loop-b": (None, LOOP),
}


def test_special_files_in_a_plain_folder_are_never_opened(tmp_path: Path) -> None:
    _special_tree(tmp_path)
    project = tmp_path / "proj"
    index = _finishes(lambda: ProjectIndex.build(project))
    assert isinstance(index, ProjectIndex)
    assert sorted(index.files) == ["config/app.yaml", "k8s/deployment.yaml"]
    assert _finishes(lambda: _read_all(index)) == {"config/app.yaml": HEADER, "k8s/deployment.yaml": DEPLOYMENT}
    assert _problems(index) == SPECIAL_PROBLEMS


def test_special_files_in_a_git_work_tree_are_never_opened(tmp_path: Path) -> None:
    """git lists tracked symlinks as files, and a tracked file replaced by a FIFO still shows in `ls-files`."""
    _special_tree(tmp_path)
    project = tmp_path / "proj"
    write_tree(project, {"k8s/was-a-file.yaml": HEADER})
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "tree")
    (project / "k8s" / "was-a-file.yaml").unlink()
    os.mkfifo(project / "k8s" / "was-a-file.yaml")
    index = _finishes(lambda: ProjectIndex.build(project))
    assert isinstance(index, ProjectIndex)
    assert sorted(index.files) == ["config/app.yaml", "k8s/deployment.yaml"]
    assert _finishes(lambda: _read_all(index)) == {"config/app.yaml": HEADER, "k8s/deployment.yaml": DEPLOYMENT}
    # git does not list untracked FIFOs, sockets or devices, but it does list a symlink to a folder outside
    unlisted = ("k8s/api.sock", "k8s/null.yaml", "k8s/fifo.yaml")
    expected = {k: v for k, v in SPECIAL_PROBLEMS.items() if k not in unlisted} | {"outside-dir": (None, OUTSIDE)}
    assert _problems(index) == {**expected, "k8s/was-a-file.yaml": (None, "a FIFO, not a regular file; never opened")}


@pytest.mark.parametrize("swap", ["fifo", "link-out", "device"])
def test_a_file_swapped_after_discovery_is_still_refused(tmp_path: Path, swap: str) -> None:
    """Between discovery and the read a path can become a FIFO (an open would block forever), a symlink out of
    the target, or a device: the read checks again, on what it actually opened."""
    write_tree(tmp_path, {"outside.yaml": HEADER})
    project = tmp_path / "proj"
    write_tree(project, {"k8s/x.yaml": HEADER})
    index = ProjectIndex.build(project)
    assert list(index.files) == ["k8s/x.yaml"]
    target = project / "k8s" / "x.yaml"
    target.unlink()
    if swap == "fifo":
        os.mkfifo(target)
    elif swap == "link-out":
        os.symlink(tmp_path / "outside.yaml", target)
    else:
        os.mknod(target, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero's numbers: never ends

    def read() -> str:
        try:
            index.text("k8s/x.yaml")
        except InputError as exc:
            return exc.problem.message
        return "read"

    assert _finishes(read) == {
        "fifo": "a FIFO, not a regular file; not read",
        "link-out": OUTSIDE,
        "device": "a character device, not a regular file; not read",
    }[swap]


# --- exclude ------------------------------------------------------------------------------------------------


def test_excluded_files_are_not_inputs_at_all(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "readiness.yaml": "exclude: ['tests/fixtures/broken/', '*.generated.yaml']\n",
        "k8s/deployment.yaml": DEPLOYMENT,
        "k8s/all.generated.yaml": "apiVersion: v1\nkind: [\n",
        "tests/fixtures/broken/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec: {\n",
        "tests/fixtures/broken/Dockerfile": b"\x89PNG\x00\x00",
        "tests/fixtures/ok.yaml": HEADER,
    })  # fmt: skip
    os.mkfifo(tmp_path / "tests" / "fixtures" / "broken" / "pipe.yaml")
    report = _finishes(lambda: _run(tmp_path, only=("REL002", "REL006"), isolate=False))
    assert isinstance(report, RunReport)
    assert _problems(report) == {}
    paths = {f.path for r in report.results for f in r.findings}
    assert "k8s/deployment.yaml" in paths and not any("broken" in p or "generated" in p for p in paths)
    index = ProjectIndex.build(tmp_path, exclude=["tests/fixtures/broken/", "*.generated.yaml"])
    assert sorted(index.files) == ["k8s/deployment.yaml", "readiness.yaml", "tests/fixtures/ok.yaml"]


# --- file names ---------------------------------------------------------------------------------------------

ODD_NAMES = ["new\nline.yaml", "100%.yaml", "a:b.yaml", "<b>&<script>.yaml", "\x1b[31mred\x1b[0m.yaml",
             "with space.yaml", "caf\udce9-latin1.yaml"]  # fmt: skip


@pytest.mark.parametrize("git", [False, True], ids=["plain", "git"])
def test_odd_file_names_are_discovered_and_read_faithfully(tmp_path: Path, git: bool) -> None:
    for number, name in enumerate(ODD_NAMES):
        (tmp_path / "k8s").mkdir(exist_ok=True)
        with open(os.fsencode(tmp_path / "k8s") + b"/" + os.fsencode(name), "wb") as handle:
            handle.write(f"{HEADER}data: {{n: '{number}'}}\n".encode())
    if git:
        _git(tmp_path, "init", "-q")
        _git(tmp_path, "add", "-A")
    index = ProjectIndex.build(tmp_path)
    assert sorted(index.files) == sorted(f"k8s/{name}" for name in ODD_NAMES)
    assert index.problems == []
    for number, name in enumerate(ODD_NAMES):
        assert index.yaml(f"k8s/{name}")[0]["data"] == {"n": str(number)}


# --- Dockerfile syntax: rule-level effects with the right lines ---------------------------------------------


def _dockerfile_results(tmp_path: Path, text: str) -> dict[str, list[tuple[int | None, str]]]:
    write_tree(tmp_path, {"Dockerfile": text})
    report = _run(tmp_path, only=("SEC003", "REL006", "SEC008", "REL007"), isolate=False)
    assert _problems(report) == {}
    return {r.rule_id: [(f.line, f.message) for f in r.findings] for r in report.results} | {
        r.rule_id + ":status": [(None, r.status.value)] for r in report.results
    }


def test_heredoc_bodies_are_not_instructions(tmp_path: Path) -> None:
    text = ("FROM python:3.12-slim\n"
            "RUN <<EOF\n"
            "set -e\n"
            "USER root\n"
            "curl -fsSL https://get.example.com | sh\n"
            "EOF\n"
            "COPY <<EOF /etc/app.conf\n"
            "FROM evil:latest\n"
            "HEALTHCHECK CMD true\n"
            "EOF\n"
            "USER app\n")  # fmt: skip
    results = _dockerfile_results(tmp_path, text)
    assert results["SEC003:status"] == [(None, "pass")]  # the final USER is line 11's, not the body's `USER root`
    assert results["REL006:status"] == [(None, "pass")]  # `FROM evil:latest` is file content, not a stage
    assert results["REL007:status"] == [(None, "fail")]  # nor is the HEALTHCHECK inside the here-document
    assert results["SEC008"] == [(2, "RUN pipes a curl download into sh")]  # the script is the body


def test_crlf_continuations_and_the_escape_directive_keep_their_lines(tmp_path: Path) -> None:
    crlf = "FROM python:3.12\r\nRUN apt-get update && \\\r\n  # a comment inside\r\n\r\n  apt-get install -y curl\r\nUSER root\r\n"
    assert _dockerfile_results(tmp_path, crlf)["SEC003"] == [
        (6, "final stage 0 runs as root (USER root)")
    ]
    parsed = parse("Dockerfile", crlf)
    assert [(i.keyword, i.line, i.value) for i in parsed.stages[0].instructions] == [
        ("RUN", 2, "apt-get update &&   apt-get install -y curl"),
        ("USER", 6, "root"),
    ]
    backtick = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  C:\\ `\n  /s\nUSER ContainerUser\n"
    parsed = parse("Dockerfile", backtick)
    assert [(i.keyword, i.line, i.value) for i in parsed.stages[0].instructions] == [
        ("RUN", 3, "dir   C:\\   /s"),
        ("USER", 6, "ContainerUser"),
    ]


def test_a_trailing_backslash_at_the_end_of_the_file_ends_the_instruction(tmp_path: Path) -> None:
    parsed = parse("Dockerfile", "FROM python:3.12\nUSER app\nRUN curl -fsSL https://x.example/i.sh | sh \\")
    assert [(i.keyword, i.line) for i in parsed.stages[0].instructions] == [("USER", 2), ("RUN", 3)]
    assert _dockerfile_results(tmp_path, "FROM python:3.12\nUSER app\nRUN curl -fsSL https://x.example/i.sh | sh \\")[
        "SEC008"
    ] == [(3, "RUN pipes a curl download into sh")]


def test_an_unterminated_heredoc_is_an_input_problem_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(DockerfileSyntaxError) as raised:
        parse("Dockerfile", "FROM python:3.12\nRUN <<EOF\necho hi\n")
    assert raised.value.line == 2
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.12\nRUN <<EOF\necho hi\nUSER root\n"})
    index = ProjectIndex.build(tmp_path)
    assert dockerfiles(index).files == []
    assert _problems(index) == {
        "Dockerfile": (2, "invalid Dockerfile: unterminated here-document <<EOF (no line 'EOF' ends it)")
    }


# --- OpenAPI `$ref`s: never fetched, never read outside the target, cycles end -------------------------------

SPEC = """\
openapi: 3.0.3
info: {title: t, version: 1.0.0}
paths:
  /predict:
    post:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  http: {$ref: 'http://127.0.0.1:9/remote.yaml#/X'}
                  file: {$ref: 'file:///etc/passwd'}
                  absolute: {$ref: '/etc/passwd'}
                  up: {$ref: '../../outside.yaml#/X'}
                  link: {$ref: 'link.yaml#/X'}
                  plain-name: {$ref: '#nothing'}
                  direct: {$ref: '#/components/schemas/Self'}
                  across: {$ref: 'other.yaml#/X'}
                  long: {$ref: '#/components/schemas/C0'}
components:
  schemas:
    Self: {$ref: '#/components/schemas/Self'}
"""


def _spec_tree(tmp_path: Path) -> Path:
    chain = "".join(f"    C{n}: {{$ref: '#/components/schemas/C{n + 1}'}}\n" for n in range(100)) + "    C100: {type: string}\n"
    write_tree(tmp_path, {"outside.yaml": "X: {type: string}\n"})
    project = tmp_path / "proj"
    write_tree(project, {"api/openapi.yaml": SPEC + chain, "api/other.yaml": "X: {$ref: 'openapi.yaml#/components/schemas/Self'}\n"})
    os.symlink(tmp_path / "outside.yaml", project / "api" / "link.yaml")
    return project


@pytest.fixture
def no_fetch(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every network connection or URL open (other than openapi-spec-validator reading its own bundled schemas)
    is recorded and refused; the test asserts the record is empty."""
    import urllib.request

    import jsonschema_path.handlers.urllib as path_handlers
    import openapi_spec_validator

    calls: list[str] = []
    own = "file://" + os.path.dirname(openapi_spec_validator.__file__)
    real_urlopen = urllib.request.urlopen

    def urlopen(url: Any, *args: Any, **kwargs: Any) -> Any:
        shown = str(getattr(url, "full_url", url))
        if not shown.startswith(own):
            calls.append(shown)
            raise OSError("fetching is not allowed in this test")
        return real_urlopen(url, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        calls.append(f"connect {address}")
        raise OSError("connecting is not allowed in this test")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    monkeypatch.setattr(path_handlers, "urlopen", urlopen)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return calls


def test_ref_problems_name_the_line_and_nothing_is_fetched(tmp_path: Path, no_fetch: list[str]) -> None:
    from checker.config import ProjectConfig
    from checker.project.openapi import model_of
    from checker.project.openapi_validity import validate

    index = ProjectIndex.build(_spec_tree(tmp_path))
    model = _finishes(lambda: model_of(index, ProjectConfig()))
    assert [s.path for s in model.specs] == ["api/openapi.yaml"]  # type: ignore[attr-defined]
    problems = _finishes(lambda: validate(model.specs[0]))  # type: ignore[attr-defined]
    assert [(p.path, p.line, p.message) for p in problems] == [  # type: ignore[attr-defined]
        ("api/openapi.yaml", 14, "$ref 'http://127.0.0.1:9/remote.yaml#/X' is a URL: not followed (the checker fetches nothing, reads only the project)"),
        ("api/openapi.yaml", 15, "$ref 'file:///etc/passwd' is a URL: not followed (the checker fetches nothing, reads only the project)"),
        ("api/openapi.yaml", 16, "$ref '/etc/passwd' points outside the project"),
        ("api/openapi.yaml", 17, "$ref '../../outside.yaml#/X' points outside the project"),
        ("api/openapi.yaml", 18, f"api/link.yaml: {OUTSIDE}"),
        ("api/openapi.yaml", 19, "$ref '#nothing' does not resolve: only JSON-pointer fragments (#/…) are supported"),
        ("api/openapi.yaml", 20, "circular $ref chain: api/openapi.yaml#/components/schemas/Self -> api/openapi.yaml#/components/schemas/Self"),
        ("api/openapi.yaml", 22, "$ref chain longer than 64 links: api/openapi.yaml#/components/schemas/C0 -> … -> api/openapi.yaml#/components/schemas/C64"),
    ]  # fmt: skip
    assert no_fetch == []


def test_the_validator_itself_never_fetches_a_ref(tmp_path: Path, no_fetch: list[str]) -> None:
    """Keywords that a JSON Schema library resolves by itself ($dynamicRef, $id, $schema, a 3.1 dialect) reach
    openapi-spec-validator; it must judge them without retrieving anything."""
    from checker.config import ProjectConfig
    from checker.project.openapi import model_of
    from checker.project.openapi_validity import validate

    spec = SPEC.split("                properties:")[0].replace("3.0.3", "3.1.0") + (
        "                default: {x: 1}\n"
        "                $id: 'http://127.0.0.1:9/schemas/root'\n"
        "                properties:\n"
        "                  x: {$dynamicRef: 'http://127.0.0.1:9/dyn#meta', default: 3}\n"
        "jsonSchemaDialect: 'http://127.0.0.1:9/dialect'\n"
    )
    write_tree(tmp_path, {"openapi.yaml": spec})
    model = model_of(ProjectIndex.build(tmp_path), ProjectConfig())
    problems = _finishes(lambda: validate(model.specs[0]))
    assert [own_words(p.message) for p in problems] == ["not a valid OpenAPI document (openapi-spec-validator: …)"]  # type: ignore[attr-defined]
    assert no_fetch == []


def test_a_spec_of_the_wrong_shape_is_a_problem_not_a_validator_crash(tmp_path: Path) -> None:
    """openapi-spec-validator raises KeyError on a path item that is a string (found by the refs fuzz target)."""
    from checker.config import ProjectConfig
    from checker.project.openapi import model_of
    from checker.project.openapi_validity import validate

    write_tree(tmp_path, {"openapi.yaml": "openapi: 3.0.3\ninfo: {title: t, version: 1.0.0}\npaths:\n  /a:\n    post:USER x\n"})
    model = model_of(ProjectIndex.build(tmp_path), ProjectConfig())
    assert [(p.path, p.line, p.message) for p in validate(model.specs[0])] == [
        ("openapi.yaml", 4, "'post:USER x' is not of type 'object'")
    ]


def test_an_absurdly_nested_exec_form_is_read_as_the_shell_form() -> None:
    """A fuzz finding: `RUN [[[[…` made json.loads raise RecursionError out of the Dockerfile model."""
    dockerfile = parse("Dockerfile", "FROM ubuntu\nRUN " + "[" * 5000 + "\nCMD [\"gunicorn\", \"app:app\"]\n")
    run, cmd = dockerfile.stages[0].instructions[-2:]
    assert run.exec_form is None and run.command_text.startswith("[[[")
    assert cmd.exec_form == ["gunicorn", "app:app"]


def test_a_binary_media_type_key_is_an_api001_finding_not_a_crash(tmp_path: Path) -> None:
    """A fuzz finding: a `!!binary` key under `content` tripped an assert inside openapi-spec-validator."""
    write_tree(tmp_path, {"api/openapi.yaml": (
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /p:\n    get:\n      responses:\n"
        "        '200':\n          description: ok\n          content:\n            !!binary YXBwbGljYXRpb24vanNvbg==:\n"
        "              schema: {type: object}\n"
    )})  # fmt: skip
    (result,) = [r for r in _run(tmp_path, only=("API001",)).results]
    assert result.status.value == "fail", result.message
    assert "cannot be validated" in result.findings[0].message and result.findings[0].path == "api/openapi.yaml"


def test_the_result_cache_never_opens_a_fifo_swapped_in_for_a_tracked_file(tmp_path: Path) -> None:
    """Cache keys hash the rules' input files after discovery: a FIFO put there meanwhile must not block."""
    from checker.cache import ResultCache

    cache = ResultCache.open(tmp_path, "test")
    assert cache is not None
    os.mkfifo(tmp_path / "deployment.yaml")
    assert _finishes(lambda: cache.file_hash(tmp_path.resolve(), "deployment.yaml"), timeout=10) == "unreadable"
    os.symlink("/dev/zero", tmp_path / "zero.yaml")
    assert _finishes(lambda: cache.file_hash(tmp_path.resolve(), "zero.yaml"), timeout=10) == "unreadable"
