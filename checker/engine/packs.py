"""Where rule packs come from: built-ins, `--rules`, the config's `rule_packs`, installed packages."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from checker.checks.registry import Registry
from checker.config import LoadedConfig, Limits, rule_pack_files
from checker.packs.loader import ReadLimits, load_packs
from checker.packs.model import Rule

PACK_ENTRY_POINTS = "readiness.rule_packs"


def builtin_pack_dir() -> Path:
    """Installed wheels carry the packs inside the package; a source checkout has them in `rules/`."""
    packaged = Path(__file__).resolve().parent.parent / "builtin_rules"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "rules"


def pack_files(folder_or_file: Path) -> list[Path]:
    if folder_or_file.is_dir():
        return sorted([*folder_or_file.glob("*.yaml"), *folder_or_file.glob("*.yml")])
    return [folder_or_file]


def load_rules(target: Path, loaded: LoadedConfig, extra: Iterable[Path], registry: Registry) -> list[Rule]:
    builtin = pack_files(builtin_pack_dir())
    files = list(builtin)
    for path in extra:
        files += pack_files(path)
    for entry in loaded.config.rule_packs:  # confined to the target by `load_config` before we get here
        files += rule_pack_files(target.resolve(), entry)
    files += _installed_packs()
    limits = read_limits(loaded.config.limits)
    return load_packs(files, registry, display_root=Path.cwd(), trusted=builtin, limits=limits)


def read_limits(limits: Limits) -> ReadLimits:
    """The project's `limits:` applied to reading packs: its file-size and YAML-node caps."""
    return ReadLimits(max_bytes=int(limits.max_file_mb * 1024 * 1024), max_nodes=limits.max_yaml_nodes)


def _installed_packs() -> list[Path]:
    """Packs shipped by installed Python packages: an entry point naming a function that returns paths."""
    from checker.plugins import entry_points

    found: list[Path] = []
    for entry in entry_points(PACK_ENTRY_POINTS):
        provided = entry.load()
        for item in provided() if callable(provided) else provided:
            found += pack_files(Path(item))
    return found
