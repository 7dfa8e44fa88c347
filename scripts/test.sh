#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: on SQLite, then on PostgreSQL.
# TEST_DATABASE_URL, when set, is used for the PostgreSQL run; otherwise a local server is made ready.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

run_pytest() {  # pytest's exit 5 (no tests collected) is a failure here too
  local rc=0
  .venv/bin/python -m pytest -q "$@" || rc=$?
  if [ "$rc" -eq 5 ]; then echo "pytest collected no tests: failing" >&2; return 1; fi
  return "$rc"
}

ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  # TCP as postgres (trust on these machines); fall back to the local superuser over the socket.
  if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1" >/dev/null 2>&1; then
    su postgres -c "psql -tAc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
    export PGPASSWORD=postgres
  fi
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='medexam_test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE medexam_test"
}

ensure_redis() {
  redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && return 0
  command -v redis-server >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
}

ensure_redis || echo "warning: Redis is not available; tests that need it are skipped" >&2

PG_URL=${TEST_DATABASE_URL:-}
unset TEST_DATABASE_URL
echo "==> tests on SQLite"
run_pytest "$@"

echo "==> tests on PostgreSQL"
if [ -n "$PG_URL" ]; then
  export TEST_DATABASE_URL="$PG_URL"
else
  ensure_postgres
  export TEST_DATABASE_URL="postgresql+psycopg://postgres${PGPASSWORD:+:$PGPASSWORD}@127.0.0.1:5432/medexam_test"
fi
run_pytest "$@"
