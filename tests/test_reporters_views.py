"""The `github` annotations and the HTML page (as text; tests/test_html_browser.py drives it in a browser)."""

from __future__ import annotations

import re

from report_samples import sample_report

from checker.reporters import FILENAMES, FORMATS, github, html, renderer


def test_github_annotations_carry_file_line_title_and_level() -> None:
    lines = github.render(sample_report()).splitlines()
    assert lines[0].startswith("::error file=services/scorer/deploy/app%2C v2.yaml,title=SEC007 (critical)")  # most severe
    assert lines[1] == (
        "::error file=services/scorer/k8s/a.yaml,line=7,title=REL001 (high)%3A Title of REL001::"
        "Deployment 'a' has 1 replica%0AFix: Fix REL001: set `x: 1`."
    )
    assert lines[5].startswith("::notice file=services/scorer/k8s/b.yaml,line=9,title=REL001 (high)%3A Title of REL001::"
                               "Deployment 'b' has 1 replica (in the baseline)")  # fmt: skip
    assert not any("left out" in line for line in lines)  # nothing over GitHub's limits
    assert "::error title=MON001 could not be evaluated::internal error: ValueError: boom" in lines
    assert not any("REL002" in line and "file=" in line for line in lines)  # waived findings: no annotation
    assert "::notice title=waiver REL002::waiver REL002 k8s/*.yaml: in force until 2099-01-01" in "\n".join(lines)
    assert any(line.startswith("::notice title=VER001 (low)%3A Title of VER001::no version declared") for line in lines)
    assert lines[-1] == ("::notice title=readiness::NOT READY: 6 of 7 rules evaluated (3 failed, 1 errors), "
                         "1 skipped, 1 waived; 15 files out of scope (docs 3, tests 12), read by SEC002 only; "
                         "1 file not evaluated (template); fail-on high")  # fmt: skip


def test_github_escapes_properties_and_data() -> None:
    (line,) = [x for x in github.render(sample_report()).splitlines() if "SEC007" in x]
    assert line.startswith("::error file=services/scorer/deploy/app%2C v2.yaml,title=SEC007 (critical)%3A Title of SEC007::")
    assert ",line=" not in line  # no line known
    assert "100%25 | *bold* `tick`%0Asecond line, a:b%0AFix" in line
    assert "\n" not in line and "\r" not in line


def test_html_is_self_contained_and_escapes_project_text() -> None:
    page = html.render(sample_report())
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "legacy &lt;b&gt;chart&lt;/b&gt; (OPS-1)" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # no external asset of any kind
    assert "default-src 'none'" in page
    assert 'id="rule-MON001" data-category="monitoring" data-severity="high" data-status="error"' in page
    assert "<code>x: 1</code>" in page  # remediation code spans


def test_html_lists_waivers_in_force_and_expired_and_coverage() -> None:
    page = html.render(sample_report())
    active = page.split('class="waivers-active"')[1].split("</table>")[0]
    expired = page.split('class="waivers-expired"')[1].split("</table>")[0]
    assert "REL002" in active and "SEC005" not in active
    assert "SEC005" in expired
    assert "6 of 7 rules evaluated (1 passed, 3 failed, 1 errors), 1 skipped, 1 waived." in page


def test_every_format_is_registered_with_a_renderer() -> None:
    assert set(FORMATS) == {"terminal", "json", "sarif", "junit", "markdown", "html", "github", "codequality"}
    assert set(FILENAMES) == {"json", "sarif", "junit", "markdown", "html", "codequality"}
    for name in FORMATS:
        assert renderer(name)(sample_report())


def test_every_format_lists_the_waivers_in_force_and_expired() -> None:
    """SPEC §5: every report lists the waivers in force and those expired."""
    from checker.reporters import renderers
    from checker.reporters.compact import render as compact

    report = sample_report()
    outputs = {name: render(report) for name, render in renderers().items()} | {"compact": compact(report)}
    for name, text in outputs.items():
        assert "REL002" in text and "SEC005" in text, name
        assert "ran out" in text, f"{name} does not list the expired waiver"
    assert "waiver SEC005: EXPIRED on 2020-01-01, no longer applies: ran out" in outputs["junit"]
    assert "::warning title=waiver SEC005::waiver SEC005: EXPIRED on 2020-01-01" in outputs["github"]
