"""Dockerfiles as data: stages, aliases, `ARG` defaults resolved, instructions with their line numbers.

Parsed once per run (grammar in `dockerfile_syntax`: here-documents, continuations, the escape directive)
and shared by every Dockerfile check through `dockerfiles(index)`. A file BuildKit would refuse (an
unterminated here-document) is an input problem at its line, not a Dockerfile with made-up instructions.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from checker.project import classify as kinds
from checker.project.dockerfile_syntax import DockerfileSyntaxError, Heredoc, instructions, split_words
from checker.project.index import InputError

if TYPE_CHECKING:
    from checker.project.index import ProjectIndex

# $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:+alt}, ${NAME+alt}
_VARIABLE = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-+])(?P<word>[^}]*))?\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")
_FLAG = re.compile(r"--(?P<name>[a-z][a-z0-9-]*)(?:=(?P<value>\S*))?")
Variables = Mapping[str, "str | None"]
# Programs that read a `RUN <<EOF <shell>` here-document as a script (checks.shellwords has the same list;
# the project layer does not import the checks layer).
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash"})


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, RUN, COPY, ...
    value: str  # the arguments, continuation lines joined (here-document bodies not included)
    line: int  # 1-based line of the keyword
    heredocs: tuple[Heredoc, ...] = ()  # `RUN <<EOF`, `COPY <<EOF /x`: the bodies, in order

    @cached_property
    def words(self) -> tuple[str, ...]:
        """The arguments split as a shell would (tokenised once: checks ask for flags and mounts repeatedly)."""
        return tuple(_split(self.value))

    @property
    def flags(self) -> dict[str, str]:
        """Leading `--name=value` options (`COPY --from=…`, `RUN --mount=…`); repeated names keep the last."""
        found: dict[str, str] = {}
        for token in self.words:
            match = _FLAG.fullmatch(token)
            if not match:
                break
            found[match["name"]] = match["value"] or ""
        return found

    @property
    def mounts(self) -> list[dict[str, str]]:
        """Every `RUN --mount=k=v,k=v` option as a mapping."""
        mounts = []
        for token in self.words:
            if not token.startswith("--"):
                break
            if token.startswith("--mount="):
                pairs = (part.partition("=") for part in token[len("--mount="):].split(","))
                mounts.append({key.strip(): value.strip() for key, _, value in pairs})
        return mounts

    @property
    def exec_form(self) -> list[str] | None:
        """The JSON-array (exec) form of RUN/CMD/ENTRYPOINT, or None for the shell form."""
        text = self.value.strip()
        if not text.startswith("["):
            return None
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):  # not JSON (or absurdly nested): Docker runs it in the shell form
            return None
        return [str(item) for item in parsed] if isinstance(parsed, list) else None

    @property
    def command_text(self) -> str:
        """The command as one shell string, without leading `--flag` options. For `RUN <<EOF` (or `RUN <<EOF
        bash`) the here-document is the script: its lines become the commands, separated by `;`."""
        argv = self.exec_form
        if argv is not None:
            return shlex.join(argv)
        words = self.value.split()
        while words and words[0].startswith("--"):
            words.pop(0)
        script = self._heredoc_script(words)
        return " ".join(words) if script is None else script

    def _heredoc_script(self, words: list[str]) -> str | None:
        if self.keyword != "RUN" or not self.heredocs:
            return None
        program = [w for w in _split(" ".join(words)) if not w.lstrip("0123456789").startswith("<<")]
        if program and posixpath.basename(program[0]) not in _SHELLS:
            return None  # `RUN python3 <<EOF`: the body is that program's input, not shell
        body = self.heredocs[0].body.replace("\\\n", " ")
        return " ; ".join(line.strip() for line in body.split("\n") if line.strip() and not line.lstrip().startswith("#"))


@dataclass(frozen=True)
class Stage:
    index: int
    base_raw: str  # as written after FROM (flags and alias removed)
    base: str | None  # ARG defaults resolved; None when a variable has no default
    alias: str | None
    line: int
    instructions: tuple[Instruction, ...]
    variables: dict[str, str | None] = field(default_factory=dict)  # ARG and ENV values of the stage
    parent: int | None = None  # index of the earlier stage this one builds on

    @property
    def label(self) -> str:
        return f"stage '{self.alias}'" if self.alias else f"stage {self.index}"

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None


@dataclass(frozen=True)
class ImageReference:
    raw: str
    resolved: str | None
    line: int
    where: str  # "FROM", "COPY --from", "RUN --mount"
    stage: Stage


@dataclass(frozen=True)
class Dockerfile:
    path: str
    stages: tuple[Stage, ...]
    global_args: dict[str, str | None]

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_named(self, name: str, before: int | None = None) -> Stage | None:
        """The stage a `--from=`/`FROM` name refers to: an alias (case-insensitive) or a stage number."""
        candidates = self.stages if before is None else self.stages[:before]
        if name.isdigit():
            number = int(name)
            return candidates[number] if number < len(candidates) else None
        lowered = name.lower()
        return next((s for s in candidates if s.alias and s.alias.lower() == lowered), None)

    def effective(self, stage: Stage, keyword: str) -> tuple[Stage, Instruction] | None:
        """The last `keyword` instruction in force in `stage`, following `FROM <earlier stage>` links."""
        current: Stage | None = stage
        while current is not None:
            found = current.last(keyword)
            if found is not None:
                return current, found
            current = self.stages[current.parent] if current.parent is not None else None
        return None

    def image_references(self) -> Iterator[ImageReference]:
        """Every reference to an image: FROM, COPY --from and RUN --mount from; stages and scratch left out."""
        for stage in self.stages:
            if stage.parent is None:
                yield from self._image(stage.base_raw, stage.base, stage.line, "FROM", stage)
            for instruction in stage.instructions:
                for raw, where in _sources(instruction):
                    resolved = substitute(raw, stage.variables)
                    if resolved is None or self.stage_named(resolved, before=stage.index) is None:
                        yield from self._image(raw, resolved, instruction.line, where, stage)

    @staticmethod
    def _image(raw: str, resolved: str | None, line: int, where: str, stage: Stage) -> Iterator[ImageReference]:
        if (resolved or "").lower() != "scratch":
            yield ImageReference(raw, resolved, line, where, stage)


def _sources(instruction: Instruction) -> Iterator[tuple[str, str]]:
    if instruction.keyword == "COPY" and "from" in instruction.flags:
        yield instruction.flags["from"], "COPY --from"
    if instruction.keyword == "RUN":
        for mount in instruction.mounts:
            if mount.get("from"):
                yield mount["from"], "RUN --mount"


class DockerfileModel:
    def __init__(self, files: list[Dockerfile]) -> None:
        self.files = files

    @classmethod
    def build(cls, index: ProjectIndex) -> DockerfileModel:
        parsed = []
        for source in index.of_kind(kinds.DOCKERFILE):
            try:
                parsed.append(parse(source.path, index.text(source.path)))
            except InputError:
                continue  # the index records why the file could not be read
            except DockerfileSyntaxError as exc:
                index.record_problem(source.path, f"invalid Dockerfile: {exc.message}", exc.line)
        return cls(parsed)


def dockerfiles(index: ProjectIndex) -> DockerfileModel:
    """The project's Dockerfiles, parsed once per run."""
    model: DockerfileModel = index.derived("dockerfiles", DockerfileModel.build)
    return model


def parse(path: str, text: str) -> Dockerfile:
    """The Dockerfile at `path` with text `text`; raises DockerfileSyntaxError where BuildKit would refuse it."""
    found = [Instruction(raw.keyword, raw.value, raw.line, raw.heredocs) for raw in instructions(text)]
    return _build(path, found)


def _build(path: str, instructions: list[Instruction]) -> Dockerfile:
    global_args: dict[str, str | None] = {}
    groups: list[tuple[Instruction, list[Instruction]]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            groups.append((instruction, []))
        elif groups:
            groups[-1][1].append(instruction)
        elif instruction.keyword == "ARG":
            global_args.update(_declarations(instruction.value, global_args))
    stages: list[Stage] = []
    for number, (from_, body) in enumerate(groups):
        stages.append(_stage(number, from_, body, global_args, stages))
    return Dockerfile(path=path, stages=tuple(stages), global_args=global_args)


def _stage(
    number: int, from_: Instruction, body: list[Instruction], global_args: Variables, earlier: list[Stage]
) -> Stage:
    tokens = [t for t in _split(from_.value) if not t.startswith("--")]
    base_raw = tokens[0] if tokens else ""
    alias = tokens[2] if len(tokens) >= 3 and tokens[1].lower() == "as" else None
    base = substitute(base_raw, global_args)
    parent = next((s for s in earlier if base and s.alias and s.alias.lower() == base.lower()), None)
    variables: dict[str, str | None] = dict(parent.variables) if parent else {}
    for instruction in body:
        if instruction.keyword == "ARG":
            # An ARG without a default inside a stage re-declares the global one and takes its default.
            declared = _declarations(instruction.value, {**global_args, **variables})
            variables.update({k: v if v is not None else global_args.get(k) for k, v in declared.items()})
        elif instruction.keyword == "ENV":
            variables.update(_env_pairs(instruction.value, variables))
    return Stage(
        index=number, base_raw=base_raw, base=base, alias=alias, line=from_.line, instructions=tuple(body),
        variables=variables, parent=parent.index if parent else None,
    )  # fmt: skip


def _declarations(value: str, scope: Variables) -> dict[str, str | None]:
    """`ARG A=1 B` -> {A: "1", B: None}; defaults may refer to earlier variables."""
    found: dict[str, str | None] = {}
    for token in _split(value):
        name, sep, default = token.partition("=")
        found[name] = substitute(default, {**scope, **found}) if sep else None
    return found


def _env_pairs(value: str, scope: Variables) -> dict[str, str | None]:
    tokens = _split(value)
    if tokens and "=" not in tokens[0]:  # legacy `ENV NAME value with spaces`
        rest = value.strip()[len(tokens[0]):].strip()
        return {tokens[0]: substitute(rest, scope)}
    return {k: substitute(v, scope) for k, _, v in (t.partition("=") for t in tokens)}


def substitute(text: str, variables: Variables) -> str | None:
    """`text` with Dockerfile variables replaced; None when one has no value and no default."""
    unresolved = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unresolved
        name = match["braced"] or match["bare"]
        value = variables.get(name)
        op = match["op"] or ""
        if op.endswith("-"):
            return value if value else match["word"]
        if op.endswith("+"):
            return match["word"] if value else ""
        if value is None:
            unresolved = True
            return ""
        return value

    result = _VARIABLE.sub(replace, text)
    return None if unresolved else result


def _split(value: str) -> list[str]:
    return split_words(value)
