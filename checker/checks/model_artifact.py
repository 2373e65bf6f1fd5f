"""The MLflow model artefact as data: its age (MON005) and its identity and integrity (VER003).

Model files are only ever hashed, in chunks: never loaded, never unpickled.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from checker.checks.base import CheckContext, NoParams, Outcome
from checker.checks.registry import Registry, check_type
from checker.model import Finding, Status
from checker.project import mlmodel
from checker.project.index import InputError, ProjectIndex
from checker.project.safe_open import Refused, open_regular

CHECKSUM_FILES = ("checksums.sha256", "SHA256SUMS")
VERSION_KEYS = ("version", "model_version")
# SPEC §7: a digest is 64 hex digits in any case, with or without a `sha256:` prefix.
_DIGEST = re.compile(r"(?:sha256:)?([0-9a-f]{64})", re.IGNORECASE)
_SUM_LINE = re.compile(r"^((?:sha256:)?[0-9a-fA-F]{64}) [ *](.+)$", re.IGNORECASE)



def register(registry: Registry) -> None:
    check_type(registry, "model_age", NoParams, "the MLmodel artefact is younger than model.max_age_days",
               inputs=("mlmodel",))(model_age)  # fmt: skip
    # No declared inputs: the checksums cover model files of any name, so any file may matter.
    check_type(registry, "model_identity", NoParams,
               "the MLmodel records a version or run id, and every recorded checksum matches its file")(model_identity)  # fmt: skip


def _key_line(index: ProjectIndex, path: str, *keys: str) -> int | None:
    try:
        node: Any = index.yaml(path)[0]
    except (InputError, IndexError):
        return None
    line = None
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return line
        line = getattr(node, "key_pos", {}).get(key, (line,))[0]
        node = node[key]
    return line


# --- MON005 ------------------------------------------------------------------------------------------


def model_age(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    models, problems = mlmodel.load_discovered(ctx.index, ctx.config)
    if not models and not problems:
        return Outcome.skipped("no MLmodel file (model.metadata in readiness.yaml, or a file named MLmodel)")
    if problems:
        return Outcome(status=Status.ERROR, message=problems[0].message, findings=tuple(problems))
    today = ctx.today or datetime.now(UTC).date()
    limit = ctx.config.model.max_age_days
    findings = [f for m in models for f in _age_findings(ctx.index, m, today, limit)]
    return Outcome.from_findings(findings, f"every model is at most {limit} days old", "{count} models too old or undated")


def _age_findings(index: ProjectIndex, model: mlmodel.MLModel, today: date, limit: int) -> list[Finding]:
    line = _key_line(index, model.path, "utc_time_created")
    if not model.utc_time_created:
        return [Finding(message=f"{model.path} records no utc_time_created: the model's age is unknown",
                        path=model.path, line=1, locator=f"{model.path}:undated")]  # fmt: skip
    created = _parse_time(model.utc_time_created)
    if created is None:
        return [Finding(message=f"{model.path}: utc_time_created {model.utc_time_created!r} is not a date and time",
                        path=model.path, line=line, locator=f"{model.path}:undated")]  # fmt: skip
    age = (today - created.date()).days
    if age <= limit:
        return []
    return [Finding(message=f"{model.path}: the model was created on {created.date().isoformat()}, {age} days ago "
                    f"(max {limit} days, model.max_age_days)", path=model.path, line=line, locator=f"{model.path}:age")]  # fmt: skip


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


# --- VER003 ------------------------------------------------------------------------------------------


def model_identity(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    models, problems = mlmodel.load_discovered(ctx.index, ctx.config)
    if not models and not problems:
        return Outcome.skipped("no MLmodel file (model.metadata in readiness.yaml, or a file named MLmodel)")
    findings = list(problems)
    verified = 0
    for model in models:
        findings += _identity_findings(ctx.index, model)
        entries, entry_problems = _checksums(ctx.index, model)
        findings += entry_problems
        for entry in entries:
            problem = _verify(ctx.index, entry)
            findings += [problem] if problem else []
            verified += problem is None
    return Outcome.from_findings(findings, f"every model is identifiable; {verified} checksums verified",
                                 "{count} identity or checksum problems")  # fmt: skip


def _identity_findings(index: ProjectIndex, model: mlmodel.MLModel) -> list[Finding]:
    if model.run_id or any(model.metadata.get(k) not in (None, "") for k in VERSION_KEYS):
        return []
    return [Finding(message=f"{model.path} records neither a run_id nor a metadata version: the artefact cannot be "
                    "traced to its training run or registry entry", path=model.path, line=1,
                    locator=f"{model.path}:no-identity")]  # fmt: skip


@dataclass(frozen=True)
class ChecksumEntry:
    """One recorded checksum: the file it covers (relative to the root) and where it was recorded."""

    file: str
    digest: str  # lower-case hex, or the text as recorded when it is not a sha256 digest
    source: str
    line: int | None


def _checksums(index: ProjectIndex, model: mlmodel.MLModel) -> tuple[list[ChecksumEntry], list[Finding]]:
    """Every checksum recorded for the model: MLmodel metadata and each checksum file beside it (SPEC §7)."""
    folder = posixpath.dirname(model.path)
    entries: list[ChecksumEntry] = []
    problems: list[Finding] = []
    recorded = model.metadata.get("checksums")
    if isinstance(recorded, dict):
        entries += _metadata_entries(index, model.path, folder, recorded)
    for name in CHECKSUM_FILES:
        path = posixpath.join(folder, name)
        if (index.root / path).is_file():
            found, malformed = _sum_file_entries(index, path, folder)
            entries += found
            problems += malformed
    return entries, problems


def _metadata_entries(index: ProjectIndex, path: str, folder: str, recorded: dict[str, Any]) -> list[ChecksumEntry]:
    return [ChecksumEntry(posixpath.normpath(posixpath.join(folder, str(rel))), _digest(digest), path,
                          _key_line(index, path, "metadata", "checksums", str(rel)))
            for rel, digest in recorded.items()]  # fmt: skip


def _digest(recorded: object) -> str:
    """The lower-case hex of a recorded digest; what was written, stripped, when it is not a sha256 digest."""
    text = str(recorded).strip()
    match = _DIGEST.fullmatch(text)
    return match.group(1).lower() if match else text


def _sum_file_entries(index: ProjectIndex, path: str, folder: str) -> tuple[list[ChecksumEntry], list[Finding]]:
    try:
        text = index.text(path)
    except InputError as exc:
        return [], [Finding(message=f"{path}: {exc.problem.message}", path=path)]
    entries, problems = [], []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _SUM_LINE.match(line)
        if match is None:
            problems.append(Finding(message=f"{path}:{number}: not a sha256sum line (`<64 hex digits>  <file>`)",
                                    path=path, line=number, locator=f"{path}:malformed:{number}"))  # fmt: skip
            continue
        rel = match.group(2).strip()
        entries.append(ChecksumEntry(posixpath.normpath(posixpath.join(folder, rel)), _digest(match.group(1)), path, number))
    return entries, problems


def _verify(index: ProjectIndex, entry: ChecksumEntry) -> Finding | None:
    if not _DIGEST.fullmatch(entry.digest):
        return _entry_finding(entry, f"{entry.source} records {entry.digest[:20]!r}, which is not a sha256 digest "
                              "(64 hex digits, optionally prefixed `sha256:`)")  # fmt: skip
    full = (index.root / entry.file).resolve()
    if not full.is_relative_to(index.root):
        return _entry_finding(entry, "the checksum names a file outside the project root; not read")
    if not full.exists():
        return _entry_finding(entry, f"recorded in {entry.source} but the file does not exist")
    try:
        with open_regular(index.root, entry.file) as handle:  # never a FIFO or device swapped in after the check
            actual = hashlib.file_digest(handle, "sha256").hexdigest()
    except Refused as exc:
        return _entry_finding(entry, exc.message)
    except OSError as exc:
        return _entry_finding(entry, f"cannot read to verify its checksum: {exc.strerror or exc}")
    if actual == entry.digest:
        return None
    return _entry_finding(entry, f"sha256 is {actual[:12]}…, but {entry.source} records {entry.digest[:12]}… "
                          "(the artefact changed after its checksum was recorded)")  # fmt: skip


def _entry_finding(entry: ChecksumEntry, message: str) -> Finding:
    return Finding(message=f"{entry.file}: {message}", path=entry.source, line=entry.line, locator=f"{entry.source}:{entry.file}")
