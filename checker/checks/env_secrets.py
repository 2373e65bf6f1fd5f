"""SEC007: no secret values inline in container environments (manifests' `env`, compose `environment`)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.checks.secret_names import is_secret_name, mask, points_at_secret
from checker.model import Finding

# `$(OTHER_VAR)` (Kubernetes) and `${OTHER_VAR}` (compose) refer to values held elsewhere.
_REFERENCE_ONLY = re.compile(r"^\s*(\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_]*(:?-[^}]*)?\})\s*$")
# Switches such as `ENABLE_AUTH: "true"` are settings, not secrets (SPEC §7 "secret value").
_BOOLEAN_LIKE = frozenset({"true", "false", "yes", "no", "on", "off", "0", "1"})


class InlineSecretParams(Params):
    sources: list[Literal["kubernetes", "compose"]] = Field(default=["kubernetes", "compose"], min_length=1)


def register(registry: Registry) -> None:
    check_type(
        registry, "inline_secret_env", InlineSecretParams,
        "no environment entry holds a literal secret value", inputs=("kubernetes", "compose"),
    )(inline_secret_env)  # fmt: skip


def _is_inline_secret(name: str, value: Any) -> bool:
    if value is None or isinstance(value, bool) or not str(value).strip():
        return False
    text = str(value)
    if text.strip().lower() in _BOOLEAN_LIKE or _REFERENCE_ONLY.match(text) or points_at_secret(name):
        return False
    if is_secret_name(name):
        return True
    from checker.checks.secret_scan import is_known_secret_format  # detect-secrets: only for literal values

    return is_known_secret_format(text)


def inline_secret_env(ctx: CheckContext, params: InlineSecretParams) -> Outcome:  # type: ignore[override]
    findings: list[Finding] = []
    checked = 0
    templates = 0  # pod templates and compose services: with them but no env at all, the rule passes
    if "kubernetes" in params.sources:
        # Helm hooks included: a secret written into a committed manifest is leaked whether or not it runs.
        for workload in ctx.index.kube.pod_templates(include_helm_hooks=True):
            templates += 1
            for container in workload.containers(init=True):
                env = container.data.get("env")
                for i, entry in enumerate(env if isinstance(env, list) else []):
                    if not isinstance(entry, dict):
                        continue
                    checked += 1
                    name = str(entry.get("name", ""))
                    if "value" in entry and _is_inline_secret(name, entry["value"]):
                        findings.append(_finding(container.label, name, entry["value"], container.source.path,
                                                 container.source.line((*container.path, "env", i, "value")),
                                                 f"{container.source.ref}:{container.name}:env.{name}"))  # fmt: skip
    if "compose" in params.sources:
        for service in ctx.index.compose.services:
            templates += 1
            for name, value, line in service.environment():
                checked += 1
                if _is_inline_secret(name, value):
                    findings.append(_finding(service.label, name, value, service.path, line,
                                             f"{service.path}:{service.name}:env.{name}"))  # fmt: skip
    if not templates:
        return Outcome.skipped("no pod templates or compose services found")
    if not checked:
        return Outcome.passed(f"no environment entries in {templates} pod template(s) or compose service(s)")
    return Outcome.from_findings(findings, f"{checked} environment entries checked", "{count} inline secrets")


def _finding(label: str, name: str, value: Any, path: str, line: int | None, locator: str) -> Finding:
    message = f"{label}: env {name} holds a literal secret value ({mask(str(value))}); use a secretKeyRef or a mounted secret"
    return Finding(message=message, path=path, line=line, locator=locator)
