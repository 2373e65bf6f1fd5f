"""The pre-commit view: one line per open finding of a failing rule, then one summary line, plain text."""

from __future__ import annotations

from report_samples import sample_report

from checker.reporters.compact import render


def test_each_open_finding_is_one_line_most_severe_first_then_the_summary() -> None:
    assert render(sample_report()).splitlines() == [
        # a finding without a line; its message's line break does not split the entry
        "deploy/app, v2.yaml: SEC007 critical <script>alert('x')</script> 100% | *bold* `tick` second line, a:b",
        "k8s/a.yaml:7: REL001 high Deployment 'a' has 1 replica",  # the baselined finding is not listed
        "MON001 high error: internal error: ValueError: boom",
        "VER001 low no version declared",  # a finding without a file
        "k8s/broken.yaml:3: cannot be read as data: invalid YAML: bad indentation",
        "waiver REL002 k8s/*.yaml: in force until 2099-01-01, 1 finding(s) waived: legacy <b>chart</b> (OPS-1) (owner: platform)",
        "waiver SEC005: EXPIRED on 2020-01-01, no longer applies: ran out",
        (
            "readiness: NOT READY (fail-on high) — 6 of 7 rules evaluated: 1 passed, 3 failed, 1 errors, "
            "1 skipped, 1 waived; 15 files out of scope (docs 3, tests 12), read by SEC002 only; "
            "1 file not evaluated (template); score 33.3%"
        ),
    ]
