"""Structured queries over YAML (every document), JSON and TOML files."""

from __future__ import annotations

from pydantic import Field

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.conditions import Condition, evaluate
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project.index import InputError
from checker.yamlpos import position_of


class DocumentQueryParams(Params):
    files: list[str] = Field(min_length=1, description="gitignore-style globs of the files to query")
    where: Condition | None = Field(default=None, description="only documents where this holds are judged")
    assert_: Condition = Field(alias="assert", description="must hold for every judged document")
    missing: str = Field(default="skip", pattern="^(skip|fail)$", description="when no document is judged")
    message: str | None = Field(default=None, description="finding text instead of the explanation")


def register(registry: Registry) -> None:
    check_type(
        registry, "document_query", DocumentQueryParams,
        "assert a condition on every YAML/JSON/TOML document matching the globs",
        inputs=("yaml", "json", "toml"),
    )(document_query)  # fmt: skip


def document_query(ctx: CheckContext, params: DocumentQueryParams) -> Outcome:  # type: ignore[override]
    judged = 0
    findings: list[Finding] = []
    for path in ctx.index.glob(params.files):
        try:
            docs = ctx.index.data(path)
        except InputError as exc:
            findings.append(Finding(message=f"cannot be read: {exc.problem.message}", path=path, line=exc.problem.line))
            continue
        for number, doc in enumerate(docs):
            if doc is None or (params.where is not None and evaluate(params.where, doc) is not None):
                continue
            judged += 1
            failure = evaluate(params.assert_, doc)
            if failure:
                pos = position_of(doc, failure.path)
                message = params.message or failure.explanation
                findings.append(Finding(message=message, path=path, line=pos[0] if pos and pos[0] else None, locator=f"{path}#{number}:{failure.explanation}"))
    if not judged and not findings:
        if params.missing == "fail":
            return Outcome.failed("no matching document", [Finding(message=f"no document in {', '.join(params.files)}")])
        return Outcome.skipped(f"no document matches {', '.join(params.files)}")
    return Outcome.from_findings(findings, f"{judged} documents checked", "{count} findings")
