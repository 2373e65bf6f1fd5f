"""Which files are Dockerfiles (SPEC §7): `Dockerfile`, `Containerfile`, `Dockerfile.*`, `Dockerfile_*`,
`*.Dockerfile`, `*.dockerfile` — for every Dockerfile rule and for pre-commit's choice of relevant files."""

from __future__ import annotations

import pytest

from checker.project.classify import DOCKERFILE, classify


@pytest.mark.parametrize(
    "path",
    ["Dockerfile", "Containerfile", "docker/Dockerfile.prod", "docker/Dockerfile_gpu", "DOCKERFILE_cuda12",
     "build/api.Dockerfile", "build/worker.dockerfile", "containerfile"],
)  # fmt: skip
def test_dockerfile_names(path: str) -> None:
    assert DOCKERFILE in classify(path)


@pytest.mark.parametrize(
    "path", ["Dockerfile-old", "MyDockerfile", "docs/Dockerfiles.txt", "hadolint/dockerfile-lint.yaml", "Dockerfiles"]
)
def test_names_that_are_not_dockerfiles(path: str) -> None:
    assert DOCKERFILE not in classify(path)
