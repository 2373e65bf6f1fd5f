"""git, called as a boundary: the only module that knows git's flags and environment (SPEC §9).

The checked tree is hostile input, its `.git` included, so git runs:
- only on the `.git` *directory* of the target's work tree, found by one walk up from the target (the nearest
  `.git`) and passed explicitly (`--git-dir`, `--work-tree`): never `GIT_DIR` from the environment, never a
  `.git` that is a symlink or a `gitdir:` file (a linked worktree or submodule: its repository lives
  elsewhere), never a folder laid out as a bare repository, which git's own discovery would pick up;
- with a fixed environment (system and global config, `HOME` and every inherited `GIT_*` variable dropped) and
  `-c` switches, which win over anything the repository's config or its `include.path`s set, turning off
  every program git could run for the commands used here: fsmonitor, hooks, pager, external diff, askpass,
  credential helpers, signature programs;
- with no transport at all: `GIT_ALLOW_PROTOCOL` is empty. It beats any `protocol.<name>.allow` in the
  repository's config (a `-c protocol.allow=never` alone does not), and it is what stops the lazy fetch of a
  partial clone — through `ext::`, `core.sshCommand` or `remote.*.uploadpack` — on git 2.39, which has no
  `GIT_NO_LAZY_FETCH` (set too, for git >= 2.44);
- as an absolute path found on the absolute entries of PATH (a `.` on PATH would run a `git` of the tree),
  with arguments as a list, a fixed timeout, output capped, stdin closed.

Blobs are read with `cat-file blob`, which never applies textconv or filters (`show` would for a `--textconv`).
Kept free of heavy imports: the pre-commit fast path (checker.replay) lists files before anything else loads.
"""

from __future__ import annotations

import os
import posixpath
import selectors
import signal
import stat
import subprocess
import time
from pathlib import Path
from typing import NamedTuple

TIMEOUT_S = 30.0  # one git command; a FIFO named `.gitignore` in a tree blocks `ls-files` until then
LIST_CAP = 128 * 1024 * 1024  # `ls-files` output: over a million paths
SMALL_CAP = 1024 * 1024  # `rev-parse`, `ls-tree` of one path
STDERR_CAP = 8192

# Command-line config wins over the system, global, repository and included config files.
CONFIG = (
    "core.fsmonitor=false",  # a command run on every index read (`ls-files` included)
    "core.hooksPath=/dev/null",  # no hook can be found there
    "core.pager=cat",
    "core.askPass=",
    "core.sshCommand=false",  # were ssh allowed, it would run `false`
    "core.attributesFile=/dev/null",
    "core.excludesFile=/dev/null",  # the user's and the repository's extra ignore file: a FIFO would block
    "core.untrackedCache=false",  # no index extension to write
    "core.alternateRefsCommand=",
    "credential.helper=",  # an empty value clears the list of helpers
    "diff.external=",
    "log.showSignature=false",  # no gpg.program
    "protocol.allow=never",  # belt; GIT_ALLOW_PROTOCOL is the switch a repository cannot override
    "safe.bareRepository=explicit",  # no bare repository discovered implicitly, should discovery ever happen
)
GLOBAL_OPTIONS = ("--no-pager", "--no-optional-locks", "--no-replace-objects", "--literal-pathspecs")


class GitError(Exception):
    """git refused (not the target's own repository), missing, timed out or failed; `message` says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAtRevision(GitError):
    """The path is not in the revision's tree."""


class TooLarge(GitError):
    """The output exceeded its cap; git was stopped."""


class Repo(NamedTuple):
    root: str  # the work tree: the folder holding the `.git` directory
    prefix: str  # the target relative to `root`, posix; "" when the target is the root


class Completed(NamedTuple):
    returncode: int
    stdout: bytes
    stderr: str  # the first STDERR_CAP bytes


# --- which repository ------------------------------------------------------------------------------


def locate(target: Path) -> Repo:
    """The work tree holding `target` and owning a real `.git` directory; raises GitError saying why not.

    The nearest `.git` up from the target decides, as for git itself: a monorepo checked from `services/x`
    uses the checkout's `.git`; a `.git` that is not a plain directory stops the walk (git would follow it).
    The walk stays on the target's file system, like git's default."""
    start = os.path.realpath(target)
    try:
        device, owner = _dev_and_owner(start)
    except OSError as exc:
        raise GitError(f"cannot read {start}: {exc.strerror or exc}") from None
    folder = start
    while True:
        gitdir = os.path.join(folder, ".git")
        try:
            st = os.lstat(gitdir)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise GitError(f"cannot read {gitdir}: {exc.strerror or exc}") from None
        if st is not None:
            _check_gitdir(gitdir, st, owner)
            prefix = "" if folder == start else Path(start).relative_to(folder).as_posix()
            return Repo(folder, prefix)
        folder = _parent_on(folder, device)


def _parent_on(folder: str, device: int) -> str:
    """The parent folder, when the walk may go on there."""
    parent = os.path.dirname(folder)
    try:
        same_device = parent != folder and os.stat(parent).st_dev == device
    except OSError:
        same_device = False
    if not same_device:
        raise GitError("not inside a git work tree")
    return parent


def _dev_and_owner(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_uid


def _check_gitdir(gitdir: str, st: os.stat_result, target_owner: int) -> None:
    """Refuse a `.git` that is not a plain directory of this work tree's own repository."""
    if stat.S_ISLNK(st.st_mode):
        raise GitError(f"{gitdir} is a symlink: a repository elsewhere is never used")
    if not stat.S_ISDIR(st.st_mode):
        raise GitError(f"{gitdir} is not a folder (a `gitdir:` file of a linked worktree or submodule points "
                       "elsewhere): that repository is never used")  # fmt: skip
    # git's own ownership check (safe.directory) is skipped for an explicit --git-dir: ours instead. The
    # target's owner counts as well as ours: CI often runs as root on a checkout owned by the runner user.
    if st.st_uid not in (os.geteuid(), target_owner):
        raise GitError(f"{gitdir} belongs to uid {st.st_uid}, neither to the user running the checker nor to "
                       "the target's owner: not used (like git's safe.directory check)")  # fmt: skip
    if os.path.lexists(os.path.join(gitdir, "commondir")):
        raise GitError(f"{gitdir} has a commondir file: its repository lives elsewhere, never used")
    for folder in (gitdir, os.path.join(gitdir, "info")):
        _only_plain_entries(folder)


def _only_plain_entries(folder: str) -> None:
    """git opens HEAD, config, index, info/exclude, … with a blocking open: a FIFO would hang it, a device or
    symlink read something else. A socket (an fsmonitor daemon's) cannot be opened: harmless."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise GitError(f"cannot read {folder}: {exc.strerror or exc}") from None
    for entry in entries:
        mode = entry.stat(follow_symlinks=False).st_mode
        if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode) or stat.S_ISSOCK(mode)):
            raise GitError(f"{entry.path} is not a regular file (a symlink, FIFO or device): the repository is not used")


# --- the commands ----------------------------------------------------------------------------------


def git_files(target: Path) -> list[str] | None:
    """Tracked plus untracked-not-ignored files under `target`, relative to it (posix); None when git is
    refused, missing or fails (the caller walks the tree instead)."""
    try:
        repo = locate(target)
        result = run(repo, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], LIST_CAP,
                     cwd=os.path.join(repo.root, repo.prefix))  # fmt: skip  # output relative to the target
    except GitError:
        return None
    if result.returncode != 0:
        return None
    return [p for p in result.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def staged_files(target: Path) -> list[str] | None:
    """Every path the index changes against HEAD — added, modified *and deleted* (pre-commit passes no deleted
    files to hooks) — relative to `target` (posix); None when git is refused, missing or fails."""
    try:
        repo = locate(target)
        result = run(repo, ["diff", "--cached", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--relative"],
                     LIST_CAP, cwd=os.path.join(repo.root, repo.prefix))  # fmt: skip
    except GitError:
        return None
    if result.returncode != 0:
        return None
    return [p for p in result.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def resolve_commit(repo: Repo, revision: str) -> str | None:
    """The commit id a revision names, or None when it does not resolve here (a shallow clone, a typo)."""
    if not revision or revision.startswith("-") or "\0" in revision:
        return None
    result = run(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], SMALL_CAP)
    commit = result.stdout.decode("ascii", "replace").strip()
    if result.returncode != 0 or not commit or any(c not in "0123456789abcdef" for c in commit):
        return None
    return commit


def read_blob(repo: Repo, commit: str, path: str, max_bytes: int) -> bytes:
    """The content of the file at `path` (relative to the target) in `commit`, at most `max_bytes`.

    Raises NotAtRevision, TooLarge, or GitError (a symlink or folder there, a blob missing from a partial
    clone: it is never fetched)."""
    top = _top_path(repo, path)
    mode, kind, oid = _tree_entry(repo, commit, top)
    if kind != "blob":
        raise GitError(f"a {'submodule' if kind == 'commit' else 'folder'} at that revision, not a file")
    if mode == "120000":
        raise GitError("a symlink at that revision: not followed")
    result = run(repo, ["cat-file", "blob", oid], max_bytes)
    if result.returncode != 0:
        raise GitError("its content is not in this clone (a partial clone?) and the checker fetches nothing; "
                       "fetch the history first")  # fmt: skip
    return result.stdout


def _top_path(repo: Repo, path: str) -> str:
    top = posixpath.normpath(posixpath.join(repo.prefix, path))
    if "\0" in path or top in (".", "..") or top.startswith(("../", "/")):
        raise NotAtRevision(f"{path}: not a path inside the repository")
    return top


def _tree_entry(repo: Repo, commit: str, top: str) -> tuple[str, str, str]:
    """(mode, type, object id) of one path in a commit's tree; reads trees only, never the blob."""
    result = run(repo, ["ls-tree", "-z", "--full-tree", commit, "--", top], SMALL_CAP)
    if result.returncode != 0:
        raise GitError(f"git cannot list it ({_first_line(result.stderr)})")
    for record in result.stdout.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, name = record.partition("\t")
        fields = meta.split(" ")
        if name == top and len(fields) == 3:
            return fields[0], fields[1], fields[2]
    raise NotAtRevision(f"{top} is not in that revision")


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "no message"
    return line[:200]


# --- running git -----------------------------------------------------------------------------------


def run(repo: Repo, args: list[str], cap: int, cwd: str | None = None) -> Completed:
    """One git command on `repo`; raises TooLarge past `cap` bytes of output, GitError when git cannot run
    or overruns TIMEOUT_S. The process group is killed either way, so no child git is left behind."""
    search = _search_path()
    command = [_git_binary(search), *GLOBAL_OPTIONS, *_config_args(),
               f"--git-dir={os.path.join(repo.root, '.git')}", f"--work-tree={repo.root}", *args]  # fmt: skip
    try:
        proc = subprocess.Popen(command, cwd=cwd or repo.root, env=environment(repo.root, search),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)  # fmt: skip
    except (OSError, ValueError) as exc:
        raise GitError(f"cannot run git: {exc}") from None
    deadline = time.monotonic() + TIMEOUT_S
    try:
        stdout, stderr = _collect(proc, cap, deadline)
        returncode = proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise GitError(f"git did not finish within {TIMEOUT_S:g} s") from None
    finally:
        _stop(proc)
    return Completed(returncode, stdout, stderr.decode("utf-8", "replace"))


def _collect(proc: subprocess.Popen[bytes], cap: int, deadline: float) -> tuple[bytes, bytes]:
    """Read stdout (at most `cap` bytes) and the head of stderr until both close or time runs out."""
    assert proc.stdout is not None and proc.stderr is not None
    out, err = bytearray(), bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ, out)
        selector.register(proc.stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GitError(f"git did not finish within {TIMEOUT_S:g} s")
            for key, _ in selector.select(remaining):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                elif key.data is out:
                    out += chunk
                    if len(out) > cap:
                        raise TooLarge(f"git's output is larger than {cap} bytes")
                elif len(err) < STDERR_CAP:
                    err += chunk[: STDERR_CAP - len(err)]
    return bytes(out), bytes(err)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: git and any child it started
        except OSError:
            pass
        proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def _config_args() -> list[str]:
    return [arg for setting in CONFIG for arg in ("-c", setting)]


def environment(root: str, search: str) -> dict[str, str]:
    """The whole environment git sees: nothing inherited but the absolute entries of PATH."""
    return {
        "PATH": search,
        "LC_ALL": "C",
        "HOME": "/nonexistent",  # no ~/.gitconfig, ~/.config/git/{config,ignore,attributes}
        "XDG_CONFIG_HOME": "/nonexistent",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_SYSTEM": "/dev/null",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": os.path.dirname(root),  # moot with --git-dir: a guard should discovery happen
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "",  # set, so core.askPass is not consulted; empty, so nothing runs
        "SSH_ASKPASS": "",
        "GIT_PAGER": "cat",
        "PAGER": "cat",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_ALLOW_PROTOCOL": "",  # an empty allow-list: no protocol, whatever the config says
        "GIT_PROTOCOL_FROM_USER": "0",
        "GIT_NO_LAZY_FETCH": "1",  # git >= 2.44; older versions ignore it
        "GIT_LITERAL_PATHSPECS": "1",
    }


def _search_path() -> str:
    entries = os.environ.get("PATH", os.defpath).split(os.pathsep)
    return os.pathsep.join(e for e in entries if os.path.isabs(e))


def _git_binary(search: str) -> str:
    for folder in search.split(os.pathsep):
        candidate = os.path.join(folder, "git")
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise GitError("git is not installed (not found on PATH)")
