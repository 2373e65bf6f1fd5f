"""SEC003 (Dockerfile part): the final stage of every Dockerfile runs as a non-root `USER`.

Without a `USER`, a final stage built on a non-root variant counts as non-root (SPEC §7): distroless and
Chainguard publish those under a tag that is or ends in `nonroot` (`:nonroot`, `:debug-nonroot`).
"""

from __future__ import annotations

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project.dockerfile import Dockerfile, Stage, dockerfiles, substitute

_ROOT = frozenset({"root", "0"})


class DockerfileUserParams(Params):
    pass


def register(registry: Registry) -> None:
    check_type(
        registry, "dockerfile_user", DockerfileUserParams,
        "the final stage of every Dockerfile sets a non-root USER, or none on a `nonroot` base image",
        inputs=("dockerfile",),
    )(dockerfile_user)  # fmt: skip


def dockerfile_user(ctx: CheckContext, params: DockerfileUserParams) -> Outcome:  # type: ignore[override]
    files = [d for d in dockerfiles(ctx.index).files if d.final is not None]
    if not files:
        return Outcome.skipped("no Dockerfile with a build stage found")
    findings = [f for d in files for f in _judge(d, d.stages[-1])]
    return Outcome.from_findings(findings, f"{len(files)} Dockerfile(s) run as a non-root USER",
                                 "{count} Dockerfiles run as root")  # fmt: skip


def _judge(dockerfile: Dockerfile, final: Stage) -> list[Finding]:
    locator = f"{dockerfile.path}:USER"
    in_force = dockerfile.effective(final, "USER")
    if in_force is None:
        if _is_nonroot_variant(_base_image(dockerfile, final)):
            return []
        message = (f"final {final.label} sets no USER: the container runs as root unless its base image "
                   "sets a user; add `USER <uid>` with a non-zero uid")  # fmt: skip
        return [Finding(message=message, path=dockerfile.path, line=final.line, locator=locator)]
    stage, instruction = in_force
    written = instruction.value.strip().split(":", 1)[0]
    user = substitute(written, stage.variables)
    if user is None:
        message = f"USER {written} takes its value from a build argument without a default; it cannot be verified"
    elif user.strip().lower() in _ROOT:
        message = f"final {final.label} runs as root (USER {instruction.value.strip()})"
    else:
        return []
    return [Finding(message=message, path=dockerfile.path, line=instruction.line, locator=locator)]


def _base_image(dockerfile: Dockerfile, stage: Stage) -> str | None:
    """The image a stage builds on, through `FROM <earlier stage>` links; None when an ARG leaves it unknown."""
    while stage.parent is not None:
        stage = dockerfile.stages[stage.parent]
    return stage.base


def _is_nonroot_variant(image: str | None) -> bool:
    if not image:
        return False
    last = image.partition("@")[0].rsplit("/", 1)[-1]
    _, colon, tag = last.partition(":")
    return bool(colon) and tag.lower().endswith("nonroot")
