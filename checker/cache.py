"""Content-hash cache under `<target>/.readiness-cache/`: file hashes and rule results, as signed JSON.

A warm re-run hashes only files whose size or mtime changed and reuses the result of every rule whose key —
the rule's definition, the config, the date and the contents of the files the rule may read — is unchanged.

The cache lives in the checked tree, which may be an untrusted pull request that commits a forged cache to
make failing rules pass. So the file is authenticated with an HMAC whose key is private to the user running
the checker (in the user's cache folder, never in the target); anything that does not verify is ignored.
The payload is plain JSON validated by pydantic models: nothing is ever unpickled or executed. The folder and
its files are the checker's own (checker.ownfiles): a committed `.readiness-cache` that is not a real folder
turns the cache off for the run, with a note; it is never followed.
"""

from __future__ import annotations

import hashlib
import json
import stat
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from checker.model import RuleResult, Status
from checker.ownfiles import CACHE_DIR, Folder, not_a_folder
from checker.signing import read_signed, write_signed
from checker.signing import user_key as _user_key

__all__ = ["CACHE_DIR", "CACHE_FILE", "ResultCache", "RuleKeys", "rule_key"]

CACHE_FILE = "cache-v1.json"
# 2: SEC001's password findings are masked before they are stored; a file of format 1 is read as empty and
# replaced (the file name stays, so an older cache holding a value in clear is overwritten, not left behind).
FORMAT_VERSION = 2
MAX_RESULTS = 4000  # oldest entries are dropped beyond this, so the file cannot grow without bound
MAX_BYTES = 64 * 1024 * 1024  # a larger cache file is not read (and not written: the older entries go first)


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    size: int
    mtime_ns: int
    sha256: str


class CacheData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = FORMAT_VERSION
    tool: str = ""
    files: dict[str, FileEntry] = {}
    results: dict[str, dict[str, Any]] = {}


class ResultCache:
    """Open with `ResultCache.open`; `None` from it means caching is not possible here (read-only, symlinked)."""

    def __init__(self, folder: Path, key: bytes, tool: str, data: CacheData) -> None:
        self.folder = folder
        self._key = key
        self._tool = tool
        self._old = data if data.tool == tool else CacheData(tool=tool)
        self._files: dict[str, FileEntry] = {}
        self._results: dict[str, dict[str, Any]] = {}
        self.hits = 0
        self.misses = 0

    @classmethod
    def open(cls, target: Path, tool: str) -> ResultCache | None:
        root = target.resolve()
        key = _user_key()
        if key is None:
            return None
        kind = not_a_folder(root, CACHE_DIR)
        if kind:  # committed by the tree: neither followed nor removed (it may be a tracked file)
            sys.stderr.write(f"readiness: note: {CACHE_DIR} is {kind}, not a folder: no cache in this run\n")
            return None
        return cls(root / CACHE_DIR, key, tool, _load(root / CACHE_DIR / CACHE_FILE, key))

    # --- file hashes -----------------------------------------------------------------------------

    def file_hash(self, root: Path, path: str) -> str:
        """sha256 of a target file, recomputed only when its size or mtime changed (stat once per run)."""
        if path in self._files:
            return self._files[path].sha256
        full = root / path
        try:
            stat = full.stat()
        except OSError:
            return "missing"
        known = self._files.get(path) or self._old.files.get(path)
        if known is None or (known.size, known.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            known = FileEntry(size=stat.st_size, mtime_ns=stat.st_mtime_ns, sha256=_sha256(root, path))
        self._files[path] = known
        return known.sha256

    # --- rule results ----------------------------------------------------------------------------

    def get(self, key: str) -> RuleResult | None:
        raw = self._results.get(key) or self._old.results.get(key)
        if raw is None:
            self.misses += 1
            return None
        try:
            result = RuleResult.model_validate(raw)
        except ValidationError:
            self.misses += 1
            return None
        self._results[key] = raw
        self.hits += 1
        return result

    def put(self, key: str, result: RuleResult) -> None:
        if result.status != Status.ERROR:  # a crash or a timeout may not recur: never replay it
            self._results[key] = result.model_dump(mode="json")

    def save(self) -> None:
        """Write atomically; entries of this run first, then older ones up to the cap. Failures are ignored."""
        results = dict(self._results)
        for key, value in reversed(list(self._old.results.items())):
            if len(results) >= MAX_RESULTS:
                break
            results.setdefault(key, value)
        files = {**self._old.files, **self._files}
        try:
            _write(self.folder, self._key, _fitting(CacheData(tool=self._tool, files=files, results=results),
                                                    self._results))  # fmt: skip
        except OSError:
            pass  # a cache that cannot be written only makes the next run slower


def rule_key(*parts: Any) -> str:
    try:
        text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    except TypeError:  # mixed key types (YAML allows `1:` beside `a:`): parse order is deterministic too
        text = json.dumps(parts, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sha256(root: Path, path: str) -> str:
    """The file's hash; never blocks on a FIFO or reads a device swapped in for it since discovery."""
    from checker.project.safe_open import Refused, open_regular

    digest = hashlib.sha256()
    try:
        with open_regular(root, path) as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (OSError, Refused):
        return "unreadable"
    return digest.hexdigest()


def _load(path: Path, key: bytes) -> CacheData:
    """The cache, or an empty one when it is missing, unreadable, oversized, forged or of another format."""
    payload = read_signed(path, key, MAX_BYTES)
    if payload is None:
        return CacheData()
    try:
        data = CacheData.model_validate_json(payload)
    except (ValueError, ValidationError):
        return CacheData()
    return data if data.version == FORMAT_VERSION else CacheData()


def _fitting(data: CacheData, fresh: dict[str, dict[str, Any]]) -> bytes:
    """The cache as JSON within MAX_BYTES: older results are left out first, then this run's (never read back
    otherwise, an oversized file would only cost a write per run)."""
    payload = data.model_dump_json().encode("utf-8")
    for results in (fresh, {}):
        if len(payload) <= MAX_BYTES:
            break
        payload = data.model_copy(update={"results": results}).model_dump_json().encode("utf-8")
    if len(payload) > MAX_BYTES:
        raise OSError(f"the cache would exceed {MAX_BYTES} bytes")
    return payload


def _write(folder: Path, key: bytes, payload: bytes) -> None:
    write_signed(folder / CACHE_FILE, payload, key)
    _ignore_everything(folder)


GITIGNORE = b"# written by readiness-checker\n*\n"


def _ignore_everything(folder: Path) -> None:
    """A .gitignore inside the cache keeps it out of commits without touching the project's own .gitignore.
    One that is not a regular file (a committed symlink) is replaced, never written through."""
    with Folder.open(folder.parent, (folder.name,)) as own:
        mode = own.lstat(".gitignore")
        if mode is None or not stat.S_ISREG(mode):
            own.replace(".gitignore", GITIGNORE, mode=0o666)


class RuleKeys:
    """Cache keys of one run's rules: what a rule's result depends on, hashed."""

    def __init__(self, cache: ResultCache, index: Any, registry: Any, config: Any, today: str, tool: str) -> None:
        self.cache, self._index, self._registry, self._config = cache, index, registry, config
        self._context = rule_key(tool, today, config.model_dump(mode="json"))  # hashed once, not per rule
        # Many rules read the same files (every Kubernetes rule reads every manifest): the contents of one set
        # of inputs are hashed once per run, not once per rule, so a warm run over 10,000 files stays cheap.
        self._inputs_hash: dict[tuple[str, ...] | None, str] = {}

    def for_rule(self, rule: Any) -> str:
        from checker.engine.changed import inputs_of

        paths = inputs_of(rule, self._config, self._index, self._registry)
        inputs = None if paths is None else tuple(paths)
        if inputs not in self._inputs_hash:
            self._inputs_hash[inputs] = self._hash_inputs(sorted(self._index.files) if inputs is None else inputs)
        return rule_key(self._context, _definition(rule), self._inputs_hash[inputs])

    def _hash_inputs(self, paths: Any) -> str:
        digest = hashlib.sha256()
        for path in paths:
            digest.update(f"{path}\0{self.cache.file_hash(self._index.root, path)}\n".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()


def _definition(rule: Any) -> list[Any]:
    """Everything of a rule that shapes its result (its pack file's other rules do not)."""
    return [rule.id, rule.title, rule.category, rule.severity, rule.description, rule.remediation, rule.raw_check,
            rule.params, rule.message, rule.enabled]  # fmt: skip
