"""SARIF rule descriptors as GitHub's code scanning reads them ("SARIF support for code scanning"): each built-in
rule links its section of docs/rules.md (`helpUri`, an absolute URI as SARIF requires); tags are lowercase, and
only rules tagged `security` carry a `security-severity` score (other alerts are ranked by their level)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from report_samples import ROOT, sample_report

from checker.checks.registry import default_registry
from checker.engine.packs import builtin_pack_dir, pack_files
from checker.model import Category, Severity
from checker.packs.loader import load_packs
from checker.reporters import sarif


def _rules(report=None) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    log = json.loads(sarif.render(report or sample_report()))
    return {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}


def test_the_documented_rules_are_the_built_in_catalogue_with_a_section_each() -> None:
    built_in = {rule.id for rule in load_packs(pack_files(builtin_pack_dir()), default_registry())}
    assert built_in <= sarif.DOCUMENTED_RULES  # the SPEC §7 catalogue, some of it perhaps not built yet
    headings = set(re.findall(r"^## ([A-Z]{3}\d{3})$", (ROOT / "docs" / "rules.md").read_text(encoding="utf-8"), re.M))
    assert headings == built_in  # GitHub's anchor of `## REL001` is #rel001


def test_built_in_rules_link_their_reference_section() -> None:
    rules = _rules()
    assert rules["REL001"]["helpUri"] == "https://github.com/readiness-checker/readiness-checker/blob/main/docs/rules.md#rel001"
    for rule in rules.values():
        uri = urlsplit(rule["helpUri"])
        assert (uri.scheme, uri.fragment) == ("https", rule["id"].lower())


def test_a_project_rule_has_no_link_into_the_built_in_reference() -> None:
    report = sample_report()
    own = report.results[0].model_copy(update={"rule_id": "ACME001"})
    rules = _rules(report.model_copy(update={"results": (own, *report.results[1:])}))
    assert "helpUri" not in rules["ACME001"]


def test_tags_are_lowercase_and_only_security_rules_carry_a_security_severity() -> None:
    report = sample_report()
    rules = _rules(report)
    for result in report.results:
        properties = rules[result.rule_id]["properties"]
        assert properties["tags"] == ["readiness", result.category.value]
        assert all(tag == tag.lower() for tag in properties["tags"])
        assert ("security-severity" in properties) == (result.category == Category.SECURITY)
    assert rules["SEC007"]["properties"]["tags"] == ["readiness", "security"]
    assert rules["SEC007"]["properties"]["security-severity"] == sarif.SECURITY_SEVERITY[Severity.CRITICAL] == "9.5"
