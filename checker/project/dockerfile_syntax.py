"""The Dockerfile grammar as BuildKit reads it: instructions with their line numbers, nothing interpreted.

Covers what dockerfile-parse gets wrong and a checker must not: here-documents (`RUN <<EOF … EOF`,
`COPY <<EOF /x`), whose bodies are not instructions; comment and empty lines inside a continuation; a
continuation at the end of the file; CRLF line ends; and the `# escape=` parser directive. Lines are split at
"\\n" only (as BuildKit does), so line numbers match what an editor shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_HEREDOC_WORD = re.compile(r"^(\d*)<<(-?)([^<]*)$")
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
_KNOWN_DIRECTIVES = frozenset({"escape", "syntax", "check"})


class DockerfileSyntaxError(ValueError):
    """A Dockerfile that BuildKit would refuse to read; `line` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Heredoc:
    name: str  # the delimiter word, quotes removed
    body: str  # the lines between the instruction and the delimiter, each ending with "\n"
    line: int  # 1-based line of the first body line


@dataclass(frozen=True)
class RawInstruction:
    keyword: str  # upper case
    value: str  # the arguments, continuation lines joined, stripped
    line: int  # 1-based line of the keyword
    heredocs: tuple[Heredoc, ...] = ()


class _Lines:
    """The file's lines (line ends removed) with a cursor; `number` is the 1-based line last taken."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()  # the final "\n" ends the last line; it does not start another
        self.number = 0

    def take(self) -> str | None:
        if self.number >= len(self.lines):
            return None
        self.number += 1
        return self.lines[self.number - 1].rstrip("\r")


def instructions(text: str) -> list[RawInstruction]:
    """Every instruction of a Dockerfile, in order. Raises DockerfileSyntaxError (an unterminated here-document,
    an invalid or repeated escape directive)."""
    lines = _Lines(text)
    escape = _directives(lines)
    continuation = _continuation(escape)
    found: list[RawInstruction] = []
    while (raw := lines.take()) is not None:
        first = raw.lstrip()
        if not first or first.startswith("#"):
            continue
        start = lines.number
        logical = _logical_line(first, lines, continuation)
        if not logical.strip():
            continue
        keyword, value = _split_keyword(logical)
        heredocs = _heredocs(keyword, value, lines, start)
        found.append(RawInstruction(keyword, value, start, heredocs))
    return found


def _split_keyword(logical: str) -> tuple[str, str]:
    parts = logical.split(None, 1)
    return parts[0].upper(), parts[1].strip() if len(parts) > 1 else ""


def _directives(lines: _Lines) -> str:
    """Read the parser directives at the top of the file; returns the escape character. The cursor is left
    on the first line that is not a directive (re-read by the caller)."""
    escape, seen = "\\", set()
    while (raw := lines.take()) is not None:
        match = _DIRECTIVE.match(raw.strip())
        name = match.group(1).lower() if match else None
        if match is None or name not in _KNOWN_DIRECTIVES:
            break
        if name in seen:
            raise DockerfileSyntaxError(f"only one {name} parser directive can be used", lines.number)
        seen.add(name)
        if name == "escape":
            escape = match.group(2)
            if escape not in ("\\", "`"):
                raise DockerfileSyntaxError(f"invalid escape character {escape!r} (only \\ and ` are allowed)", lines.number)
    else:
        return escape
    lines.number -= 1
    return escape


def _continuation(escape: str) -> re.Pattern[str]:
    """The escape character as the last non-blank character of a line (not itself escaped by a preceding one)."""
    quoted = re.escape(escape)
    return re.compile(rf"(?:(?<=[^{quoted}])|^){quoted}[ \t]*$")


def _logical_line(first: str, lines: _Lines, continuation: re.Pattern[str]) -> str:
    """`first` joined with its continuation lines; comment and blank lines inside are skipped (as BuildKit
    does), and a continuation at the end of the file simply ends the instruction."""
    line, continued = _strip_continuation(first, continuation)
    while continued:
        raw = lines.take()
        if raw is None:
            break
        stripped = raw.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        part, continued = _strip_continuation(raw, continuation)
        line += part
    return line


def _strip_continuation(line: str, continuation: re.Pattern[str]) -> tuple[str, bool]:
    match = continuation.search(line)
    return (line[: match.start()], True) if match else (line, False)


def _heredocs(keyword: str, value: str, lines: _Lines, start: int) -> tuple[Heredoc, ...]:
    """The bodies of the here-documents the instruction opens, read from the following lines in order."""
    target = value
    if keyword == "ONBUILD":
        inner, _, target = value.partition(" ")
        keyword = inner.upper()
    if keyword not in _HEREDOC_KEYWORDS or _is_exec_form(target):
        return ()
    docs = []
    for name, chomp in _heredoc_names(target):
        body_line = lines.number + 1
        body: list[str] = []
        while True:
            raw = lines.take()
            if raw is None:
                raise DockerfileSyntaxError(f"unterminated here-document <<{name} (no line {name!r} ends it)", start)
            if (raw.lstrip("\t") if chomp else raw) == name:
                break
            body.append(raw + "\n")
        docs.append(Heredoc(name, "".join(body), body_line))
    return tuple(docs)


def _heredoc_names(value: str) -> list[tuple[str, bool]]:
    """(delimiter, strip leading tabs) of every `<<WORD`, `<<-WORD`, `<<"WORD"` word of the instruction."""
    found = []
    for word in _words(value):
        match = _HEREDOC_WORD.match(word)
        if match and match.group(3):
            name = _words(match.group(3))
            if len(name) == 1 and name[0]:
                found.append((name[0], match.group(2) == "-"))
    return found


# A shell word: unquoted runs, '…', "…" (with backslash escapes) and backslash escapes, side by side. shlex is
# avoided: it builds each token a character at a time, seconds for one long word of a hostile file.
_WORD = re.compile(r"""(?:[^\s'"\\]+|'[^']*'|"(?:[^"\\]|\\.)*"|\\.?)+""", re.DOTALL)
_PART = re.compile(r"""'([^']*)'|"((?:[^"\\]|\\.)*)"|\\(.?)|([^'"\\]+|['"])""", re.DOTALL)
_DQUOTE_ESCAPE = re.compile(r"""\\([$`"\\\n])""")


def split_words(text: str) -> list[str]:
    """`text` split into words as a POSIX shell would, quotes removed; an unbalanced quote is taken as a
    literal character (BuildKit's lexer is as forgiving). Linear time."""
    return [_PART.sub(_unquote, word) for word in _WORD.findall(text)]


def _unquote(part: re.Match[str]) -> str:
    single, double, escaped, plain = part.groups()
    if single is not None:
        return single
    if double is not None:
        return _DQUOTE_ESCAPE.sub(r"\1", double)
    return escaped if escaped is not None else plain


def _words(text: str) -> list[str]:
    return split_words(text)


def _is_exec_form(value: str) -> bool:
    return value.lstrip().startswith("[") and value.rstrip().endswith("]")
