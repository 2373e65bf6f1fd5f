"""SEC002: no secrets committed, in any tracked text file (code of any language, manifests, configs, docs).

Lock files and checksum files are left out: their content is hashes by design (SPEC §7). Binary files
(models, datasets in binary formats, images) are not text and are skipped without being read in full.
Every value is masked before it reaches a finding.
"""

from __future__ import annotations

import posixpath

from pydantic import Field

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.checks.secret_names import mask
from checker.checks.secret_scan import Detected, scan_text
from checker.model import Finding
from checker.project import classify as kinds
from checker.project.index import InputError, ProjectIndex

# Lock files of other ecosystems (Python ones are the `lockfile` kind) and checksum files.
_HASH_FILE_NAMES = frozenset({
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "Cargo.lock",
    "Gemfile.lock", "composer.lock", "go.sum", "mix.lock", "packages.lock.json", "flake.lock",
    "SHA256SUMS", "SHA512SUMS", "SHA1SUMS", "MD5SUMS", "CHECKSUMS", "checksums.txt",
})  # fmt: skip
_HASH_FILE_SUFFIXES = (".lock", ".sha256", ".sha512", ".sha1", ".md5", ".sum", ".sha256sum", ".checksum")
_BINARY_SUFFIXES = frozenset({
    ".onnx", ".pt", ".pth", ".bin", ".safetensors", ".ckpt", ".h5", ".hdf5", ".keras", ".pb", ".tflite",
    ".pkl", ".pickle", ".joblib", ".npy", ".npz", ".parquet", ".arrow", ".feather", ".orc", ".avro",
    ".gz", ".bz2", ".xz", ".zst", ".zip", ".tar", ".7z", ".whl", ".egg", ".jar", ".so", ".dylib", ".dll",
    ".exe", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".pdf", ".woff", ".woff2", ".ttf",
    ".eot", ".db", ".sqlite", ".xlsx", ".xls", ".mo", ".pyc",
})  # fmt: skip


class SecretsParams(Params):
    exclude: list[str] = Field(
        default_factory=list, description="gitignore-style patterns of files not scanned (e.g. test fixtures)"
    )


def register(registry: Registry) -> None:
    check_type(
        registry, "secrets", SecretsParams,
        "no committed secrets (detect-secrets detectors; high-entropy values only under secret-like names)",
    )(secrets)  # fmt: skip  # no input kinds: every tracked file is an input


def secrets(ctx: CheckContext, params: SecretsParams) -> Outcome:  # type: ignore[override]
    paths = scanned_files(ctx.index, params.exclude)
    if not paths:
        return Outcome.skipped("no text files to scan")
    findings: list[Finding] = []
    # Vendored and generated files come in copies (a CRD in config/ and in the chart, release bundles): a text
    # already scanned is not scanned again. The index holds every text anyway, so keying by it costs no memory.
    scanned: dict[str, list[Detected]] = {}
    for path in paths:
        text = _text(ctx.index, path)
        if text:
            lines = text.splitlines()
            if text not in scanned:
                scanned[text] = scan_text(text, honour_allowlist=ctx.inline_waivers)
            findings += [_finding(path, d, lines[d.line - 1]) for d in scanned[text]]
    return Outcome.from_findings(findings, f"no secrets in {len(paths)} text files", "{count} committed secrets")


def scanned_files(index: ProjectIndex, exclude: list[str]) -> list[str]:
    excluded = set(index.glob(exclude, out_of_scope=True)) if exclude else set()  # SEC002 reads out-of-scope files too
    return sorted(
        f.path for f in index.files.values()
        if kinds.LOCKFILE not in f.kinds and f.path not in excluded and not _skipped_by_name(f.path)
    )  # fmt: skip


def _skipped_by_name(path: str) -> bool:
    name = posixpath.basename(path)
    lower = name.lower()
    if name in _HASH_FILE_NAMES or lower.endswith(_HASH_FILE_SUFFIXES):
        return True
    return posixpath.splitext(lower)[1] in _BINARY_SUFFIXES


def _text(index: ProjectIndex, path: str) -> str | None:
    """The file's text, or None for a binary file (not a problem) or an unreadable one (the index records why)."""
    try:
        return index.text_unless_binary(path)  # one read, shared with every other rule
    except InputError:
        return None


def _finding(path: str, detected: Detected, line_text: str) -> Finding:
    fingerprint = detected.fingerprint(line_text)
    message = f"{detected.kind} ({mask(detected.value)}); remove it from the repository and rotate it"
    return Finding(message=message, path=path, line=detected.line, locator=f"{path}:{detected.kind}:{fingerprint}")
