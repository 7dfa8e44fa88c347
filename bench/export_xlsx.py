"""Benchmark: the registrations export (25 columns) against DataFrame.to_excel(engine="openpyxl").

    .venv/bin/python bench/export_xlsx.py --rows 100000            # ours and pandas, same rows
    .venv/bin/python bench/export_xlsx.py --rows 1000000 --only ours

Targets: 100,000 rows ≤ 30 s and ≤ 150 MB peak; 1,000,000 rows complete under 300 MB peak.
Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql+psycopg://postgres@127.0.0.1/medexam_bench_e):
the schema is migrated and exactly --rows submitted registrations are seeded with generate_series.
Each contender runs in its own subprocess and reports its peak RSS (VmHWM of /proc/self/status: the
high-water mark of that process image alone; ru_maxrss would also count the pages of the parent it
was forked from).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/medexam_bench_e"
NAMES = "'{张三,李四,王𠮷,欧阳娜娜,买买提·吐尔逊,赵敏,钱多多,孙小美}'"


def app_for(url: str):
    """The whole platform (portal + back office): used to migrate and seed."""
    from factory import create_app
    return create_app("development", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)


def lean_app(url: str):
    """Just the database, as an export process needs it: the measured peak is the export's own,
    not the web app's (Flask-AppBuilder, WeasyPrint and pandas loaded: about 245 MB before any work)."""
    from flask import Flask

    import core.models  # noqa: F401
    from core.db import db
    app = Flask("bench")
    app.config.update(SQLALCHEMY_DATABASE_URI=url)
    db.init_app(app)
    return app


def seed(url: str, rows: int) -> None:
    from sqlalchemy import text

    from core.db import db
    app = app_for(url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        have = db.session.scalar(text("SELECT count(*) FROM registrations WHERE number LIKE 'B%'"))
        if have == rows:
            return
        print(f"seeding {rows:,} registrations ...", flush=True)
        t = time.perf_counter()
        with db.engine.begin() as conn:
            x = conn.execute
            x(text("DELETE FROM registrations WHERE number LIKE 'B%'"))
            x(text("DELETE FROM candidates WHERE username LIKE 'bench%'"))
            x(text("DELETE FROM sites WHERE code LIKE 'B%'"))
            x(text("DELETE FROM regions WHERE code LIKE 'B%'"))
            x(text("DELETE FROM exam_subjects WHERE code LIKE 'B%'"))
            x(text("DELETE FROM exam_years WHERE name = '基准测试年度'"))
            x(text("DELETE FROM exam_families WHERE code = 'bench'"))
            fam = x(text("INSERT INTO exam_families (code, name) VALUES ('bench', '医师资格考试') RETURNING id")).scalar()
            year = x(text("INSERT INTO exam_years (family_id, year, name, window_opens_at, window_closes_at, cutoff_date)"
                          " VALUES (:f, 2099, '基准测试年度', '2099-01-21 16:00', '2099-02-04 16:00', '2099-08-31')"
                          " RETURNING id"), {"f": fam}).scalar()
            x(text("INSERT INTO exam_subjects (exam_year_id, code, name, category, level, route, written_units)"
                   " VALUES (:y, 'B110', '临床执业医师', '临床', '执业医师', '学历', 4),"
                   " (:y, 'B210', '临床执业助理医师', '临床', '执业助理医师', '学历', 2)"), {"y": year})
            x(text("INSERT INTO regions (code, name, online_payment_open) SELECT 'B' || lpad(g::text, 5, '0'),"
                   " '基准考区' || g, true FROM generate_series(1, 31) g"))
            x(text("INSERT INTO sites (region_id, code, name, capacity, taken) SELECT r.id,"
                   " 'B' || lpad((r.id * 100 + g)::text, 7, '0'), '基准考点' || r.id || '-' || g, 100000, 0"
                   " FROM regions r, generate_series(1, 11) g WHERE r.code LIKE 'B%'"))
            x(text(f"""INSERT INTO candidates (username, password_hash, must_change_password, failed_logins,
                   recovery_failures, name, sex, birth_date, doc_type, doc_number, nationality, ethnic_group,
                   military_identity, mobile, email, address, work_unit_name, work_unit_manual, department,
                   title, employment_status, created_at, updated_at)
                   SELECT 'bench' || g, 'x', false, 0, 0, ({NAMES}::text[])[1 + g % 8], CASE WHEN g % 2 = 0
                   THEN 'M' ELSE 'F' END, date '1975-01-01' + (g % 9000), 'id_card',
                   '110105' || lpad(g::text, 12, '0'), '中国', '汉族', CASE WHEN g % 50 = 0 THEN 'active'
                   ELSE 'civilian' END, '138' || lpad((g % 100000000)::text, 8, '0'), 'k' || g || '@example.cn',
                   '北京市东城区东直门内大街' || g || '号', '北京协和医院', false, '内科', '住院医师', '在岗',
                   now(), now() FROM generate_series(1, :n) g"""), {"n": rows})
            x(text("""INSERT INTO registrations (candidate_id, exam_year_id, subject_id, region_id, site_id,
                   status, payment_status, number, attempts, military_unit, submitted_at, reviewed_at,
                   created_at, updated_at)
                   SELECT c.id, :y, (SELECT min(id) FROM exam_subjects WHERE exam_year_id = :y) + c.id % 2,
                   s.region_id, s.id, CASE WHEN c.id % 7 = 0 THEN 'approved' ELSE 'submitted' END,
                   CASE WHEN c.id % 3 = 0 THEN 'paid' ELSE 'unpaid' END, 'B2099' || lpad(c.id::text, 10, '0'),
                   1 + c.id % 3, c.military_identity = 'active', timestamp '2099-01-21 16:00' + (c.id % 1209600)
                   * interval '1 second', CASE WHEN c.id % 7 = 0 THEN timestamp '2099-03-01' END, now(), now()
                   FROM candidates c JOIN sites s ON s.id = (SELECT min(id) FROM sites WHERE code LIKE 'B%')
                   + c.id % 341 WHERE c.username LIKE 'bench%'"""), {"y": year})
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        print(f"seeded in {time.perf_counter() - t:.0f} s", flush=True)


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_ours(url: str, out: Path) -> None:
    from core.db import db
    from reports.exports import RegistrationFilters, export
    from reports.scope import ReportScope
    with lean_app(url).app_context():
        year = db.session.execute(db.text("SELECT id FROM exam_years WHERE name = '基准测试年度'")).scalar()
        t, c = time.perf_counter(), time.process_time()
        n = export("registrations", out, ReportScope.everything(), RegistrationFilters(exam_year_id=year))
        print(f"RESULT rows={n} seconds={time.perf_counter() - t:.1f} cpu={time.process_time() - c:.1f} "
              f"peak_rss={peak_mb():.0f}MB")


def run_pandas(url: str, out: Path) -> None:
    import pandas as pd

    from core.db import db
    from reports.exports import EXPORTS, RegistrationFilters
    from reports.scope import ReportScope
    spec = EXPORTS["registrations"]
    with lean_app(url).app_context():
        year = db.session.execute(db.text("SELECT id FROM exam_years WHERE name = '基准测试年度'")).scalar()
        t, c = time.perf_counter(), time.process_time()
        query = spec.query(ReportScope.everything(), RegistrationFilters(exam_year_id=year)).order_by(spec.key)
        with db.engine.connect() as conn:
            frame = pd.read_sql(query, conn)
        frame = frame.iloc[:, 1:]
        frame.columns = [c.header for c in spec.columns]
        frame.to_excel(out, engine="openpyxl", index=False, sheet_name=spec.title)
        print(f"RESULT rows={len(frame)} seconds={time.perf_counter() - t:.1f} cpu={time.process_time() - c:.1f} "
              f"peak_rss={peak_mb():.0f}MB")


def measure(which: str, url: str, rows: int) -> str:
    out = Path(tempfile.mkdtemp(prefix="bench-xlsx-")) / f"{which}.xlsx"
    proc = subprocess.Popen([sys.executable, __file__, "--child", which, "--url", url, "--out", str(out),
                             "--rows", str(rows)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    output, _ = proc.communicate()
    assert proc.returncode == 0, output
    line = next(x for x in output.splitlines() if x.startswith("RESULT"))
    size = out.stat().st_size / 1e6
    out.unlink()
    return f"{line.removeprefix('RESULT ')} file={size:.1f}MB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--only", choices=("ours", "pandas"))
    parser.add_argument("--child", choices=("ours", "pandas"))
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        (run_ours if args.child == "ours" else run_pandas)(args.url, Path(args.out))
        return
    seed(args.url, args.rows)
    for which in ("ours", "pandas"):
        if args.only and which != args.only:
            continue
        label = "write_only streamed" if which == "ours" else 'DataFrame.to_excel(engine="openpyxl")'
        print(f"{label}: {measure(which, args.url, args.rows)} load={os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
