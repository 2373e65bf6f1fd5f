"""Is a YAML file a template (SPEC §10 *Templates*)? Decided from its text alone, without parsing it.

A file whose text holds a template directive — `{{ … }}` (Go templates: Helm, gomplate; Jinja, cookiecutter) or
`{% … %}` (Jinja statements) — describes a manifest that only exists once something renders it. Judging it as
written means judging `{{ .Values.image }}` as an image or failing to parse `{{- if … }}` lines, so unless it is
rendered it is *not evaluated (template)*: listed in every report, read by no rule, never an input problem.

Some files carry `{{ … }}` that the program reading them expands at run time, and are meant to be read as written:
- Prometheus and Alertmanager alert text (`{{ $labels.instance }}`, `{{ $value | humanize }}`, `{{ .Labels.job }}`);
- resources of controllers that substitute parameters (Argo Workflows, Events, Rollouts analysis and
  ApplicationSets under `argoproj.io`, Kyverno policies under `kyverno.io`, KServe runtimes' `{{.Name}}`
  placeholders under `serving.kserve.io`);
- `${{ … }}` expressions (GitHub Actions, Azure Pipelines), and directives inside `#` comment lines.
Bare `{{ end }}` / `{{ else }}` decide nothing either way.
"""

from __future__ import annotations

import re

# The expression is bounded (a directive is one short expression), so the scan stays linear on hostile text.
_DIRECTIVE = re.compile(r"(?<!\$)\{\{-?([^{}]{0,2000}?)-?\}\}|\{%-?([^{}]{0,2000}?)-?%\}")
_ALERT_DATA = re.compile(
    r"\$(?:labels|value|externalLabels|externalURL)\b"
    r"|\.(?:Labels|Annotations|Value|ExternalLabels|ExternalURL|CommonLabels|CommonAnnotations|GroupLabels|Alerts"
    r"|Receiver|Status)\b"
)
_NEUTRAL = frozenset({"", "end", "else", "."})
_RUNTIME_GROUPS = re.compile(
    r"""^\s*apiVersion:\s*["']?(?:[\w.-]+\.)?(?:argoproj\.io|kyverno\.io|serving\.kserve\.io)/""", re.MULTILINE
)
_COMMENT_LINE = re.compile(r"^[ \t]*#.*$", re.MULTILINE)
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tpl", ".tmpl", ".gotmpl", ".template")


def has_template_directives(text: str) -> bool:
    """True when `text` holds a directive that something must render before the YAML means anything."""
    if "{{" not in text and "{%" not in text:
        return False  # the common case: no scan at all
    text = _COMMENT_LINE.sub("", text)
    runtime_braces = bool(_RUNTIME_GROUPS.search(text))
    for match in _DIRECTIVE.finditer(text):
        go, jinja = match.group(1), match.group(2)
        if jinja is not None:
            return True  # `{% … %}` is never run-time text of Prometheus or Argo
        if not runtime_braces and _renders(go.strip()):
            return True
    return False


def _renders(expression: str) -> bool:
    return expression not in _NEUTRAL and not _ALERT_DATA.search(expression)


def is_template_name(path: str) -> bool:
    """`deployment.yaml.j2`, `values.yml.tpl`: YAML templates by name, never YAML files themselves."""
    lower = path.lower()
    stem, dot, suffix = lower.rpartition(".")
    return bool(dot) and f".{suffix}" in TEMPLATE_SUFFIXES and stem.endswith((".yaml", ".yml"))
