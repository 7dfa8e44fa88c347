"""pip-audit of requirements.lock, with PyPI's own vulnerability data served as an OSV service.

pip-audit normally asks PyPI's per-version JSON API (``/pypi/<name>/<version>/json``) or api.osv.dev.
Where neither answers (this workplace reaches only PyPI's package-level JSON, ``/pypi/<name>/json``),
this script runs a small OSV-compatible service on 127.0.0.1 and points ``pip-audit --osv-url`` at it.
The service answers from the ``vulnerabilities`` list of PyPI's package-level JSON, which is the list
for the package's *current release* only (the same advisory data pip-audit's PyPI service reads, from
the PyPA and GitHub advisory databases). So:

- a pin that is the current release is audited exactly as pip-audit would audit it;
- for any other pin the service refuses to answer (HTTP 409) and the pin is reported NOT AUDITED:
  an older release may have vulnerabilities fixed since, which that list no longer names. Such a pin
  passes only if ``scripts/audit-exceptions.txt`` names it (``name==version  reason``) after a review
  by hand; any other version of it is NOT AUDITED again.

Exit status: 0 nothing known; 1 vulnerabilities found or pins not audited; 2 PyPI could not be asked.
``--allow-unaudited`` (used by the test suite) reports unaudited pins without failing on them.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


class PyPIUnreachable(Exception):
    pass


class PackageIndex:
    """PyPI's package-level JSON, fetched once per package."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self._cache: dict[str, dict] = {}
        self._lock = threading.Lock()

    def project(self, name: str) -> dict:
        name = canonicalize_name(name)
        with self._lock:
            if name in self._cache:
                return self._cache[name]
        try:
            with urllib.request.urlopen(f"{self.base_url}/{name}/json", timeout=30) as response:  # nosec B310
                data = json.load(response)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise PyPIUnreachable(f"{name}: {exc}") from exc
        with self._lock:
            self._cache[name] = data
        return data

    def is_current(self, name: str, version: str) -> bool:
        return Version(self.project(name)["info"]["version"]) == Version(version)

    def osv_vulns(self, name: str) -> list[dict]:
        """The current release's vulnerabilities as OSV records (what pip-audit's OSV service reads)."""
        name = canonicalize_name(name)
        return [{
            "id": v["id"],
            "aliases": v.get("aliases") or [],
            "summary": v.get("summary"),
            "details": v.get("details"),
            "withdrawn": v.get("withdrawn"),
            "affected": [{
                "package": {"name": name, "ecosystem": "PyPI"},
                "ranges": [{"type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}] + [{"fixed": f} for f in v.get("fixed_in") or []]}],
            }],
        } for v in self.project(name).get("vulnerabilities") or []]


def osv_server(index: PackageIndex) -> ThreadingHTTPServer:
    """POST /v1/query {"package": {"name", "ecosystem"}, "version"} -> {"vulns": [...]} or 409."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            try:
                query = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                name, version = query["package"]["name"], query["version"]
                if not index.is_current(name, version):
                    return self._send(409, {"error": f"{name} {version} is not the current release"})
                vulns = index.osv_vulns(name)
            except PyPIUnreachable as exc:
                return self._send(502, {"error": str(exc)})
            except (KeyError, TypeError, ValueError) as exc:
                return self._send(400, {"error": str(exc)})
            self._send(200, {"vulns": vulns} if vulns else {})

        def _send(self, status: int, body: dict):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


def read_pins(path: Path) -> list[tuple[str, str]]:
    pins = []
    for line in path.read_text().splitlines():
        line = line.split("#")[0].split(";")[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins.append((name.strip(), version.strip()))
    return pins


def read_exceptions(path: Path) -> dict[tuple[str, str], str]:
    """``name==version  reason`` lines: pins reviewed by hand that this audit cannot check."""
    reviewed = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                pin, _, reason = line.strip().partition(" ")
                name, _, version = pin.partition("==")
                reviewed[(canonicalize_name(name), version)] = reason.strip()
    return reviewed


def audit(requirements: Path, pypi_url: str, exceptions: Path, allow_unaudited: bool = False) -> int:
    index = PackageIndex(pypi_url)
    pins = read_pins(requirements)
    try:
        with ThreadPoolExecutor(8) as pool:
            current = list(pool.map(lambda pin: index.is_current(*pin), pins))
    except PyPIUnreachable as exc:
        print(f"pip-audit NOT RUN: PyPI's JSON API could not be asked ({exc}).", file=sys.stderr)
        return 2
    audited = [pin for pin, ok in zip(pins, current) if ok]
    stale = [pin for pin, ok in zip(pins, current) if not ok]

    sys.stdout.flush()
    server = osv_server(index)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            req = Path(tmp, "audited.txt")
            req.write_text("".join(f"{n}=={v}\n" for n, v in audited))
            rc = subprocess.call([  # nosec B603: our own interpreter and arguments
                sys.executable, "-m", "pip_audit", "-r", str(req), "--no-deps", "--disable-pip",
                "-s", "osv", "--osv-url", f"http://127.0.0.1:{server.server_port}/v1/query",
                "--cache-dir", str(Path(tmp, "cache")), "--progress-spinner", "off", "--desc", "on"])
    finally:
        server.shutdown()
    print(f"pip-audit: {len(audited)} of {len(pins)} pins audited (the current release of each).")

    reviewed = read_exceptions(exceptions)
    unreviewed = 0
    for name, version in stale:
        reason = reviewed.get((canonicalize_name(name), version))
        latest = index.project(name)["info"]["version"]
        if reason:
            print(f"  not audited here: {name}=={version} (current {latest}); reviewed by hand: {reason}")
        else:
            unreviewed += 1
            print(f"  NOT AUDITED: {name}=={version} is not the current release ({latest}): upgrade it, or "
                  f"review it by hand and record it in {exceptions.name}.")
    if rc != 0:
        return 1
    return 1 if unreviewed and not allow_unaudited else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--requirements", type=Path, default=ROOT / "requirements.lock")
    parser.add_argument("--pypi-url", default="https://pypi.org/pypi")
    parser.add_argument("--exceptions", type=Path, default=ROOT / "scripts" / "audit-exceptions.txt")
    parser.add_argument("--allow-unaudited", action="store_true")
    args = parser.parse_args()
    return audit(args.requirements, args.pypi_url, args.exceptions.resolve(), args.allow_unaudited)


if __name__ == "__main__":
    sys.exit(main())
