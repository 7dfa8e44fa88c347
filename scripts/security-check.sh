#!/bin/sh
# Security checks run before a release (docs/security.md). Both also run in the test suite
# (tests/security/test_dependency_audit.py, test_bandit.py); here pins that could not be audited fail too.
#   pip-audit: known vulnerabilities of every pinned dependency (requirements.lock), from PyPI's advisory data.
#   bandit:    high-severity findings in our code (also a test: tests/security/test_bandit.py).
# Exits non-zero on any finding, and also when the vulnerability service could not be asked: a check that
# did not run is never reported as a clean result.
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin
status=0

echo "== pip-audit of requirements.lock (scripts/audit_dependencies.py: PyPI's advisory data as an OSV service)"
if ! "$PY/python" scripts/audit_dependencies.py; then
    echo "pip-audit: vulnerabilities found, pins not audited, or PyPI could not be asked (see above)." >&2
    status=1
fi

echo "== bandit -r core web commands backoffice candidate_portal reports sandbox_bank sandbox_sms -lll"
if ! "$PY/bandit" -r core backoffice candidate_portal reports sandbox_bank sandbox_sms -lll -q; then
    echo "bandit: high-severity findings (fix them, or '# nosec BXXX: reason' where a finding is wrong)." >&2
    status=1
fi
exit $status
