#!/usr/bin/env bash
# Tries the newest releases of every dependency on purpose: a scratch virtualenv with `.[test,all]`
# resolved afresh (no lock), the versions that differ from requirements/test.lock, then the whole suite.
# Nothing here changes the lock; when the suite passes, scripts/lock-refresh.sh takes the new versions.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(mktemp -d)/venv"
trap 'rm -rf "$(dirname "$venv")"' EXIT
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade -e '.[test,all]'
echo "== releases newer than the lock (installed vs locked) =="
"$venv/bin/python" tests/locked.py --differences || true
echo "== the suite on the newest releases =="
READINESS_UNLOCKED=1 PATH="$venv/bin:$PATH" "$venv/bin/python" -m pytest -n auto --dist loadfile "$@"
