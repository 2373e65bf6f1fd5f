"""Just enough shell to read a container command: simple commands, pipes, redirections and `sh -c` scripts.

Used by SEC008 (downloads run by a shell) and SCA005 (development servers). The text is only tokenised,
never run; a script that cannot be tokenised falls back to splitting at whitespace.
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash"})
_SEPARATORS = frozenset({"&&", "||", ";", "&", ";;", "(", ")"})
_REDIRECTS = frozenset({">", ">>", ">|", "&>"})
# Words that run the command that follows them.
_WRAPPERS = frozenset({"sudo", "env", "exec", "nohup", "time", "nice", "tini", "dumb-init", "--"})


@dataclass(frozen=True)
class SimpleCommand:
    argv: tuple[str, ...]  # wrappers (sudo, env, exec …) and leading VAR=value assignments removed
    piped: bool  # standard input comes from the previous command of a pipeline
    stdout_to: str | None = None  # target of a `>` redirection

    @property
    def program(self) -> str:
        return posixpath.basename(self.argv[0]) if self.argv else ""

    @property
    def args(self) -> tuple[str, ...]:
        return self.argv[1:]


def tokens(script: str) -> list[str]:
    lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:
        return script.split()


def commands(script: str, expand_shell_c: bool = True) -> list[SimpleCommand]:
    """The simple commands of `script`, in order; `sh -c '<script>'` contributes the commands of its script."""
    found: list[SimpleCommand] = []
    words: list[str] = []
    piped = False
    redirect: str | None = None
    pending_redirect = False
    for token in [*tokens(script), ";"]:
        if pending_redirect:
            redirect, pending_redirect = token, False
        elif token in _REDIRECTS:
            pending_redirect = True
        elif token in _SEPARATORS or token == "|":
            found += _finish(words, piped, redirect, expand_shell_c)
            words, piped, redirect = [], token == "|", None
        else:
            words.append(token)
    return found


def _finish(words: list[str], piped: bool, redirect: str | None, expand: bool) -> list[SimpleCommand]:
    argv = strip_wrappers(words)
    if not argv:
        return []
    command = SimpleCommand(tuple(argv), piped, redirect)
    script = shell_c_script(command)
    if expand and script is not None:
        return [command, *commands(script)]
    return [command]


def strip_wrappers(words: list[str]) -> list[str]:
    argv = list(words)
    while argv and (argv[0] in _WRAPPERS or _is_assignment(argv[0]) or (argv[0].startswith("-") and len(argv) < len(words))):
        argv.pop(0)
    return argv


def _is_assignment(word: str) -> bool:
    name, sep, _ = word.partition("=")
    return bool(sep) and name.isidentifier()


def shell_c_script(command: SimpleCommand) -> str | None:
    """The script of `sh -c '<script>'` (any shell), else None."""
    if command.program not in SHELLS:
        return None
    args = list(command.args)
    for i, arg in enumerate(args):
        if arg.startswith("-") and "c" in arg[1:] and i + 1 < len(args):
            return args[i + 1]
    return None
