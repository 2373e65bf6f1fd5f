"""What every check type receives and returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Iterable

from pydantic import BaseModel, ConfigDict

from checker.model import Finding, Status

if TYPE_CHECKING:
    from checker.config import ProjectConfig
    from checker.project.index import ProjectIndex


class Params(BaseModel):
    """Base of every check type's parameters: unknown keys are errors, never ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class NoParams(Params):  # a check type that takes no parameters (no docstring: it would describe every such check)
    pass


class Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: Status
    message: str = ""
    findings: tuple[Finding, ...] = ()

    @classmethod
    def passed(cls, message: str) -> Outcome:
        return cls(status=Status.PASS, message=message)

    @classmethod
    def skipped(cls, reason: str) -> Outcome:
        return cls(status=Status.SKIPPED, message=reason)

    @classmethod
    def failed(cls, message: str, findings: Iterable[Finding]) -> Outcome:
        return cls(status=Status.FAIL, message=message, findings=tuple(findings))

    @classmethod
    def from_findings(cls, findings: list[Finding], passed: str, failed: str) -> Outcome:
        """Fail with the findings when there are any, else pass."""
        if findings:
            return cls.failed(failed.format(count=len(findings)), findings)
        return cls.passed(passed)


@dataclass(frozen=True)
class CheckContext:
    index: ProjectIndex
    config: ProjectConfig
    rule_id: str
    jobs: int = 1  # parallel workers a check may use (--jobs)
    use_cache: bool = True  # checks with a content-hash cache of their own (bandit) honour --no-cache
    # `# nosec` and `pragma: allowlist secret` count, unless --no-inline-waivers / `inline_waivers: false`
    # makes the central waiver list the only way to waive.
    inline_waivers: bool = True
    today: date | None = None  # the run's date (RunOptions.clock), for age checks; None: the current UTC date
