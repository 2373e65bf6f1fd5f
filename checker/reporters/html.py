"""`readiness.html`: one self-contained page for people reviewing a release.

Everything is inline (CSS, JavaScript, an SVG chart) and a Content-Security-Policy forbids any network access,
so the file can be attached to a ticket or opened from an artefact store as is. The template is autoescaped:
project files are untrusted, and a finding may quote them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from checker.model import CATEGORY_ORDER, RunReport, Status
from checker.reporters.common import (
    CATEGORY_TITLE,
    SEVERITY_ORDER,
    STATUS_LABEL,
    by_category,
    failing,
    finding_note,
    gate_heading,
    gating,
    location,
    out_of_scope_text,
    score_text,
    visible,
)

TEMPLATE = Path(__file__).parent / "templates" / "report.html.j2"
STATUS_ORDER = [Status.FAIL, Status.ERROR, Status.WAIVED, Status.PASS, Status.SKIPPED]


@lru_cache(maxsize=1)
def _template() -> Any:
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             finalize=_shown)  # fmt: skip
    env.filters.update(location=lambda f: location(f.path, f.line), score=score_text, note=finding_note,
                       prose=_prose)  # fmt: skip
    return env.from_string(TEMPLATE.read_text(encoding="utf-8"))


def _shown(value: Any) -> Any:
    """Every `{{ value }}` of the template: control characters shown as escapes, then autoescaped."""
    from markupsafe import Markup

    return visible(value) if isinstance(value, str) and not isinstance(value, Markup) else value


def _prose(value: str) -> Any:
    """Rule-pack text with its `code spans` shown as code; everything else escaped."""
    from markupsafe import Markup, escape

    parts = visible(value).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show the text as written
        return escape(value)
    return Markup("").join(escape(p) if i % 2 == 0 else Markup("<code>%s</code>") % p for i, p in enumerate(parts))


def render(report: RunReport) -> str:
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    failed_first = sorted(report.results, key=lambda r: (rank[r.status], SEVERITY_ORDER.index(r.severity)))
    return _template().render(
        report=report,
        results=failed_first,
        failing_count=len(failing(report)),
        gating={r.rule_id: gating(r, report.fail_on) for r in report.results},
        categories=[(c, report.score.categories[c.value]) for c, _ in by_category(report)],
        all_categories=[c for c in CATEGORY_ORDER if c.value in report.score.categories],
        category_title=CATEGORY_TITLE,
        severities=SEVERITY_ORDER,
        statuses=STATUS_ORDER,
        status_label=STATUS_LABEL,
        active_waivers=[w for w in report.waivers if w.state == "active"],
        expired_waivers=[w for w in report.waivers if w.state == "expired"],
        gate_heading=gate_heading(report),
        out_of_scope=out_of_scope_text(report.coverage),
    )
