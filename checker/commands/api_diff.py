"""`readiness api-diff OLD NEW`: breaking changes between two OpenAPI specs (files, or REV:PATH in git)."""

from __future__ import annotations

from pathlib import Path

from checker.apidiff import Change, diff
from checker.project.openapi import DocumentSource, FileSource, GitSource, Spec, SpecError, SpecProblem, load_spec

EXIT_NONE, EXIT_BREAKING, EXIT_USAGE = 0, 1, 2


def open_spec(argument: str, cwd: Path) -> Spec:
    """A spec named by a file path, or by `REV:PATH` (read from git, capped at the default max_file_mb: this
    command reads no config); raises SpecError."""
    source: DocumentSource
    candidate = (cwd / argument).resolve()
    if candidate.is_file():
        root = cwd.resolve() if candidate.is_relative_to(cwd.resolve()) else candidate.parent
        source, path = FileSource(root), candidate.relative_to(root).as_posix()
    elif ":" in argument:
        revision, path = argument.split(":", 1)
        git = GitSource(cwd, revision)
        git.verify()
        source = git
    elif candidate.exists():
        raise SpecError(f"{argument}: not a regular file (a FIFO, device or socket is never read)")
    else:
        raise SpecError(f"{argument}: no such file (and not REV:PATH)")
    return load_spec(source, path.removeprefix("./"))


def render(changes: list[Change], old: str, new: str) -> str:
    """One block per change: kind and what changed, where, and why it breaks clients."""
    lines = []
    for change in changes:
        lines.append(f"BREAKING  {change.kind.value}: {change.message}")
        lines.append(f"          at {change.pointer}")
        if change.old is not None:
            lines.append(f"          old: {change.old}")
        if change.new is not None:
            lines.append(f"          new: {change.new}")
        lines.append(f"          why: {change.why}")
    count = len(changes)
    summary = f"{count} breaking change{'s' if count != 1 else ''}" if count else "no breaking changes"
    lines.append(f"{summary} between {old} and {new}")
    return "\n".join(lines) + "\n"


def run_api_diff(old: str, new: str, cwd: Path) -> tuple[int, str]:
    """(exit code, text): 0 none, 1 breaking, 2 when a spec cannot be read."""
    try:
        old_spec, new_spec = open_spec(old, cwd), open_spec(new, cwd)
    except SpecError as exc:
        return EXIT_USAGE, f"error: {_where(exc.path, exc.line)}{exc.message}\n"
    broken = [problem for spec in (old_spec, new_spec) for problem in _broken_refs(spec)]
    if broken:  # the diff walks around a `$ref` it cannot follow: what hides behind one would go unseen
        return EXIT_USAGE, "".join(f"error: {_where(p.path, p.line)}{p.message}\n" for p in broken)
    changes = diff(old_spec, new_spec)
    return (EXIT_BREAKING if changes else EXIT_NONE), render(changes, old, new)


def _broken_refs(spec: Spec) -> list[SpecProblem]:
    from checker.project.openapi_validity import ref_problems

    try:
        return ref_problems(spec)[1]
    except RecursionError:
        return [SpecProblem("the spec nests too deeply to check", spec.path, 1)]


def _where(path: str | None, line: int | None) -> str:
    return f"{path}:{line}: " if path and line else f"{path}: " if path else ""
