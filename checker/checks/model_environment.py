"""VER008: the serving environment runs the model's framework versions.

For each MLmodel, the ML libraries its recorded environment pins (checker.project.pins: requirements.txt,
python_env.yaml, conda.yaml beside it) are compared with the project's own pins of the same libraries, on
their first `parts` version components (2: major.minor). A model pickled with scikit-learn 1.5 and served
with 1.3 may not load, or may load and predict differently; patch releases keep the format.
"""

from __future__ import annotations

from pydantic import Field

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project import mlmodel
from checker.project.pins import Pin, by_library, library, model_environment, project_pins

ML_LIBRARIES = ["scikit-learn", "xgboost", "lightgbm", "catboost", "torch", "tensorflow", "keras", "transformers",
                "onnx", "onnxruntime", "statsmodels", "prophet"]  # fmt: skip
INPUTS = ("mlmodel", "requirements", "lockfile", "pyproject", "yaml")


class FrameworkParams(Params):
    libraries: list[str] = Field(default=ML_LIBRARIES, min_length=1, description="distribution names compared")
    parts: int = Field(default=2, ge=1, le=3, description="version components that must agree (2: major.minor)")


def register(registry: Registry) -> None:
    check_type(registry, "model_framework_versions", FrameworkParams,
               "the project pins the ML library versions the model's environment recorded",
               inputs=INPUTS)(framework_versions)  # fmt: skip


def framework_versions(ctx: CheckContext, params: FrameworkParams) -> Outcome:  # type: ignore[override]
    models = mlmodel.discover(ctx.index, ctx.config)
    if not models:
        return Outcome.skipped("no MLmodel file (model.metadata or a file named MLmodel)")
    environments = {m: env for m in models if (env := model_environment(ctx.index, m))[0]}
    if not environments:
        return Outcome.skipped("no model environment (requirements.txt, python_env.yaml or conda.yaml beside the MLmodel file)")
    served = by_library(project_pins(ctx.index))
    if not served:
        return Outcome.skipped("no pinned project dependencies (a lock file, or requirements pinned with ==)")
    wanted = {library(name) for name in params.libraries}
    findings, compared, unpinned = [], set(), set()
    for path, (_, recorded) in sorted(environments.items()):
        for pin in (p for p in recorded if p.name in wanted):
            if pin.name not in served:
                unpinned.add(f"{pin.name} {pin.version}")
                continue
            compared.add(pin.name)
            findings += [_finding(own, pin, path, params.parts) for own in served[pin.name] if not _same(own, pin, params.parts)]
    if not compared and not unpinned:
        return Outcome.skipped(f"the model environment pins none of the ML libraries compared ({', '.join(params.libraries)})")
    return Outcome.from_findings(findings, _passed(compared, unpinned, params.parts, list(environments)),
                                 "{count} ML library pins differ from the model environment")  # fmt: skip


def _same(own: Pin, recorded: Pin, parts: int) -> bool:
    mine, theirs = _release(own.version, parts), _release(recorded.version, parts)
    return mine is None or theirs is None or mine == theirs  # an unparseable version is not a verdict


def _release(version: str, parts: int) -> tuple[int, ...] | None:
    from packaging.version import InvalidVersion, Version

    try:
        release = Version(version).release
    except InvalidVersion:
        return None
    return tuple(release[:parts]) + (0,) * (parts - len(release[:parts]))


def _shown(version: str, parts: int) -> str:
    release = _release(version, parts)
    return ".".join(map(str, release)) if release else version


def _finding(own: Pin, recorded: Pin, mlmodel_path: str, parts: int) -> Finding:
    where = f"{recorded.path}:{recorded.line}" if recorded.line else recorded.path
    message = (f"{own.name} {own.version} is pinned here, but the model {mlmodel_path} was saved with {recorded.name} "
               f"{recorded.version} ({where}): {_shown(own.version, parts)} ≠ {_shown(recorded.version, parts)}")  # fmt: skip
    return Finding(message=message, path=own.path, line=own.line, locator=f"{own.path}:{own.name}:{mlmodel_path}")


def _passed(compared: set[str], unpinned: set[str], parts: int, models: list[str]) -> str:
    what = "major" if parts == 1 else "major.minor" if parts == 2 else "version"
    text = f"the project pins the {what} of {', '.join(sorted(compared)) or 'no library'} that {', '.join(models)} recorded"
    return text + (f"; not pinned in the project, not compared: {', '.join(sorted(unpinned))}" if unpinned else "")
