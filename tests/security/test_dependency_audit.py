"""pip-audit of requirements.lock through scripts/audit_dependencies.py (PyPI's data as an OSV service).

The first tests put a fake PyPI on 127.0.0.1 and run the real pip-audit against it, so that a
vulnerability, a stale pin and an unreachable index are each shown to be caught. The last one audits
the real requirements.lock against PyPI.
"""
import json
import subprocess  # nosec B404: runs the project's own script
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "audit_dependencies.py"

VULN = {"id": "GHSA-test-0000-0001", "aliases": ["CVE-2099-0001"], "summary": "Test vulnerability",
        "details": "A flaw.", "fixed_in": ["9.9.9"], "withdrawn": None}


def project(version, vulns=()):
    return {"info": {"version": version}, "vulnerabilities": list(vulns)}


@pytest.fixture
def fake_pypi():
    projects = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            name = self.path.strip("/").split("/")[0]
            if name not in projects:
                self.send_response(404)
                self.end_headers()
                return
            body = json.dumps(projects[name]).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", projects
    server.shutdown()


def run_audit(tmp_path, url, pins, exceptions="", *extra):
    req = tmp_path / "requirements.lock"
    req.write_text("".join(f"{pin}\n" for pin in pins))
    exc = tmp_path / "audit-exceptions.txt"
    exc.write_text(exceptions)
    return subprocess.run(  # nosec B603: our own interpreter and script
        [sys.executable, str(SCRIPT), "-r", str(req), "--pypi-url", url, "--exceptions", str(exc), *extra],
        capture_output=True, text=True, timeout=300)


def test_a_vulnerable_current_release_fails_the_audit(tmp_path, fake_pypi):
    url, projects = fake_pypi
    projects["demo-lib"] = project("1.0.0", [VULN])
    projects["clean-lib"] = project("2.0.0")
    result = run_audit(tmp_path, url, ["demo-lib==1.0.0", "clean-lib==2.0.0"])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CVE-2099-0001" in result.stdout  # pip-audit names a vulnerability by its CVE alias
    assert "demo-lib" in result.stdout and "9.9.9" in result.stdout  # the fix version pip-audit proposes
    assert "clean-lib" not in result.stdout.split("pip-audit:")[0]


def test_clean_current_releases_pass(tmp_path, fake_pypi):
    url, projects = fake_pypi
    projects["clean-lib"] = project("2.0.0")
    projects["withdrawn-lib"] = project("3.0", [dict(VULN, withdrawn="2026-01-01T00:00:00Z")])
    result = run_audit(tmp_path, url, ["clean-lib==2.0.0", "withdrawn-lib==3.0"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No known vulnerabilities found" in result.stderr  # pip-audit says so on stderr
    assert "2 of 2 pins audited" in result.stdout


def test_an_older_pin_is_not_audited_unless_reviewed(tmp_path, fake_pypi):
    url, projects = fake_pypi
    projects["old-lib"] = project("2.0.0")  # the pin is 1.0.0: PyPI's list says nothing about it
    projects["clean-lib"] = project("2.0.0")
    pins = ["old-lib==1.0.0", "clean-lib==2.0.0"]

    result = run_audit(tmp_path, url, pins)
    assert result.returncode == 1
    assert "NOT AUDITED: old-lib==1.0.0 is not the current release (2.0.0)" in result.stdout

    reviewed = "old-lib==1.0.0  needs Python 3.12 for 2.x; advisories checked by hand\n"
    result = run_audit(tmp_path, url, pins, reviewed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "reviewed by hand: needs Python 3.12" in result.stdout

    # a review covers one exact version only
    result = run_audit(tmp_path, url, pins, "old-lib==0.9.0  reviewed long ago\n")
    assert result.returncode == 1

    result = run_audit(tmp_path, url, pins, "", "--allow-unaudited")
    assert result.returncode == 0 and "NOT AUDITED: old-lib==1.0.0" in result.stdout


def test_an_unreachable_index_is_never_a_clean_result(tmp_path, fake_pypi):
    url, projects = fake_pypi  # knows no project: every look-up is a 404
    result = run_audit(tmp_path, url, ["clean-lib==2.0.0"])
    assert result.returncode == 2
    assert "NOT RUN" in result.stderr


def _pypi_reachable() -> bool:
    import urllib.request
    try:
        urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=10).close()  # nosec B310
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _pypi_reachable(), reason="PyPI's JSON API is not reachable from here")
def test_requirements_lock_has_no_known_vulnerabilities():
    """Every pin that is its package's current release is audited; older pins are listed (warned)."""
    result = subprocess.run(  # nosec B603: our own interpreter and script
        [sys.executable, str(SCRIPT), "--allow-unaudited"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No known vulnerabilities found" in result.stderr  # pip-audit says so on stderr
    if "NOT AUDITED" in result.stdout:
        import warnings
        warnings.warn("pins not audited: " + "; ".join(
            line.strip() for line in result.stdout.splitlines() if "NOT AUDITED" in line))
