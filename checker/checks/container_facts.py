"""Facts about one container that conditions cannot compute from its fields alone.

- `$command`: its `command` and `args` joined by spaces, so a pattern can match `vllm serve …` or
  `python -m sglang.launch_server` whether it is written as one shell string or as list items.
- `$mounts`: each `volumeMounts` path (without a trailing `/`) mapped to the pod volume it mounts, so a rule
  can ask what backs `/dev/shm` (`$mounts./dev/shm.emptyDir.medium`). A mount of an undeclared volume maps to
  an empty mapping. Positions are the mount's, then the volume's, so a finding points at either.
"""

from __future__ import annotations

from typing import Any

from checker.yamlpos import PathPart, PosDict

def fact_paths(container: PosDict) -> dict[str, tuple[PathPart, ...]]:
    """Where a finding about `$command` points: its `command`, else its `args` (`$mounts` is located as a root)."""
    return {"$command": ("command",) if "command" in container else ("args",)}


def container_facts(container: PosDict, pod: PosDict) -> dict[str, Any]:
    return {"$command": command_line(container), "$mounts": mounts(container, pod)}


def command_line(container: PosDict) -> str:
    words: list[str] = []
    for key in ("command", "args"):
        items = container.get(key)
        if isinstance(items, list):
            words += [str(item) for item in items if isinstance(item, (str, int, float))]
    return " ".join(words)


def mounts(container: PosDict, pod: PosDict) -> PosDict:
    volumes = {v.get("name"): v for v in _items(pod.get("volumes")) if isinstance(v, PosDict)}
    found = PosDict(container.key_pos.get("volumeMounts", container.pos))
    listed = container.get("volumeMounts")
    for i, mount in enumerate(_items(listed)):
        if not isinstance(mount, PosDict) or not isinstance(mount.get("mountPath"), str):
            continue
        where = mount["mountPath"].rstrip("/") or "/"
        found[where] = volumes.get(mount.get("name")) or PosDict(mount.pos)
        found.key_pos[where] = getattr(listed, "item_pos", [mount.pos] * (i + 1))[i]
    return found


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
