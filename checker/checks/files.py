"""File presence, absence and content (regular expressions on RE2: bounded time)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.regex import compile_pattern, validate
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project.index import InputError


class FileExistsParams(Params):
    paths: list[str] = Field(min_length=1, description="gitignore-style globs; one match is enough")


class FileAbsentParams(Params):
    paths: list[str] = Field(min_length=1, description="gitignore-style globs; every match is a finding")
    message: str = "this file must not be committed"


class FileContentParams(Params):
    files: list[str] = Field(min_length=1, description="gitignore-style globs of the files to read")
    pattern: str = Field(description="RE2 regular expression")
    mode: Literal["forbid", "require"] = Field(
        default="forbid", description="forbid: every match is a finding; require: every file must match"
    )
    ignore_case: bool = False
    message: str = Field(default="", description="finding text")

    @field_validator("pattern")
    @classmethod
    def _linear_time(cls, value: str) -> str:
        problem = validate(value)
        if problem:
            raise ValueError(problem)
        return value


def register(registry: Registry) -> None:
    check_type(registry, "file_exists", FileExistsParams, "at least one file matches the globs")(file_exists)
    check_type(registry, "file_absent", FileAbsentParams, "no file matches the globs")(file_absent)
    check_type(registry, "file_content", FileContentParams, "a pattern is absent from (or present in) files")(
        file_content
    )


def file_exists(ctx: CheckContext, params: FileExistsParams) -> Outcome:  # type: ignore[override]
    found = ctx.index.glob(params.paths)
    if found:
        return Outcome.passed(f"found {found[0]}")
    return Outcome.failed("no file matches", [Finding(message=f"no file matches {', '.join(params.paths)}")])


def file_absent(ctx: CheckContext, params: FileAbsentParams) -> Outcome:  # type: ignore[override]
    findings = [Finding(message=params.message, path=p, locator=p) for p in ctx.index.glob(params.paths)]
    return Outcome.from_findings(findings, "no such file", "{count} files must not be committed")


def file_content(ctx: CheckContext, params: FileContentParams) -> Outcome:  # type: ignore[override]
    files = ctx.index.glob(params.files)
    if not files:
        return Outcome.skipped(f"no file matches {', '.join(params.files)}")
    regex = compile_pattern(params.pattern, params.ignore_case)
    findings: list[Finding] = []
    for path in files:
        try:
            text = ctx.index.text(path)
        except InputError:
            continue
        findings += _forbidden(regex, path, text, params) if params.mode == "forbid" else _required(regex, path, text, params)
    return Outcome.from_findings(findings, f"{len(files)} files checked", "{count} findings")


def _forbidden(regex: object, path: str, text: str, params: FileContentParams) -> list[Finding]:
    findings = []
    for match in regex.finditer(text):  # type: ignore[attr-defined]
        line = text.count("\n", 0, match.start()) + 1
        snippet = match.group(0).strip()[:60]
        message = params.message or f"forbidden pattern matches: {snippet!r}"
        findings.append(Finding(message=message, path=path, line=line, locator=f"{path}:{snippet}"))
    return findings


def _required(regex: object, path: str, text: str, params: FileContentParams) -> list[Finding]:
    if regex.search(text):  # type: ignore[attr-defined]
        return []
    return [Finding(message=params.message or f"pattern {params.pattern!r} not found", path=path, locator=path)]
