#!/usr/bin/env bash
# Sets everything up and runs the platform on SQLite with demo data (catalogue, regions and sites,
# dictionaries, staff accounts, sample candidates). Safe to run again: setup and demo load are idempotent,
# and a server left running by an earlier run is stopped first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export APP_ENV=${APP_ENV:-development}
PORT=${PORT:-5000}
HOST=${HOST:-127.0.0.1}  # the demo has published passwords: this machine only (HOST=0.0.0.0 to show it on a network)
FLASK=".venv/bin/flask --app wsgi"

for pidfile in instance/gunicorn.pid instance/sandbox-bank.pid instance/sandbox-sms.pid instance/dev-smtp.pid \
    instance/periodic.pid; do
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "==> stopping the earlier server ($pidfile)"
    kill "$(cat "$pidfile")" && sleep 1
  fi
  rm -f "$pidfile"
done

echo "==> database"
$FLASK db upgrade
echo "==> demo data"
$FLASK demo load --port "$PORT"

if [ -f scripts/sandbox-bank.sh ]; then
  echo "==> sandbox bank (development only)"
  bash scripts/sandbox-bank.sh --background
fi
if [ -f scripts/sandbox-sms.sh ]; then
  echo "==> sandbox SMS gateway and local SMTP server (development only)"
  bash scripts/sandbox-sms.sh --background
fi

# Periodic jobs without Celery (production runs them on Celery beat, see core/celery.py):
# payment reconciliation every 5 minutes, expiry of unpaid registrations past the region's deadline,
# and hourly the frozen photo copies no registration references (submissions killed before their commit).
( n=0; while sleep 300; do
    $FLASK payments reconcile >>instance/periodic.log 2>&1
    $FLASK payments expire >>instance/periodic.log 2>&1
    $FLASK notify deliver >>instance/periodic.log 2>&1  # retries of e-mails and SMS
    n=$((n + 1))
    if [ $((n % 12)) -eq 0 ]; then $FLASK photos prune >>instance/periodic.log 2>&1; fi
    if [ $((n % 288)) -eq 0 ]; then $FLASK privacy retention >>instance/periodic.log 2>&1; fi
  done ) &
echo $! > instance/periodic.pid

cat <<EOT

==> 国家医学考试网上报名 is starting
    考生门户 (candidate portal):  http://127.0.0.1:${PORT}/
    考务管理 (back office):       http://127.0.0.1:${PORT}/admin/
    Demo logins are printed above by 'demo load'. Stop with Ctrl+C.

EOT
exec .venv/bin/gunicorn --bind "${HOST}:${PORT}" --workers 2 --threads 4 --timeout 60 \
  --pid instance/gunicorn.pid --access-logfile - "wsgi:app"
