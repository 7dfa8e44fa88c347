"""Throwaway PostgreSQL servers for the fault tests: initdb (or pg_basebackup from a primary) in a temporary
folder, a free loopback port, run as the postgres user when the tests run as root.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.environment import IS_SQLITE
from tests.support.servers import free_port

PG_BIN = next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), None)


def needs_pg_programs(*programs: str) -> pytest.MarkDecorator:
    """Skip unless this is a PostgreSQL run of the suite (one run is enough: the servers are the test's own)
    and the server programs can be started here."""
    reason = None
    if IS_SQLITE:
        reason = "needs a PostgreSQL run of the suite (TEST_DATABASE_URL=postgresql+psycopg://...)"
    elif PG_BIN is None:
        reason = "needs PostgreSQL's server programs (/usr/lib/postgresql/*/bin)"
    elif missing := [p for p in programs if not os.access(f"{PG_BIN}/{p}", os.X_OK)]:
        reason = f"needs {', '.join(missing)} (not in {PG_BIN})"
    elif os.geteuid() == 0 and shutil.which("runuser") is None:
        reason = "needs runuser when run as root (PostgreSQL refuses to run as root)"
    return pytest.mark.skipif(reason is not None, reason=reason or "")


class Cluster:
    """A throwaway PostgreSQL cluster in ``folder/name``: a new one (initdb), or with ``standby_of`` a hot
    standby of a running primary (``pg_basebackup -R``: it streams and replays the primary's WAL)."""

    def __init__(self, folder: Path, name: str = "data", standby_of: Cluster | None = None):
        self.folder, self.port, self.data = folder, free_port(), folder / name
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(folder, "postgres")
        if standby_of is None:
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        else:
            self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(standby_of.port), "-U", "postgres",
                      "-D", str(self.data), "-R", "-X", "stream", "-c", "fast", "--no-sync")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/medexam"

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        subprocess.run([*self.as_owner, f"{PG_BIN}/{program}", *args], check=True, capture_output=True,
                       cwd=self.folder, timeout=timeout)

    def allow_replication(self) -> None:
        """Before the first start: WAL for a standby, and replication connections from 127.0.0.1 without
        a password (trust: a throwaway cluster only)."""
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\nwal_level = replica\nmax_wal_senders = 4\n")
        with open(self.data / "pg_hba.conf", "a") as hba:
            hba.write("\nhost replication postgres 127.0.0.1/32 trust\n")

    def createdb(self, name: str = "medexam") -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / f"{self.data.name}.log"), "-w",
                  "-t", "30", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "20", "stop")

    def stop_quietly(self) -> None:
        """Teardown: a fast stop, an immediate one if that fails; never raises (it may be stopped already)."""
        for mode in ("fast", "immediate"):
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "10", "stop", timeout=15)
                return
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                pass
