"""Benchmark: registration submissions (提交) per second and latency behind gunicorn on PostgreSQL.

    .venv/bin/python bench/submissions.py --db postgresql+psycopg://postgres@127.0.0.1/medexam_bench_reg

What it does, on a database it empties first (never point it at real data):
1. migrates, seeds one exam year, ``--sites`` test sites in up to 32 regions sharing ``--seats`` seats, and
   ``--candidates`` candidates spread over the sites in turn, each with a finished draft, a portal session and a
   CSRF token, having agreed to the current privacy notice (so the timed requests are only the submissions). The default, 350 sites, is the national picture
   (about 350 sites); ``--sites 1`` is the worst case, every submission queueing on one site's row;
2. starts gunicorn with the project's gunicorn.conf.py on a free port;
3. ``--clients`` concurrent clients (threads, keep-alive connections) first send ``--warmup`` untimed
   submissions of extra candidates (a site of their own), then call the trivial ``/healthz`` endpoint
   ``--trivial`` times, then post the timed submissions; every answer must be 303
   (submitted) or 409 (the wizard page with the "full" message) — never a 500;
4. checks the seats, site by site: submitted registrations == sites.taken <= capacity, and as many submitted
   as there were seats for (zero overbooking, no seat lost);
5. prints one Markdown block (append it to docs/BENCHMARKS.md with --append).
"""
from __future__ import annotations

import argparse
import gc
import http.client
import os
import platform
import queue
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from journey import client_priority, quiet_collector

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seats_of(seats: int, sites: int, k: int) -> int:
    """Site k's share of the seats (as even as possible)."""
    return seats // sites + (1 if k < seats % sites else 0)


def seed(db_url: str, seats: int, candidates: int, sites: int = 1, warmup: int = 0) -> list[dict]:
    """Empty the database, migrate, and prepare one finished draft per candidate; the requests to send.

    ``warmup`` more candidates (listed first) share a site of their own with seats for nine in ten of them
    (the rest warm up the "full" answer).
    """
    os.environ.update(DATABASE_URL=db_url, APP_ENV="development")
    from sqlalchemy import create_engine, text
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    from flask import g, session
    from flask_wtf.csrf import generate_csrf
    from PIL import Image

    from core.db import db, utcnow
    from core.models import (Candidate, Education, ExamFamily, ExamSubject, ExamYear, PrivacyConsent, Region,
                             Registration, Site)
    from core.privacy.notice import NOTICE_VERSION
    from core.services.sessions import open_session
    from core.registration.draft import STEP_NAMES, Draft
    from factory import create_app

    app = create_app()
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    photo_dir = Path(app.config["PHOTO_DIR"])
    (photo_dir / "bench").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (120, 150), (200, 180, 160)).save(photo_dir / "bench/p.jpg", "JPEG", quality=70)
    signer = app.session_interface.get_signing_serializer(app)
    requests = []
    with app.app_context():
        now = utcnow()
        fam = ExamFamily(code="physician", name="医师资格考试")
        year = ExamYear(family=fam, year=2027, name="2027年医师资格考试", window_opens_at=now - timedelta(days=1),
                        window_closes_at=now + timedelta(days=13), cutoff_date=date(2027, 8, 31))
        subject = ExamSubject(exam_year=year, code="110", name="临床执业医师", category="临床", level="执业医师",
                              route="学历", written_units=4)
        regions = [Region(code=f"{11 + r:02d}0000", name=f"考区{r + 1}") for r in range(min(32, sites))]
        site_rows = [Site(region=regions[k % len(regions)], code=f"{11 + k % len(regions):02d}{k:03d}",
                          name=f"第{k + 1}考点", capacity=seats_of(seats, sites, k)) for k in range(sites)]
        warm_site = Site(region=regions[0], code="99999", name="预热考点", capacity=warmup * 9 // 10)
        db.session.add_all([fam, year, subject, *regions, *site_rows, warm_site])
        db.session.flush()
        for k in range(-warmup, candidates):
            site = site_rows[k % sites] if k >= 0 else warm_site
            cand = Candidate(username=f"bench{k + warmup}", password_hash="x", name="王五", sex="M",
                             birth_date=date(1990, 1, 1), doc_type="passport", doc_number=f"B{k + warmup:08d}",
                             photo_path="bench/p.jpg", employment_status="在岗", practice_start="2020-07",
                             mobile="13800138000", address="北京")
            db.session.add(cand)
            db.session.flush()
            edu = Education(candidate_id=cand.id, school_name="北京大学", level="本科", major="临床医学",
                            start_ym="2010-09", end_ym="2015-07", diploma_number="D1")
            db.session.add(edu)
            # agreed to the current privacy notice (else every page redirects to the page asking for it)
            db.session.add(PrivacyConsent(candidate_id=cand.id, notice_version=NOTICE_VERSION, sensitive=True))
            db.session.flush()
            reg = Registration(candidate_id=cand.id, exam_year_id=year.id, subject_id=subject.id, draft_step="site")
            Draft(done=list(STEP_NAMES), education_ids=[edu.id], region_id=site.region_id,
                  site_id=site.id).store(reg)
            db.session.add(reg)
            db.session.flush()
            token = open_session(cand, "127.0.0.1")
            with app.test_request_context():
                g.pop("csrf_token", None)  # Flask-WTF caches the token per app context
                session["sid"] = token
                csrf = generate_csrf()
                cookie = signer.dumps(dict(session))
            requests.append({"path": f"/registration/{reg.id}/submit",
                             "cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}",
                             "body": urlencode({"csrf_token": csrf, "submit_token": f"bench-{reg.id}"})})
        db.session.commit()
        db.session.execute(text("ANALYZE"))  # planner statistics, as a database in service has (a fresh one has none)
        db.session.commit()
    return requests


def run_clients(port: int, jobs: list[dict], clients: int,
                rate: float = 0, nice: int = -5) -> tuple[list[float], dict[int, int], float]:
    """Send every job with `clients` keep-alive connections; latencies (s), status counts, wall time.

    With ``rate``, job i is due ``i / rate`` seconds after the start (an offered load, as real candidates
    arrive) and its latency counts from when it was due, so time spent waiting for a free client counts too;
    without, every client sends its next job as soon as it has an answer (a closed loop: saturation). The client
    threads run at ``nice`` (root only), so that their own wait for a CPU is not timed as the server's.
    """
    work: queue.Queue = queue.Queue()
    for index, job in enumerate(jobs):
        work.put((index, job))
    begin = time.perf_counter() + 0.5  # every client thread is started by then
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    by_status: dict[int, list[float]] = {}
    lock = threading.Lock()

    def client():
        client_priority(nice)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        time.sleep(max(0.0, begin - time.perf_counter()))
        while True:
            try:
                index, job = work.get_nowait()
            except queue.Empty:
                break
            due = begin + index / rate if rate else None
            if due and due > time.perf_counter():
                time.sleep(due - time.perf_counter())
            headers = {"Cookie": job.get("cookie", "")}
            if job.get("body"):
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            start = due or time.perf_counter()
            conn.request("POST" if job.get("body") else "GET", job["path"], body=job.get("body"), headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                by_status.setdefault(response.status, []).append(elapsed)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run_clients.by_status = by_status  # the last run's latencies per status, for the report
    return latencies, statuses, time.perf_counter() - begin


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[p - 1] * 1000 if len(values) > 1 else values[0] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a PostgreSQL URL of a database this script may empty")
    parser.add_argument("--seats", type=int, default=1000)
    parser.add_argument("--candidates", type=int, default=1200)
    parser.add_argument("--sites", type=int, default=350, help="test sites sharing the seats (1: worst case)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--trivial", type=int, default=2000, help="number of /healthz requests")
    parser.add_argument("--rate", type=float, default=0,
                        help="offered submissions per second (default 0: closed loop, as fast as answered)")
    parser.add_argument("--warmup", type=int, default=100,
                        help="untimed submissions first (own site), so every worker has served the path once")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: its config)")
    parser.add_argument("--client-nice", type=int, default=-5,
                        help="nice value of the client threads (root only; the server keeps the script's)")
    parser.add_argument("--append", action="store_true", help="append the result to docs/BENCHMARKS.md")
    args = parser.parse_args()

    print(f"seeding {args.candidates} drafts for {args.seats} seats in {args.sites} sites …", file=sys.stderr)
    jobs = seed(args.db, args.seats, args.candidates, args.sites, args.warmup)
    quiet_collector()  # the load generator's own full collections would be timed as the server's answers
    warm_jobs, jobs = jobs[:args.warmup], jobs[args.warmup:]
    load_before = os.getloadavg()[0]
    port = free_port()
    env = dict(os.environ, DATABASE_URL=args.db, APP_ENV="development", GUNICORN_BIND=f"127.0.0.1:{port}")
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile",
                               "/dev/null", "wsgi:app"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):  # wait for the server, then warm every worker up
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(3)
        run_clients(port, [{"path": "/healthz"}] * 200, args.clients, nice=args.client_nice)
        run_clients(port, warm_jobs, args.clients, nice=args.client_nice)
        trivial, trivial_status, trivial_wall = run_clients(port, [{"path": "/healthz"}] * args.trivial,
                                                            args.clients)
        subs, sub_status, sub_wall = run_clients(port, jobs, args.clients, args.rate, args.client_nice)
        by_status = run_clients.by_status
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    from sqlalchemy import create_engine, text
    engine = create_engine(args.db)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT s.capacity, s.taken, count(r.id) FROM sites s LEFT JOIN registrations r "
            "ON r.site_id = s.id AND r.status = 'submitted' WHERE s.code <> '99999' GROUP BY s.id ORDER BY s.id"
        )).all()
    engine.dispose()
    capacity, taken, submitted = (sum(r[i] for r in rows) for i in range(3))
    wanted = [len(range(k, args.candidates, args.sites)) for k in range(args.sites)]
    expected = sum(min(seats_of(args.seats, args.sites, k), wanted[k]) for k in range(args.sites))
    overbooked = sum(max(0, n - cap) for cap, _, n in rows)
    mismatched = sum(1 for _, t, n in rows if t != n)
    workers = args.workers or os.cpu_count() * 2 + 1
    threads = int(os.environ.get("GUNICORN_THREADS", 4))
    block = f"""
## Registration submissions (提交) — {datetime.now().strftime('%Y-%m-%d %H:%M')} (server clock)

Command: `.venv/bin/python bench/submissions.py --db postgresql+psycopg://…/medexam_bench_reg --seats {args.seats} \
--candidates {args.candidates} --sites {args.sites} --clients {args.clients} --warmup {args.warmup}{f" --rate {args.rate:g}" if args.rate else ""}{f" --workers {args.workers}" if args.workers else ""}`
Machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), shared with other work; PostgreSQL
local; gunicorn.conf.py ({workers} gthread workers × {threads} threads); clients on the same machine ({args.clients}
keep-alive connections, threads at nice {args.client_nice if os.geteuid() == 0 else "0 (not root)"}); submissions {f"offered at {args.rate:g}/s, latency counted from when each was due" if args.rate else "in a closed loop (each client sends again as soon as answered: saturation)"}.

| endpoint | requests | per second | p50 ms | p99 ms | statuses |
|---|---|---|---|---|---|
| GET /healthz (trivial, SELECT 1) | {len(trivial)} | {len(trivial) / trivial_wall:.0f} | {pct(trivial, 50):.0f} | {pct(trivial, 99):.0f} | {trivial_status} |
| POST /registration/&lt;id&gt;/submit | {len(subs)} | {len(subs) / sub_wall:.0f} | {pct(subs, 50):.0f} | {pct(subs, 99):.0f} | {sub_status} |

By status: {"; ".join(f"{code}: p50 {pct(v, 50):.0f} ms, p99 {pct(v, 99):.0f} ms" for code, v in sorted(by_status.items()))}.
Seats ({args.sites} sites): capacity {capacity}, taken {taken}, submitted registrations {submitted} (expected
{expected}), overbooked {overbooked}, sites whose taken differs from their registrations {mismatched}. Targets: ≥100 submissions/s, p99 ≤300 ms, zero overbooking.
Load average (1 min) before/after the run: {load_before:.1f} / {os.getloadavg()[0]:.1f}.
"""
    print(block)
    ok = (submitted == expected == taken and not overbooked and not mismatched
          and set(sub_status) <= {303, 409})  # a redirect elsewhere (302: consent, login) is a failure too
    if args.append:
        with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as fh:
            fh.write(block)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
