"""bandit finds no high-severity issue in our code (the same command as scripts/security-check.sh)."""
import subprocess  # nosec B404: runs bandit from the project's own virtualenv
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BANDIT = Path(sys.executable).with_name("bandit")


@pytest.mark.skipif(not BANDIT.exists(), reason="bandit is not installed (pip install -e .[test])")
def test_no_high_severity_findings():
    result = subprocess.run(  # nosec B603: fixed arguments, no shell
        [str(BANDIT), "-r", "core", "web", "commands", "backoffice", "candidate_portal", "reports", "sandbox_bank",
         "sandbox_sms", "-lll", "-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
