"""Migration 0015 on data: the stored entry state goes, a reviewer's tick stays, and the way back restores it.

Run with ``flask db upgrade / downgrade`` on a scratch SQLite file, whatever database the suite uses (the
migration has no dialect-specific step; the suite's own database is migrated by conftest on either).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]


def flask_db(url: str, instance: Path, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_DIR": str(instance), "APP_ENV": "development"}
    env.pop("REPORTS_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_0015_keeps_the_tick_drops_a_stale_lock_and_goes_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    flask_db(url, tmp_path, "upgrade", "0014")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO educations (id, candidate_id, school_name, school_manual, level, study_mode, major,"
            " major_manual, major_unconfirmed, start_ym, state, verified_at, created_at, updated_at) VALUES"
            " (:id, 1, '北京大学', 0, '本科', '全日制', '临床医学', 0, 0, '2010-09', :state, NULL,"
            " '2026-01-02 03:04:05', '2026-01-02 03:04:05')"),
            [{"id": 1, "state": "verified"}, {"id": 2, "state": "locked"}, {"id": 3, "state": "editable"}])

    flask_db(url, tmp_path, "upgrade")
    with engine.connect() as conn:
        assert "state" not in {c["name"] for c in sa.inspect(conn).get_columns("educations")}
        rows = conn.execute(sa.text("SELECT id, verified_at FROM educations ORDER BY id")).all()
    # the tick keeps a time (the row's last change); the lock no registration justified is gone
    assert [(i, str(v)[:19] if v else None) for i, v in rows] == [(1, "2026-01-02 03:04:05"), (2, None), (3, None)]

    flask_db(url, tmp_path, "downgrade", "0014")
    with engine.connect() as conn:
        states = conn.execute(sa.text("SELECT id, state FROM educations ORDER BY id")).all()
    assert [tuple(r) for r in states] == [(1, "verified"), (2, "editable"), (3, "editable")]
    engine.dispose()
