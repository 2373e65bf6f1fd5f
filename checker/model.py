"""The one result model: every report format is a view of a `RunReport`.

Models are frozen so that a reporter can never change what another reporter shows.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe, so `a.rank >= fail_on.rank` reads naturally."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}


class Category(StrEnum):
    SCALABILITY = "scalability"
    RELIABILITY = "reliability"
    MONITORING = "monitoring"
    VERSIONING = "versioning"
    API_CONTRACTS = "api_contracts"
    DATA_COMPATIBILITY = "data_compatibility"
    SECURITY = "security"


CATEGORY_ORDER = list(Category)


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"
    WAIVED = "waived"


class Frozen(BaseModel):
    # NaN and infinities have no JSON form: refused, so that every report stays strict JSON.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _encodable(cls, value: Any) -> Any:
        if isinstance(value, str):
            return encodable(value)
        if isinstance(value, tuple) and any(isinstance(item, str) for item in value):
            return tuple(encodable(item) if isinstance(item, str) else item for item in value)
        return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """`text` without lone surrogates, which no report file can encode. A file name that is not UTF-8 reaches
    us surrogate-escaped (U+DC80-U+DCFF): its raw bytes are shown as `\\xNN`, any other surrogate as `\\uNNNN`."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(_escaped_surrogate, text)


def _escaped_surrogate(match: re.Match[str]) -> str:
    point = ord(match.group())
    return f"\\x{point - 0xDC00:02x}" if 0xDC80 <= point <= 0xDCFF else f"\\u{point:04x}"


class Finding(Frozen):
    """One piece of evidence: where the problem is and what it is."""

    message: str
    path: str | None = None
    line: int | None = None
    # A stable identity for baselines: resource kind/name, JSON pointer or a normalised snippet, never a line.
    locator: str | None = None
    waived: bool = False
    # Present in the --baseline report: shown, but does not fail the gate.
    baselined: bool = False


def fingerprint(rule_id: str, finding: Finding) -> str:
    """Identity of a finding across runs: rule, file and locator (the message without one), never the line."""
    identity = finding.locator if finding.locator is not None else finding.message
    raw = "\0".join((rule_id, finding.path or "", identity))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


class RuleResult(Frozen):
    rule_id: str
    title: str
    category: Category
    severity: Severity
    status: Status
    message: str
    findings: tuple[Finding, ...] = ()
    remediation: str = ""
    description: str = ""
    duration_s: float = 0.0

    @property
    def is_failure(self) -> bool:
        return self.status in (Status.FAIL, Status.ERROR)


class CategoryScore(Frozen):
    score: float | None
    passed: int
    failed: int
    evaluated: int
    skipped: int = 0
    waived: int = 0
    enabled: bool = True


class Score(Frozen):
    overall: float | None
    categories: dict[str, CategoryScore]


class WaiverRecord(Frozen):
    rule: str
    path: str | None = None
    reason: str
    owner: str | None = None
    expires: date
    state: str  # "active" or "expired"
    matched_findings: int = 0


class SkippedRule(Frozen):
    rule_id: str
    reason: str


class NotEvaluated(Frozen):
    """An in-scope file that no rule judged as written, and why (SPEC §10): e.g. a template nothing renders."""

    path: str
    reason: str  # "template"


class Coverage(Frozen):
    total: int
    evaluated: int
    passed: int
    failed: int
    errored: int
    skipped: int
    waived: int
    skipped_rules: tuple[SkippedRule, ...] = ()
    # Files below tests/, docs/, vendor/, … (or excluded by `scope.exclude`), by folder name: read by SEC002 only.
    out_of_scope: dict[str, int] = {}
    not_evaluated: tuple[NotEvaluated, ...] = ()

    @property
    def out_of_scope_files(self) -> int:
        return sum(self.out_of_scope.values())


class InputProblem(Frozen):
    """A project file that could not be read as data; recorded, never fatal."""

    path: str
    line: int | None = None
    message: str


class GateChange(Frozen):
    """A change the project's own config makes to the gate (SPEC §9): listed so that a reviewer sees it."""

    key: str  # the config key, e.g. "categories.security.enabled"
    change: str  # e.g. "category security disabled"
    where: str | None = None  # file:line:col of the key
    weakens: bool  # lets failures through that the built-in (or policy) gate would stop


class ToolInfo(Frozen):
    name: str
    version: str


class RunReport(Frozen):
    schema_version: str = "1.0"
    tool: ToolInfo
    target: str
    started_at: str
    duration_s: float
    verdict: str  # "ready" | "not_ready"
    verdict_reasons: tuple[str, ...] = ()
    fail_on: Severity
    score: Score
    coverage: Coverage
    results: tuple[RuleResult, ...]
    waivers: tuple[WaiverRecord, ...] = ()
    input_problems: tuple[InputProblem, ...] = ()
    gate_changes: tuple[GateChange, ...] = ()
    policy: str | None = None  # the trusted policy file the gate came from (`--policy`)

    @property
    def ready(self) -> bool:
        return self.verdict == "ready"
