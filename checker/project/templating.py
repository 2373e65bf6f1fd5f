"""Is a YAML file a template (SPEC §10 *Templates*)?

A file whose text holds template directives — `{{ … }}` (Go templates: Helm, gomplate; Jinja, cookiecutter) or
`{% … %}` (Jinja statements) — may describe a manifest that only exists once something renders it. Judging it as
written would judge `{{ .Values.image }}` as an image, or fail to parse `{{- if … }}` lines; such a file is *not
evaluated (template)* unless something renders it: listed in every report, read by no rule, never an input problem.

Many files that are read as written carry `{{ … }}` too: the program reading them fills it in at run time —
Prometheus and Alertmanager alert text (`{{ $labels.instance }}`), KServe's `{{.Name}}` in a runtime's args and
its domain template, Argo Workflows parameters, Kyverno variables, goreleaser fields. So a file with directives is
a template when it
- holds a Jinja statement (`{% … %}`), or an expression only Helm evaluates (`.Values`, `.Release`, `.Chart`,
  `.Capabilities`, `.Files`, `include`, `toYaml`, `tpl`, `required`, `nindent`), or
- is not YAML as written (a `{{- if … }}` line, `key: {{ value }}`).
`${{ … }}` expressions (GitHub Actions, Azure Pipelines) and directives in `#` comment lines are not directives.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# The expression is bounded (a directive is one short expression), so the scan stays linear on hostile text.
_DIRECTIVE = re.compile(r"(?<!\$)\{\{-?([^{}]{0,2000}?)-?\}\}|\{%-?([^{}]{0,2000}?)-?%\}")
_HELM = re.compile(r"(?:^|[\s($])\.(?:Values|Release|Chart|Capabilities|Files|Template)\b"
                   r"|\b(?:include|toYaml|fromYaml|tpl|required|nindent|lookup)\b")  # fmt: skip
_COMMENT_LINE = re.compile(r"^[ \t]*#.*$", re.MULTILINE)
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tpl", ".tmpl", ".gotmpl", ".template")


def has_directives(text: str) -> bool:
    """Any `{{ … }}` or `{% … %}` outside comment lines (`${{ … }}` is not one)."""
    if "{{" not in text and "{%" not in text:
        return False  # the common case: no scan at all
    return _DIRECTIVE.search(_COMMENT_LINE.sub("", text)) is not None


def marks_a_template(text: str) -> bool:
    """A Jinja statement or a Helm-only expression: rendered before anything reads the file."""
    for match in _DIRECTIVE.finditer(_COMMENT_LINE.sub("", text)):
        go, jinja = match.group(1), match.group(2)
        if jinja is not None or _HELM.search(go):
            return True
    return False


def template_or_documents(text: str, load: Callable[[str], list[Any]]) -> tuple[bool, list[Any] | None]:
    """(True, None) for a template; (False, documents) when its directives are the reader's own run-time text;
    (False, None) when it has no directives (not parsed here). `load` raises ValueError (YamlError) on bad YAML."""
    if not has_directives(text):
        return False, None
    if marks_a_template(text):
        return True, None
    try:
        return False, load(text)
    except (ValueError, RecursionError):
        return True, None  # not YAML until rendered


def is_template_name(path: str) -> bool:
    """`deployment.yaml.j2`, `values.yml.tpl`: YAML templates by name, never YAML files themselves."""
    lower = path.lower()
    stem, dot, suffix = lower.rpartition(".")
    return bool(dot) and f".{suffix}" in TEMPLATE_SUFFIXES and stem.endswith((".yaml", ".yml"))
