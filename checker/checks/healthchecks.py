"""REL007: each Dockerfile has a HEALTHCHECK, or every serving workload has readiness and liveness probes.

SPEC §7 needs no image-to-workload linking: either form of health checking, complete, is enough. Without a
Dockerfile the rule is skipped: probes alone are REL002/REL003's business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project.dockerfile import Dockerfile, dockerfiles

if TYPE_CHECKING:
    from checker.project.kube import Workload

PROBES = ("readinessProbe", "livenessProbe")


class HealthcheckParams(Params):
    pass


def register(registry: Registry) -> None:
    check_type(
        registry, "healthcheck_or_probes", HealthcheckParams,
        "each Dockerfile has a HEALTHCHECK, or every serving workload has readiness and liveness probes",
        inputs=("dockerfile", "kubernetes"),
    )(healthcheck_or_probes)  # fmt: skip


def healthcheck_or_probes(ctx: CheckContext, params: HealthcheckParams) -> Outcome:  # type: ignore[override]
    images = [d for d in dockerfiles(ctx.index).files if d.final is not None]
    if not images:  # SPEC §7: without a Dockerfile there is no HEALTHCHECK to weigh against probes
        return Outcome.skipped("no Dockerfile with a build stage found (probes alone are REL002/REL003's business)")
    workloads = ctx.index.kube.serving_workloads(include_daemonsets=True)
    image_findings = [f for d in images for f in _missing_healthcheck(d)]
    if not image_findings:
        return Outcome.passed(f"{len(images)} Dockerfile(s) define a HEALTHCHECK")
    probe_findings = [f for w in workloads for f in _missing_probes(w)]
    if workloads and not probe_findings:
        return Outcome.passed(f"{len(workloads)} serving workload(s) have readiness and liveness probes")
    return Outcome.failed("neither a HEALTHCHECK in each Dockerfile nor probes on every serving workload",
                          image_findings + probe_findings)  # fmt: skip


def _missing_healthcheck(dockerfile: Dockerfile) -> list[Finding]:
    final = dockerfile.stages[-1]
    in_force = dockerfile.effective(final, "HEALTHCHECK")
    if in_force and in_force[1].value.strip().upper() != "NONE":
        return []
    message = f"final {final.label} has no HEALTHCHECK"
    return [Finding(message=message, path=dockerfile.path, line=final.line, locator=f"{dockerfile.path}:HEALTHCHECK")]


def _missing_probes(workload: Workload) -> list[Finding]:
    findings = []
    for container in workload.containers(init=False):
        missing = [probe for probe in PROBES if probe not in container.data]
        if missing:
            findings.append(Finding(
                message=f"{container.label} has no {' and no '.join(missing)}",
                path=container.source.path, line=container.source.line(container.path),
                locator=f"{container.source.ref}:{container.name}:probes",
            ))  # fmt: skip
    return findings
