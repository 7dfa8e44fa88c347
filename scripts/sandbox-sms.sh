#!/usr/bin/env bash
# Runs the development message servers (development only):
#   the sandbox SMS gateway   http://127.0.0.1:${SANDBOX_SMS_PORT:-5002}/  (Alibaba Cloud SendSms protocol;
#                             what it accepted: /_sandbox/messages)
#   a local SMTP server       127.0.0.1:${DEV_SMTP_PORT:-1025} (aiosmtpd; every e-mail lands in instance/mail/, a Maildir)
#   bash scripts/sandbox-sms.sh               in the foreground (Ctrl+C stops both)
#   bash scripts/sandbox-sms.sh --background  in the background (pids in instance/sandbox-sms.pid and
#                                             instance/dev-smtp.pid); run-demo.sh does this
# It refuses to start with APP_ENV=production.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${APP_ENV:-development}" = "production" ]; then
  echo "沙箱短信网关不能在生产配置下运行（the sandbox SMS gateway never runs in production)." >&2
  exit 1
fi
SMS_PORT=${SANDBOX_SMS_PORT:-5002}
SMTP_PORT=${DEV_SMTP_PORT:-1025}
mkdir -p instance/mail/tmp instance/mail/new instance/mail/cur  # a Maildir
smtp=(.venv/bin/python -m aiosmtpd -n -l "127.0.0.1:${SMTP_PORT}" -c aiosmtpd.handlers.Mailbox instance/mail)
sms=(.venv/bin/python -m sandbox_sms --host 127.0.0.1 --port "$SMS_PORT")
if [ "${1:-}" = "--background" ]; then
  nohup "${smtp[@]}" >instance/dev-smtp.log 2>&1 &
  echo $! > instance/dev-smtp.pid
  nohup "${sms[@]}" >instance/sandbox-sms.log 2>&1 &
  echo $! > instance/sandbox-sms.pid
  echo "    沙箱短信网关 (sandbox SMS):  http://127.0.0.1:${SMS_PORT}/_sandbox/messages  (log: instance/sandbox-sms.log)"
  echo "    本地邮件服务器 (SMTP):       127.0.0.1:${SMTP_PORT}, mail in instance/mail/new/"
else
  "${smtp[@]}" &
  trap 'kill $!' EXIT
  "${sms[@]}"
fi
