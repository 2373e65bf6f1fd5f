#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian-based machine: Chromium (browser test of the HTML
# report), a Java runtime (Spark tests), then the locked Python dependencies (requirements/test.lock,
# hash-checked) and the checker itself, so a new release of any dependency cannot change a CI run.
# Refresh the lock on purpose: scripts/lock-refresh.sh; try the newest releases: scripts/try-newest.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python3 -m pip install -q --disable-pip-version-check --require-hashes -r requirements/test.lock
# The build backend came from the lock: build without fetching an unchecked one.
python3 -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
