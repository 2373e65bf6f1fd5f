"""The shortcuts taken for SPEC §8 "Scale" give the answers of the slow paths they replace."""

from __future__ import annotations

import ast

import pytest

from checker.checks.secret_scan import _format_prefilter, _value_detectors, scan_text
from checker.project.pysource import call_name, is_main_guard, module_facts

# One line per detector family, including the keyword patterns that open with lookbehinds.
SECRET_LINES = [
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",  # pragma: allowlist secret
    'token = "ghp_' + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + '"',
    "url: https://hooks.slack.com/services/T00000000/B00000000/" + "XXXXXXXXXXXXXXXXXXXXXXXX",
    "-----BEGIN RSA PRIVATE KEY-----",
    'ibm_cloud_iam_api_key = "' + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH" + '"',
    'cloudant_password = "' + "abcdefghijklmnopqrstuvwx" + '"',
    "sk_live_" + "0123456789abcdefghijklmn",
    "glpat-" + "abcdefghij0123456789",
    "MTk4NjIyNDgzNDcxOTI1MjQ4." + "Cl2FMQ" + ".ZnCjm1XVW7vRze4b7Cq4se7kKWs",  # Discord: searched outside the set
    "bot: \u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668" + ":AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ",  # Arabic-Indic `\d`
]
# Texts where Python's character classes are wider than RE2's: the prefilter must fall back for those lines.
DECORATIONS = [
    "", "# café — naïve\n", "note:\x0bvertical tab\n", "sep\x1cline\n", "# Turkish: İstanbul, ışık\n",
    "digits: ١٢٣٤٥٦٧٨٩\n", "sep\u2028line\n",
]


def _per_line_truth(text: str) -> set[int]:
    return {
        number for number, detector in enumerate(_value_detectors())
        if any(p.search(line) for line in text.splitlines() for p in detector.denylist)
    }  # fmt: skip


@pytest.mark.parametrize("decoration", DECORATIONS)
@pytest.mark.parametrize("line", SECRET_LINES)
def test_the_re2_prefilter_never_rules_out_a_detector_that_matches(line: str, decoration: str) -> None:
    text = f"{decoration}config:\n  {line}\n{decoration}"
    truth = _per_line_truth(text)
    assert truth, "each sample line must be a known secret format"
    assert truth <= _format_prefilter().candidates(text)


@pytest.mark.parametrize("decoration", DECORATIONS)
@pytest.mark.parametrize("line", SECRET_LINES)
def test_the_prefilter_names_every_line_a_detector_matches(line: str, decoration: str) -> None:
    text = f"{decoration}config:\n  {line}\n{decoration}" * 2
    lines = text.splitlines()
    scan = _format_prefilter().lines_to_scan(text, lines)
    for number, detector in enumerate(_value_detectors()):
        truth = [i for i, one in enumerate(lines) if any(p.search(one) for p in detector.denylist)]
        if truth:
            assert scan[number] is None or set(truth) <= set(scan[number]), type(detector).__name__


@pytest.mark.parametrize("i", ["\u0130", "\u0131"])
def test_a_dotted_or_dotless_i_still_matches_case_insensitive_patterns(i: str) -> None:
    # Python's IGNORECASE folds İ and ı to `i`, RE2's does not: `İbm_cloud_İam_apİ_key = …` is still a candidate.
    text = f'{i}bm_cloud_{i}am_ap{i}_key = "' + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH" + '"\n'
    truth = _per_line_truth(text)
    assert truth, "the sample must match a case-insensitive detector"
    assert truth <= _format_prefilter().candidates(text)


def test_a_minified_line_is_scanned_once_and_found() -> None:
    bundle = "var a=1;" * 50_000 + 'var token="' + "q8Zr2LmX7vT4pW9sK3nB6yH1" + '";' + "x" * 1000  # pragma: allowlist secret
    found = scan_text(f"/* header */\n{bundle}\n")
    assert [(d.line, d.kind) for d in found] == [(2, "high-entropy value assigned to token")]


def test_a_plain_text_names_no_detector() -> None:
    assert _format_prefilter().candidates("replicas: 3\nimage: registry.example.com/app:1.2.3\n") == set()


def test_secrets_are_still_found_on_non_ascii_lines() -> None:
    found = scan_text("# clé d'accès — ne pas committer\naws_key = AKIAZ7QX3J2N4T5W6Y8R é\n")  # pragma: allowlist secret
    assert [(d.line, d.kind) for d in found] == [(2, "AWS Access Key")]


MODULE = '''
import logging
from fastapi import Depends, FastAPI
from typing import Annotated

app = FastAPI()
print("import time")

@app.get("/metrics")
def metrics(user: Annotated[str, Depends(current_user)], limit: int = Depends(limit_of)) -> dict:
    return {"calls": [len(x) for x in range(3)]}

if __name__ == "__main__":
    print("script only")
    app.run(debug=True)
else:
    logging.getLogger(__name__).info("imported")
'''


def test_module_facts_keep_every_call_in_ast_walk_order_with_the_main_guard_marked() -> None:
    tree = ast.parse(MODULE)
    (guard,) = [node for node in tree.body if is_main_guard(node)]
    guarded = {id(n) for stmt in guard.body for n in ast.walk(stmt)}  # type: ignore[attr-defined]
    expected = [(call_name(n), n.lineno, id(n) in guarded) for n in ast.walk(tree) if isinstance(n, ast.Call)]

    facts = module_facts(tree)

    assert [(c.name, c.line, c.in_main_guard) for c in facts.calls] == expected
    assert ("Depends", 10, False) in expected  # a call inside an annotation is seen
    assert [c.line for c in facts.calls if c.name == "print" and not c.in_main_guard] == [7]
    assert [(c.receiver, c.has_keyword("debug")) for c in facts.calls if c.name == "run"] == [("app", True)]
    assert next(c for c in facts.calls if c.name == "get").first_arg == "/metrics"
    assert facts.imported_roots == frozenset({"logging", "fastapi", "typing"})
