#!/usr/bin/env bash
# Re-resolves requirements/test.lock from pyproject.toml (dependencies, `test`, `data` and `spark` extras) and
# requirements/build.in, with hashes, for every platform and Python >= 3.11. Review the diff, run
# scripts/install-test-deps.sh and the suite, then commit the lock with the change that needed it.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v uv >/dev/null 2>&1 || python3 -m pip install -q uv
uv pip compile pyproject.toml requirements/build.in --extra test --extra data --extra spark \
  --generate-hashes --universal --python-version 3.11 -o requirements/test.lock "$@"
