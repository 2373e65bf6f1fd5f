"""Fuzz target: OpenAPI `$ref` resolution (checker/project/openapi.py, openapi_validity.py) through the index.

The input is written as `api/openapi.yaml` beside a second file it can reference (`api/common.yaml`); the
OpenAPI model is built through a ProjectIndex and every spec is validated. Any input must give specs and
problems (each with a path inside the project), never an exception, a read outside the folder or a fetch."""

from __future__ import annotations

import tempfile
from pathlib import Path

from checker.config import ProjectConfig
from checker.project.index import ProjectIndex
from checker.project.openapi import model_of
from checker.project.openapi_validity import validate

_ROOT = Path(tempfile.mkdtemp(prefix="readiness-fuzz-refs-"))
(_ROOT / "api").mkdir()
(_ROOT / "api" / "common.yaml").write_text(
    "Error:\n  type: object\n  required: [message]\n  properties:\n    message: {type: string}\n"
    "    next: {$ref: '#/Error'}\n    back: {$ref: 'openapi.yaml#/components/schemas/Input'}\n"
    "Loop: {$ref: '#/Loop'}\n",
    encoding="utf-8",
)
_FILES = ("api/common.yaml", "api/openapi.yaml")
_CONFIG = ProjectConfig()

_BASE = b"""openapi: 3.0.3
info: {title: scorer, version: 1.2.0}
paths:
  /v1/predict:
    post:
      operationId: predict
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Input'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {score: {type: number}}}
        default:
          description: error
          content:
            application/json:
              schema: {$ref: 'common.yaml#/Error'}
components:
  schemas:
    Input:
      type: object
      required: [amount]
      properties:
        amount: {type: number}
        country: {$ref: '#/components/schemas/Country'}
    Country: {type: string, enum: [FR, DE]}
"""

SEEDS: list[bytes] = [
    _BASE,
    _BASE.replace(b"'#/components/schemas/Country'", b"'#/components/schemas/Input'"),
    _BASE.replace(b"'common.yaml#/Error'", b"'common.yaml#/Loop'"),
    _BASE.replace(b"'common.yaml#/Error'", b"'http://127.0.0.1:9/error.yaml#/Error'"),
    _BASE.replace(b"'common.yaml#/Error'", b"'file:///etc/passwd'"),
    _BASE.replace(b"'common.yaml#/Error'", b"'../../../etc/passwd#/x'"),
    _BASE.replace(b"'common.yaml#/Error'", b"'/etc/hostname'"),
    _BASE.replace(b"'#/components/schemas/Country'", b"'#/components/schemas/Nope'"),
    _BASE.replace(b"'#/components/schemas/Country'", b"'#/paths/~1v1~1predict/post/requestBody'"),
    _BASE + b"    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n",
    b'{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": '
    b'{"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "common.yaml#/Error"}}}}}}}}}',
    b"swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
    b"        '200': {description: ok, schema: {$ref: '#/definitions/X'}}\ndefinitions:\n  X: {$ref: '#/definitions/X'}\n",
]


def check(data: bytes) -> None:
    (_ROOT / "api" / "openapi.yaml").write_bytes(data)
    index = ProjectIndex(_ROOT, _FILES)  # the files are known: no discovery (a git subprocess) per input
    model = model_of(index, _CONFIG)
    problems = list(model.problems)
    for spec in model.specs:
        spec.operations()
        problems += validate(spec)
    for problem in problems:
        if problem.path not in _FILES:
            raise AssertionError(f"a problem outside the project's files: {problem!r}")
