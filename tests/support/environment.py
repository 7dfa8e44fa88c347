"""Where this test run's database and instance folder are: set before the application is imported.

The database is ``TEST_DATABASE_URL`` (PostgreSQL in CI) or a SQLite file under a temporary folder.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

TMP = Path(tempfile.mkdtemp(prefix="mlx-tests-"))
os.environ.setdefault("INSTANCE_DIR", str(TMP / "instance"))
os.environ.setdefault("TEST_DATABASE_URL", f"sqlite:///{TMP / 'test.db'}")
os.environ["APP_ENV"] = "test"

DB_URL = os.environ["TEST_DATABASE_URL"]
IS_SQLITE = DB_URL.startswith("sqlite")
