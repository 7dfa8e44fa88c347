"""Fill a PostgreSQL database with a national-scale registration year (default 1,000,000 registrations).

    .venv/bin/python bench/generate_registrations.py postgresql+psycopg://postgres@127.0.0.1/medexam_bench [N]

The database is created if missing, migrated with the project's Alembic migrations (so the indexes are the
real ones), then filled with INSERT ... SELECT over generate_series inside PostgreSQL: 32 regions, 352 sites,
one exam year with 10 subjects, N candidates and N registrations (70 % submitted, 20 % approved, 5 %
rejected, 5 % abandoned) spread over the two-week window, each with a frozen snapshot. Ends with VACUUM
ANALYZE (what autovacuum does soon after a bulk load; index-only counts need the visibility map).
"""
from __future__ import annotations

import os
import sys
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

REGIONS, SITES_PER_REGION, SUBJECTS = 32, 11, 10
SNAPSHOT = ('{"version": 1, "exam_year": {"year": 2027, "name": "2027年医师资格考试"}, '
            '"candidate": {"name": "张三", "sex": "男", "birth_date": "1990-03-07", "doc_type": "passport", '
            '"doc_type_label": "护照", "nationality": "中国", "ethnic_group": "汉族", '
            '"military_identity": "非现役军人"}, "work": {"work_unit": "北京协和医院", "department": "内科", '
            '"title": "住院医师", "employment_status": "在岗"}, "educations": [{"school_name": "北京大学", '
            '"level": "本科", "study_mode": "全日制", "major": "临床医学", "start_ym": "2010-09", '
            '"end_ym": "2015-07", "diploma_number": "100011201505000123"}], "trainings": [], '
            '"certificates": [], "attempts": 1, "extra_units": []}')


def ensure_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}):
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def migrate(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    from factory import create_app
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    if result.exit_code != 0:
        sys.exit(result.output)


def fill(url: str, n: int) -> None:
    engine = create_engine(url)
    steps = [
        ("truncate", "TRUNCATE registrations, candidates, sites, regions, exam_subjects, exam_years, "
                     "exam_families RESTART IDENTITY CASCADE"),
        ("catalogue", f"""
            INSERT INTO exam_families (code, name) VALUES ('physician', '医师资格考试');
            INSERT INTO exam_years (family_id, year, name, window_opens_at, window_closes_at, cutoff_date)
              VALUES (1, 2027, '2027年医师资格考试', '2027-01-21 16:00', '2027-02-04 16:00', '2027-08-31');
            INSERT INTO exam_subjects (exam_year_id, code, name, category, level, route, written_units)
              SELECT 1, (100 + s)::text, '科目' || s, '临床', '执业医师', '学历', 4
              FROM generate_series(1, {SUBJECTS}) s;
            INSERT INTO regions (code, name, online_payment_open)
              SELECT (110000 + r * 10000)::text, '考区' || r, true FROM generate_series(1, {REGIONS}) r;
            INSERT INTO sites (region_id, code, name, capacity, taken)
              SELECT (s - 1) / {SITES_PER_REGION} + 1, 'S' || lpad(s::text, 5, '0'), '考点' || s, 100000, 0
              FROM generate_series(1, {REGIONS * SITES_PER_REGION}) s;"""),
        ("candidates", f"""
            INSERT INTO candidates (username, password_hash, must_change_password, failed_logins,
                                    recovery_failures, name, sex, birth_date, doc_type, doc_number,
                                    nationality, military_identity, work_unit_manual, created_at, updated_at)
              SELECT 'ks' || i, 'x', false, 0, 0, '考生' || i, CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END,
                     DATE '1985-01-01' + (i % 5000), 'passport', 'P' || lpad(i::text, 9, '0'), '中国',
                     'civilian', false, now(), now()
              FROM generate_series(1, {n}) i;"""),
        ("registrations", f"""
            INSERT INTO registrations (candidate_id, exam_year_id, subject_id, region_id, site_id, status,
                                       payment_status, number, attempts, military_unit, snapshot, submitted_at,
                                       created_at, updated_at)
              SELECT i, 1, 1 + i % {SUBJECTS}, (site::int - 1) / {SITES_PER_REGION} + 1, site::int,
                     CASE WHEN i % 20 < 14 THEN 'submitted' WHEN i % 20 < 18 THEN 'approved'
                          WHEN i % 20 = 18 THEN 'rejected' ELSE 'abandoned' END,
                     CASE WHEN i % 3 = 0 THEN 'paid' ELSE 'unpaid' END,
                     '2027' || lpad(i::text, 10, '0'), 1, false, CAST(:snap AS jsonb), at, at, at
              FROM (SELECT i, 1 + (i::bigint * 7919) % {REGIONS * SITES_PER_REGION} AS site,
                           TIMESTAMP '2027-01-21 16:00' + (i * interval '1.2 second') AS at
                    FROM generate_series(1, {n}) i) g;"""),
        ("seats", """
            UPDATE sites SET taken = t.c FROM (SELECT site_id, count(*) c FROM registrations
              WHERE status IN ('submitted', 'approved') GROUP BY site_id) t WHERE sites.id = t.site_id"""),
    ]
    for name, sql in steps:
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text(sql), {"snap": SNAPSHOT} if ":snap" in sql else {})
        print(f"{name}: {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))  # as autovacuum would: sets the visibility map
    print(f"vacuum analyze: {time.perf_counter() - started:.1f} s")
    engine.dispose()


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    url, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    ensure_database(url)
    migrate(url)
    fill(url, n)


if __name__ == "__main__":
    main()
