"""1,000 school searches (pinyin initials, characters, Ministry codes) against the full Ministry list.

    .venv/bin/python bench/school_search.py --db sqlite:////tmp/bench_schools.db
    .venv/bin/python bench/school_search.py --db postgresql+psycopg://postgres@127.0.0.1/medexam_bench_schools

The database is emptied and migrated, both Ministry lists from ../shared/data/schools/ are imported with
core.schools_import, then GET /api/schools?q=... is called 1,000 times in-process (no network): the time
is the server's, from the WSGI call to the last byte. Target (issue 3): p99 at most 20 ms.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "schools"


def _reset(url: str) -> None:
    from sqlalchemy import create_engine, text
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _queries(schools, count: int, seed: int = 2027) -> list[tuple[str, str]]:
    """A third each: initials prefixes (2-6 letters), 2-3 characters from a name, code prefixes or codes."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        s = rng.choice(schools)
        if n % 3 == 0:
            out.append(("initials", s.initials[:rng.randint(2, min(6, len(s.initials)))]))
        elif n % 3 == 1:
            start = rng.randrange(0, max(1, len(s.name) - 2))
            out.append(("characters", s.name[start:start + rng.randint(2, 3)]))
        else:
            out.append(("code", s.code[:rng.choice((5, 7, 10))]))
    return out


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--searches", type=int, default=1000)
    args = parser.parse_args()

    os.environ.setdefault("INSTANCE_DIR", "/tmp/bench_schools_instance")
    _reset(args.db)
    from factory import create_app
    from core.db import db
    from core.models import School
    from core.schools_import import read_schools, upsert_schools

    app = create_app("test", SQLALCHEMY_DATABASE_URI=args.db, WTF_CSRF_ENABLED=False)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        t0 = time.perf_counter()
        for name in ("moe-regular-institutions-2025.xls", "moe-adult-institutions-2025.xls"):
            upsert_schools(read_schools(DATA / name))
        imported = time.perf_counter() - t0
        schools = list(db.session.scalars(db.select(School)))
        queries = _queries(schools, args.searches)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE schools"))
            plan = db.session.execute(db.text(
                "EXPLAIN SELECT * FROM schools WHERE initials LIKE 'bjdx%' ORDER BY length(initials), code LIMIT 10"
            )).scalars().all()
        else:
            plan = db.session.execute(db.text(
                "EXPLAIN QUERY PLAN SELECT * FROM schools WHERE initials >= 'bjdx' AND initials < 'bjdy'"
            )).all()
        db.session.remove()

    client = app.test_client()
    client.get("/api/schools?q=bjdx")  # warm up
    times: dict[str, list[float]] = {}
    empty = 0
    for kind, q in queries:
        t = time.perf_counter()
        response = client.get("/api/schools", query_string={"q": q})
        body = response.get_json()
        times.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
        empty += not body
    every = [v for vs in times.values() for v in vs]

    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")
    print(f"schools imported: {len(schools)} in {imported:.1f} s; searches: {len(every)}; "
          f"without any result: {empty}")
    print(f"index use: {plan}")
    print("| searches | n | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|")
    for kind, values in [*times.items(), ("all", every)]:
        print(f"| {kind} | {len(values)} | {statistics.median(values):.2f} | {_pct(values, 99):.2f} | "
              f"{max(values):.2f} |")


if __name__ == "__main__":
    main()
