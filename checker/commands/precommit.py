"""`readiness pre-commit [FILE...]`: `check` in pre-commit mode for the files a commit changes.

Only the rules that read one of the files run, with the cache on, and only a compact plain-text view is
printed: a commit hook must be fast and must not leave report files in the working tree.

Without FILEs (the hook: `pass_filenames: false`, `always_run: true`) the files are what git has staged,
deletions included — pre-commit itself never passes a deleted file, so a commit that only deletes the last
alert rule would otherwise pass unchecked. In a monorepo each file belongs to its nearest enclosing project (a
folder with `readiness.yaml` or `[tool.readiness]` in pyproject.toml); each project is checked once, with its
own config, and the files outside every project belong to the repository root.
"""

from __future__ import annotations

import sys
from pathlib import Path

from checker.commands.check import CheckRequest, run_request
from checker.model import Status
from checker.project.classify import CONFIG_NAMES
from checker.reporters.compact import render

NOTHING_TO_CHECK = "readiness: nothing to check (no staged file is an input of any rule)"


def run_pre_commit(files: tuple[Path, ...], config_file: Path | None, fail_on: str | None, jobs: int | None,
                   use_cache: bool, command: list[str] | None = None, inline_waivers: bool = True,
                   policy: Path | None = None) -> int:  # fmt: skip
    groups = {Path("."): files} if config_file is not None else projects_of(files)
    outputs, code = [], 0
    for project, changed in sorted(groups.items()):
        request = CheckRequest(
            target=project, config_file=config_file, extra_rules=(), only=(), skip=(), formats=("terminal",),
            output_dir=Path("reports"), fail_on=fail_on, changed=changed, jobs=jobs, use_cache=use_cache,
            inline_waivers=inline_waivers, policy=policy,
        )  # fmt: skip
        report = run_request(request)
        if not report.results:
            continue
        text = render(report)
        outputs.append(text if len(groups) == 1 else f"readiness: project {project.as_posix()}\n{text}")
        code = max(code, 0 if report.ready else 1)
        clean = not any(r.status == Status.ERROR for r in report.results)
        use_cache = use_cache and clean  # a rule that errored (a time budget, say) may not error next time
    output = "".join(outputs) or NOTHING_TO_CHECK + "\n"
    sys.stdout.write(output)
    if use_cache and command is not None:  # only clean runs are replayed
        from checker import replay

        replay.remember(Path("."), command, output, code)
    return code


def projects_of(files: tuple[Path, ...]) -> dict[Path, tuple[Path, ...]]:
    """Each file under its nearest enclosing project folder (relative to the working directory)."""
    groups: dict[Path, list[Path]] = {}
    for file in files:
        groups.setdefault(_project_of(file), []).append(file)
    return {project: tuple(members) for project, members in groups.items()}


def _project_of(file: Path) -> Path:
    folder = file.parent
    while folder != Path(".") and not folder.is_absolute() and ".." not in folder.parts:
        if _declares_project(folder):
            return folder
        folder = folder.parent
    return Path(".")


def _declares_project(folder: Path) -> bool:
    """A folder with its own config. Names only and a bounded read: the tree is untrusted."""
    if any((folder / name).is_file() and not (folder / name).is_symlink() for name in sorted(CONFIG_NAMES)):
        return True
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file() or pyproject.is_symlink():
        return False
    try:
        with pyproject.open("rb") as handle:
            head = handle.read(1 << 20)
    except OSError:
        return False
    return b"[tool.readiness" in head
