#!/usr/bin/env bash
# Installs everything the platform needs on Debian, as root. Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="python3 python3-venv python3-dev build-essential libpango-1.0-0 libpangoft2-1.0-0
libharfbuzz-subset0 fonts-noto-cjk poppler-utils chromium postgresql-client pgbouncer"
missing=""
for pkg in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "==> apt-get install$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq $missing >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha
want=$(sha256sum requirements.lock | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> pip install -r requirements.lock"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements.lock
  echo "$want" > "$stamp"
fi
mkdir -p instance

# Test-only JavaScript tools (package.json): axe-core for the accessibility tests, html-validate for the markup
# tests (10.x: the last line that runs on Debian's Node 20). Needs Debian's nodejs/npm.
if command -v npm >/dev/null 2>&1; then
  if [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -x node_modules/.bin/html-validate ]; then
    echo "==> npm ci (axe-core, html-validate)"
    npm ci --no-audit --no-fund --silent
  fi
else
  echo "note: npm not found; the accessibility and markup tests will be skipped (apt-get install nodejs npm)"
fi
