#!/usr/bin/env bash
# Runs the sandbox bank (development only): http://127.0.0.1:${SANDBOX_BANK_PORT:-5001}/gateway.do
#   bash scripts/sandbox-bank.sh               in the foreground
#   bash scripts/sandbox-bank.sh --background  in the background (pid in instance/sandbox-bank.pid,
#                                              log in instance/sandbox-bank.log); run-demo.sh does this
# It refuses to start with APP_ENV=production, and production refuses to point at it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${APP_ENV:-development}" = "production" ]; then
  echo "沙箱银行不能在生产配置下运行（the sandbox bank never runs in production)." >&2
  exit 1
fi
PORT=${SANDBOX_BANK_PORT:-5001}
mkdir -p instance
if [ "${1:-}" = "--background" ]; then
  nohup .venv/bin/python -m sandbox_bank --host 127.0.0.1 --port "$PORT" >instance/sandbox-bank.log 2>&1 &
  echo $! > instance/sandbox-bank.pid
  echo "    沙箱银行 (sandbox bank):     http://127.0.0.1:${PORT}/gateway.do  (log: instance/sandbox-bank.log)"
else
  exec .venv/bin/python -m sandbox_bank --host 127.0.0.1 --port "$PORT"
fi
