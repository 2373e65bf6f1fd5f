"""Property: every report writer's output stays valid for any finding text, path and line (issue 7, item 5).

Reports are built directly (no engine), with texts drawn from all of Unicode plus the characters that break
formats: controls and ANSI escapes, lone surrogates (non-UTF-8 file names arrive surrogate-escaped), `%`, `:`,
`,`, `<script>`, `]]>`, backticks and pipes; lines include None, 0, negatives and huge numbers.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from report_samples import sample_report
from test_reporters_schemas import _sarif_validator, _xsd

from checker.model import CategoryScore, Finding, RunReport
from checker.reporters import compact, github, html, json_report, junit, markdown, sarif, terminal
from checker.reporters.common import location, visible

PROPERTY = settings(max_examples=100, deadline=None)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
NASTY = ["\x00", "\x1b[31m", "\x07", "\r", "\n", "\t", "\x7f", "\x9b", "\u202e", "\u2028", "\ud800", "\udcff",
         "%", "%0A", ":", ",", "::", "<script>", "</script>", "]]>", "&amp;", "`", "``", "|", "\\", "#", "*", "~"]  # fmt: skip
texts = st.lists(st.one_of(st.sampled_from(NASTY), st.text(st.characters(exclude_categories=()), max_size=8)),
                 max_size=6).map("".join)  # fmt: skip
long_paths = st.builds(lambda depth, name: "deep/" * depth + name, st.integers(60, 120), texts)
paths = st.one_of(st.none(), texts, long_paths)
lines = st.one_of(st.none(), st.integers(-3, 3), st.integers(2**31, 2**63))
findings = st.builds(lambda m, p, n: {"message": m, "path": p, "line": n}, texts, paths, lines)


@st.composite
def reports(draw: st.DrawFn) -> RunReport:
    """The sample report (every status) with drawn findings, messages, input problems, target and waiver text."""
    data: dict[str, Any] = sample_report().model_dump()
    for result in data["results"]:
        if result["status"] in ("fail", "error", "waived"):
            result["message"] = draw(texts)
            result["findings"] = [{**f, "waived": result["status"] == "waived"}
                                  for f in draw(st.lists(findings, max_size=3))]  # fmt: skip
    data["input_problems"] = [{**p, "path": p["path"] or "x"} for p in draw(st.lists(findings, max_size=3))]
    data["target"] = draw(st.one_of(st.just("."), texts))
    data["waivers"][0].update(path=draw(paths), reason=draw(texts), owner=draw(st.one_of(st.none(), texts)))
    return RunReport.model_validate(data)  # validated: the model is what makes lone surrogates encodable


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    text.encode("utf-8")  # what the report file will hold
    return json.loads(text, parse_constant=refuse)


def _json_is_strict_json(report: RunReport) -> None:
    data = _strict_json(json_report.render(report))
    assert len(data["results"]) == len(report.results)


URI = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=@/%]*")


def _sarif_is_schema_valid_with_regions_from_line_one(report: RunReport) -> None:
    log = _strict_json(sarif.render(report))
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in _sarif_validator().iter_errors(log)]
    assert not problems, problems
    run = log["runs"][0]
    located = [n for n in run["invocations"][0]["toolExecutionNotifications"] if "locations" in n]
    assert len(located) == len(report.input_problems)
    for item in run["results"] + located:
        physical = item["locations"][0]["physicalLocation"]
        assert URI.fullmatch(physical["artifactLocation"]["uri"])  # percent-encoded, never a raw space or ':'
        assert physical.get("region", {"startLine": 1})["startLine"] >= 1


def _junit_is_well_formed_and_valid_against_both_schemas(report: RunReport) -> None:
    xml = junit.render(report)
    suites = ET.fromstring(xml.encode("utf-8"))
    for name in ("JUnit.xsd", "junit-10.xsd"):
        errors = [str(e).splitlines()[0] for e in _xsd(name).iter_errors(xml)]
        assert not errors, (name, errors)
    problem_cases = [c for c in suites.iter("testcase") if c.get("classname") == "readiness.input_problems"]
    assert len(problem_cases) == len(report.input_problems)
    assert "\x1b" not in xml


ALLOWED_RAW_HTML = {"<details>", "</details>"}


def _markdown_keeps_code_spans_tables_and_no_raw_html(report: RunReport) -> None:
    from markdown_it import MarkdownIt

    text = markdown.render(report)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    inline = [c for t in tokens if t.type == "inline" for c in t.children or ()]
    raw = {t.content.strip() for t in tokens if t.type == "html_block"} | {c.content for c in inline if c.type == "html_inline"}
    tags = {line.strip() for chunk in raw for line in chunk.splitlines() if not line.startswith("<summary>")}
    assert tags <= ALLOWED_RAW_HTML, raw
    spans = [c.content for c in inline if c.type == "code_inline"]
    for problem in report.input_problems:  # each location is one whole code span: it did not end early
        shown = visible(location(problem.path, problem.line), one_line=True)
        if not (shown.startswith(" ") and shown.endswith(" ")):  # CommonMark strips one space on both sides
            assert shown in spans
    _tables_are_rectangular(text)
    assert not CONTROL.search(text)


def _tables_are_rectangular(text: str) -> None:
    """Every row of a table has as many cells as its header. Cells split as GitHub's cmark-gfm does: at every
    `|` that a backslash does not escape (a doubled backslash escapes itself, so the pipe after it ends a cell)."""
    width = None
    for line in text.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = sum(1 for pipe in re.findall(r"\\.|(\|)", line) if pipe)
        width = cells if width is None else width
        assert cells == width, line


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def _html_holds_no_injected_element(report: RunReport) -> None:
    page = html.render(report)
    parser = _Tags()
    parser.feed(page)
    assert set(parser.tags) <= _template_tags()
    assert parser.tags.count("script") == 1  # the page's own filter script, nothing injected
    assert "\x1b" not in page and "\x00" not in page


@lru_cache(maxsize=1)
def _template_tags() -> set[str]:
    """Every element the page itself uses (the sample report shows every section)."""
    parser = _Tags()
    parser.feed(html.render(sample_report()))
    return set(parser.tags)


COMMAND = re.compile(r"::(error|warning|notice) (?:(?:file|line|title)=[^,:\r\n]*,?)*::[^\r\n]*")


def _github_commands_stay_one_escaped_line_each(report: RunReport) -> None:
    out = github.render(report)
    commands = out.split("\n")[:-1]  # the runner reads lines split at LF only (U+2028 is data)
    for line in commands:
        assert COMMAND.fullmatch(line), line
        assert "\x1b" not in line
    assert sum(line.startswith("::warning file=") for line in commands) >= len(report.input_problems)


def _terminal_and_pre_commit_views_carry_no_control_characters(report: RunReport) -> None:
    for text in (terminal.render(report, color=False), compact.render(report)):
        assert not CONTROL.search(text), CONTROL.findall(text)
        text.encode("utf-8")


CHECKS = [_json_is_strict_json, _sarif_is_schema_valid_with_regions_from_line_one, _junit_is_well_formed_and_valid_against_both_schemas, _markdown_keeps_code_spans_tables_and_no_raw_html, _html_holds_no_injected_element, _github_commands_stay_one_escaped_line_each, _terminal_and_pre_commit_views_carry_no_control_characters]


@PROPERTY
@given(reports())
def test_every_writer_output_stays_valid(report: RunReport) -> None:
    """One drawn report through every writer (drawing is the costly part, so it is shared)."""
    for check in CHECKS:
        check(report)


def test_the_model_refuses_non_finite_numbers() -> None:
    with pytest.raises(ValidationError, match="finite number"):
        CategoryScore(score=float("nan"), passed=0, failed=0, evaluated=0)
    with pytest.raises(ValidationError, match="finite number"):
        sample_report().model_validate({**sample_report().model_dump(), "duration_s": float("inf")})


def test_non_utf8_file_names_keep_their_bytes_visible() -> None:
    finding = Finding(message="bad \ud800 text", path="data/caf\udce9.csv", line=0)
    assert (finding.path, finding.message) == ("data/caf\\xe9.csv", "bad \\ud800 text")


def test_a_backslash_before_a_pipe_cannot_end_a_table_cell() -> None:
    data = sample_report().model_dump()
    data["waivers"][0].update(path="k8s/a\\|b`c`\\", reason="x \\| y")
    text = markdown.render(RunReport.model_validate(data))
    _tables_are_rectangular(text)
    assert "| REL002 | k8s/a\\\\\\|b\\`c\\`\\\\ | in force |" in text
