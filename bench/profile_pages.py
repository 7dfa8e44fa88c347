"""Where each journey page's CPU goes, in process: the journey of bench/journey.py through Flask's test client.

    nice -n 15 .venv/bin/python bench/profile_pages.py --db postgresql+psycopg://postgres@127.0.0.1/medexam_bench_x \
        [--journeys 30] [--profile "GET /profile (个人信息中心)"]

Seeds the database as bench/journey.py does (it is emptied: never point it at real data), then runs the journey
``--journeys`` times with a fresh candidate each (no HTTP, no gunicorn, no think time), the first two untimed.
Prints per page the mean CPU of the request (``time.thread_time``) and the SQL statements it ran; with
``--profile LABEL`` also the statements of one of them and a cProfile of that page's requests (top functions by cumulative and own time;
``--profile all``: every page but the login; ``--dump FILE`` keeps the profile for pstats).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from journey import BASELINE, BASELINE_KEPT, Stats, User, seed  # noqa: E402


class InProcessUser(User):
    """The journey's user, its requests answered by the app in this process."""

    def __init__(self, client, engine, results: dict, profile_label: str | None, profiler: cProfile.Profile):
        super().__init__(0, Stats(), 0, random.Random(1))
        self.client, self.engine, self.results = client, engine, results
        self.profile_label, self.profiler = profile_label, profiler

    def call(self, label, method, path, form=None, expect=(200,)):
        from sqlalchemy import event
        if label in (BASELINE, BASELINE_KEPT):  # served by bench/baseline_wsgi.py beside gunicorn, not by the app
            return 200, "", ""
        seen = []

        def count(conn, cursor, statement, *_args):
            seen.append(" ".join(statement.split())[:160])

        event.listen(self.engine, "before_cursor_execute", count)
        profiling = label == self.profile_label or (self.profile_label == "all" and "login" not in label)
        start = time.thread_time()
        if profiling:
            self.profiler.enable()
        try:
            response = self.client.open(path, method=method, data=form)
        finally:
            if profiling:
                self.profiler.disable()
            cpu = time.thread_time() - start
            event.remove(self.engine, "before_cursor_execute", count)
        assert response.status_code in expect, (label, response.status_code, path)
        if label == self.profile_label and not self.results.get(label):
            print(f"statements of one {label}:", *seen, sep="\n  ")
        self.results.setdefault(label, []).append((cpu * 1000, len(seen)))
        return response.status_code, response.get_data(as_text=True), response.headers.get("Location", "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--journeys", type=int, default=30)
    parser.add_argument("--profile", help="a page label as printed, e.g. 'GET /profile (个人信息中心)'")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--dump", help="also write the profile to this file (pstats format)")
    args = parser.parse_args()

    people, queries = seed(args.db, args.journeys)
    from core.db import db
    from factory import create_app
    app = create_app("development", SQLALCHEMY_DATABASE_URI=args.db, LOGIN_RATE_LIMIT="1000000 per minute",
                     RATELIMIT_ENABLED=False)
    profiler = cProfile.Profile(time.thread_time)  # CPU, not time spent waiting on PostgreSQL
    results: dict[str, list[tuple[float, int]]] = {}
    with app.app_context():
        engine = db.engine
    for k, cand in enumerate(people):
        with app.test_client() as client:
            user = InProcessUser(client, engine, results if k >= 2 else {}, args.profile if k >= 2 else None,
                                 profiler)
            user.journey(cand, queries[k % len(queries)])
    print(f"| page | requests | CPU ms mean | median | statements |\n|---|---|---|---|---|")
    journey_cpu = []
    for label, rows in results.items():
        cpu = [r[0] for r in rows]
        print(f"| {label} | {len(rows)} | {statistics.mean(cpu):.2f} | {statistics.median(cpu):.2f} | "
              f"{max(r[1] for r in rows)} |")
        if "login" not in label and "healthz" not in label and "_baseline" not in label:
            journey_cpu += cpu
    print(f"| **pages without the login** | {len(journey_cpu)} | {statistics.mean(journey_cpu):.2f} | "
          f"{statistics.median(journey_cpu):.2f} | |")
    if args.profile:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())
        if args.dump:
            profiler.dump_stats(args.dump)


if __name__ == "__main__":
    main()
