#!/bin/sh
# Security checks run by hand before a release (docs/security.md); not part of CI (pip-audit needs the network).
#   pip-audit: known vulnerabilities of every pinned dependency (requirements.lock), from PyPI's advisory data.
#   bandit:    high-severity findings in our code (also a test: tests/security/test_bandit.py).
# Exits non-zero on any finding, and also when the vulnerability service could not be asked: a check that
# did not run is never reported as a clean result.
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin
status=0

echo "== pip-audit -r requirements.lock"
out=$(mktemp)
"$PY/pip-audit" -r requirements.lock --progress-spinner off >"$out" 2>&1
rc=$?
cat "$out"
if grep -q "could not be audited" "$out"; then
    echo "pip-audit: the vulnerability service could not be reached or did not know $(grep -c 'could not be audited' "$out") packages: NOT audited." >&2
    status=1
elif [ $rc -ne 0 ]; then
    echo "pip-audit: vulnerabilities found, or the vulnerability service is unreachable (exit $rc)." >&2
    status=1
fi
rm -f "$out"

echo "== bandit -r core backoffice candidate_portal reports sandbox_bank -lll"
if ! "$PY/bandit" -r core backoffice candidate_portal reports sandbox_bank -lll -q; then
    echo "bandit: high-severity findings (fix them, or '# nosec BXXX: reason' where a finding is wrong)." >&2
    status=1
fi
exit $status
