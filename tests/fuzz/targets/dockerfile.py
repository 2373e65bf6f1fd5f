"""Fuzz target: Dockerfile parsing (checker/project/dockerfile.py and its grammar, dockerfile_syntax.py).

Any text gives a `Dockerfile` whose derived views (stages, image references, flags, mounts, commands) work,
or `DockerfileSyntaxError` with a line ≥ 1. Bytes that the index would not hand over as text (not UTF-8, a
NUL in the first block) are not inputs of the parser."""

from __future__ import annotations

from checker.project.dockerfile import parse
from checker.project.dockerfile_syntax import DockerfileSyntaxError
from checker.project.index import SNIFF_BYTES

SEEDS: list[bytes] = [
    b"FROM python:3.12-slim\nRUN pip install -r requirements.txt\nUSER app\nCMD [\"gunicorn\", \"app:app\"]\n",
    b"ARG BASE=python:3.12\nFROM ${BASE} AS build\nRUN --mount=type=cache,target=/root/.cache pip wheel .\n"
    b"FROM gcr.io/distroless/python3@sha256:" + b"a" * 64 + b"\nCOPY --from=build /w /w\nUSER 65532\n",
    b"# syntax=docker/dockerfile:1.7\nFROM debian:12\nRUN <<EOF\nset -e\napt-get update\nEOF\n"
    b"COPY <<EOF /etc/app.conf\nkey=value\nEOF\n",
    b"FROM alpine:3.20\nRUN <<-EOT sh\n\techo hi\n\tEOT\nRUN cat <<A <<\"B\" > /f\na\nA\nb\nB\n",
    b"FROM python:3.12\r\nRUN apt-get update && \\\r\n  # comment\r\n\r\n  apt-get install -y curl\r\nUSER root\r\n",
    b"# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  C:\\ `\n  /s\n",
    b"FROM ubuntu\nRUN curl -fsSL https://get.example.com | sh\nADD https://example.com/x.tgz /x\nRUN echo \\",
    b"FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\nHEALTHCHECK --interval=30s CMD [\"/app\", \"health\"]\n",
    b"FROM node:20 AS base\nFROM base AS deps\nENV A=1 B=\"two words\"\nENV LEGACY value with spaces\n"
    b"ARG TAG\nFROM base\nONBUILD RUN <<EOF\necho x\nEOF\n",
    b"FROM python:3.12\nWORKDIR /app\nEXPOSE 8000\nCMD uvicorn app:app --reload --host 0.0.0.0\n",
    b"FROM ${REGISTRY:-docker.io}/library/python:${PY:+3.12}\nRUN wget -O /tmp/i.sh https://x/i.sh && sh /tmp/i.sh\n",
    b"\xef\xbb\xbfFROM busybox\nLABEL a=b \\\n      c=d\nSTOPSIGNAL SIGTERM\nUSER nobody:nogroup\n",
]


def check(data: bytes) -> None:
    if b"\0" in data[:SNIFF_BYTES]:
        return  # the index treats it as a binary file
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return  # the index records "not UTF-8 text"
    try:
        dockerfile = parse("Dockerfile", text)
    except DockerfileSyntaxError as exc:
        if exc.line < 1:
            raise AssertionError(f"a syntax error without a line: {exc.message!r}") from exc
        return
    _use(dockerfile)


def _use(dockerfile: object) -> None:
    """Touch every derived view the checks use, so their failures are findings too."""
    from checker.project.dockerfile import Dockerfile

    assert isinstance(dockerfile, Dockerfile)
    for reference in dockerfile.image_references():
        assert reference.line >= 1
    for stage in dockerfile.stages:
        assert stage.line >= 1
        dockerfile.effective(stage, "USER")
        for instruction in stage.instructions:
            assert instruction.line >= 1
            instruction.flags, instruction.mounts, instruction.exec_form, instruction.command_text  # noqa: B018
