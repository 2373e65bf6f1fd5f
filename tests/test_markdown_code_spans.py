"""readiness.md shows code spans as written: `<service>` and `|` literally, never `&lt;` or `\\|` (SPEC §6 views).

Rendered with markdown-it (CommonMark, GFM tables): in a GFM table a `|` inside a code span still ends the cell
unless escaped as `\\|`, which the table parser turns back into `|` before the span is read (GFM spec, tables)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from report_samples import sample_report

from checker.model import RunReport, WaiverRecord
from checker.reporters import markdown

REMEDIATION = "Tag it `registry/…/<service>:<version>`, never `curl … | sh`; <b>bold</b> a|b stays text."


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _code_spans(text: str) -> list[str]:
    return [c.content for t in _parser().parse(text) if t.type == "inline" for c in t.children or () if c.type == "code_inline"]


def _with_remediation(report: RunReport, remediation: str) -> RunReport:
    results = tuple(r.model_copy(update={"remediation": remediation}) if r.rule_id == "REL001" else r for r in report.results)
    return report.model_copy(update={"results": results})


def test_code_spans_in_rule_text_show_angle_brackets_and_pipes_as_written() -> None:
    text = markdown.render(_with_remediation(sample_report(), REMEDIATION))
    html = _parser().render(text)
    assert "<code>registry/…/&lt;service&gt;:&lt;version&gt;</code>" in html  # shown as `<service>`
    assert "<code>curl … | sh</code>" in html
    assert "&amp;lt;" not in html and "\\|" not in " ".join(_code_spans(text))
    assert "&lt;b&gt;bold&lt;/b&gt; a|b stays text." in html  # outside code: still no raw HTML


def test_a_pipe_in_a_table_code_span_is_shown_and_keeps_the_cell() -> None:
    waiver = WaiverRecord(rule="REL002", path="k8s/a|b.yaml", reason="r", expires=date(2099, 1, 1), state="active")
    text = markdown.render(sample_report().model_copy(update={"waivers": (waiver,)}))
    html = _parser().render(text)
    assert "<td><code>k8s/a|b.yaml</code></td>" in html
    assert "k8s/a|b.yaml" in _code_spans(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["`", "``", "\\", "<b>", "</b>", "<x", "|", "a", " "]), max_size=24).map("".join))
def test_rule_text_never_yields_raw_html_or_escapes_inside_code(value: str) -> None:
    """Where CommonMark sees a code span, the text is kept; everywhere else `<` is escaped: no reading of the
    spans can leave a tag unescaped outside one, or an entity inside one."""
    tokens = _parser().parse(f"**Fix:** {markdown.prose(value)}\n")
    children = [c for t in tokens if t.type == "inline" for c in t.children or ()]
    assert not [c for c in children if c.type == "html_inline"], value
    assert not [c for c in children if c.type == "code_inline" and "&lt;" in c.content], value
