"""`readiness.sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).

One result per finding of a failed rule, located relative to the working directory (normally the repository
root) and fingerprinted by rule, file and locator so an alert survives unrelated line shifts. Waived findings
carry an accepted suppression, baselined ones `baselineState: unchanged`. Rules that crashed are tool
execution notifications: the run is still reported, the problem is not mistaken for a finding.

Each built-in rule links its section of the rule reference (`helpUri`). Tags are lowercase, as GitHub's code
scanning reads them: the security rules carry `security` and a `security-severity` score (shown only on alerts
of rules tagged `security`); the others are quality alerts ranked by their level.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from checker.model import Category, Finding, InputProblem, RuleResult, RunReport, Severity, Status, fingerprint
from checker.reporters.common import known_line, relative_uri

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/readiness-checker/readiness-checker"
# The rule reference; each rule is a `## ID` section there, whose anchor is the lowercased id.
RULES_DOC_URI = f"{INFORMATION_URI}/blob/main/docs/rules.md"
# The built-in catalogue (SPEC §7 ids), the rules that reference documents; a project's own rules are not there.
_CATALOGUE = (("SCA", 7), ("REL", 12), ("MON", 5), ("VER", 8), ("API", 8), ("DAT", 7), ("SEC", 9))
DOCUMENTED_RULES = frozenset(f"{prefix}{n:03d}" for prefix, count in _CATALOGUE for n in range(1, count + 1))
FINGERPRINT_KEY = "readinessFinding/v1"
URI_BASE = "%SRCROOT%"
# What may stay unencoded in a relative URI's path (RFC 3986 pchar minus ":", which would read as a scheme).
_URI_SAFE = "/!$&'()*+,;=@-._~"

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub sorts alerts by this number (0.1-10): it mirrors CVSS bands.
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0",
                     Severity.INFO: "1.0"}  # fmt: skip


def render(report: RunReport) -> str:
    rule_index = {r.rule_id: i for i, r in enumerate(report.results)}
    run: dict[str, Any] = {
        "tool": {"driver": _driver(report)},
        "invocations": [_invocation(report, rule_index)],
        "originalUriBaseIds": {URI_BASE: {"description": {"text": "the working directory of the run"}}},
        "results": [res for r in report.results if r.status == Status.FAIL for res in _results(report, r, rule_index)],
        "columnKind": "unicodeCodePoints",
        "properties": {"verdict": report.verdict, "score": report.score.overall, "target": report.target,
                       "coverage": report.coverage.model_dump(mode="json"),
                       "waivers": [w.model_dump(mode="json") for w in report.waivers],
                       "gate_changes": [c.model_dump(mode="json") for c in report.gate_changes],
                       "policy": report.policy},  # fmt: skip
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _driver(report: RunReport) -> dict[str, Any]:
    return {
        "name": report.tool.name,
        "version": report.tool.version,
        "semanticVersion": report.tool.version,
        "informationUri": INFORMATION_URI,
        "rules": [_rule(r) for r in report.results],
    }


def _rule(result: RuleResult) -> dict[str, Any]:
    help_text = result.remediation or result.description or result.title
    rule: dict[str, Any] = {
        "id": result.rule_id,
        "name": result.rule_id,
        "shortDescription": {"text": result.title},
        "fullDescription": {"text": result.description or result.title},
        "help": {"text": help_text, "markdown": f"**{result.title}**\n\n{result.description}\n\n**Fix:** {help_text}"},
        "defaultConfiguration": {"level": LEVEL[result.severity]},
        "properties": _rule_properties(result),
    }
    if result.rule_id in DOCUMENTED_RULES:
        rule["helpUri"] = help_uri(result.rule_id)
    return rule


def help_uri(rule_id: str) -> str:
    return f"{RULES_DOC_URI}#{rule_id.lower()}"


def _rule_properties(result: RuleResult) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "category": result.category.value,
        "severity": result.severity.value,
        "tags": ["readiness", result.category.value],  # the security category's tag is `security`
    }
    if result.category == Category.SECURITY:
        properties["security-severity"] = SECURITY_SEVERITY[result.severity]
    return properties


def _results(report: RunReport, result: RuleResult, rule_index: dict[str, int]) -> list[dict[str, Any]]:
    findings = result.findings or (Finding(message=result.message),)
    return [_result(report, result, f, rule_index[result.rule_id]) for f in findings]


def _result(report: RunReport, result: RuleResult, finding: Finding, index: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": result.rule_id,
        "ruleIndex": index,
        "level": LEVEL[result.severity],
        "message": {"text": finding.message},
        "locations": [_location(report.target, finding)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(result.rule_id, finding)},
    }
    if finding.waived:
        out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": "waived in the readiness config"}]
    if finding.baselined:
        out["baselineState"] = "unchanged"
    return out


def _location(target: str, finding: Finding | InputProblem) -> dict[str, Any]:
    """Where the finding is; a finding without a file points at the checked folder (code scanning needs one)."""
    if finding.path:
        uri = relative_uri(target, finding.path)
    else:
        folder = relative_uri(target, ".")
        uri = "./" if folder == "." else folder + "/"
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(uri, safe=_URI_SAFE), "uriBaseId": URI_BASE}}
    line = known_line(finding.line)
    if finding.path and line:  # SARIF lines are 1-based: an unknown line has no region rather than line 0
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _invocation(report: RunReport, rule_index: dict[str, int]) -> dict[str, Any]:
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{r.rule_id} could not be evaluated: {r.message}"},
            "associatedRule": {"id": r.rule_id, "index": rule_index[r.rule_id]},
        }
        for r in report.results if r.status == Status.ERROR
    ]  # fmt: skip
    notifications += [_problem(report, p) for p in report.input_problems]
    invocation: dict[str, Any] = {"executionSuccessful": True, "toolExecutionNotifications": notifications}
    started = _utc(report.started_at)
    if started:
        invocation["startTimeUtc"] = started
    return invocation


def _problem(report: RunReport, problem: InputProblem) -> dict[str, Any]:
    """A project file the run could not read as data: not a finding of any rule, but never silent."""
    return {
        "level": "warning",
        "message": {"text": f"{problem.path}: cannot be read as data: {problem.message}"},
        "locations": [_location(report.target, problem)],
    }


def _utc(stamp: str) -> str | None:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
