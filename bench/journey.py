"""Benchmark: the whole candidate journey against gunicorn on PostgreSQL, at several numbers of users.

    flock /tmp/bench.lock .venv/bin/python bench/journey.py \
        --db postgresql+psycopg://postgres@127.0.0.1/medexam_bench_journey --users 50 200 --append

What it does, for each number of users, on a database it empties first (never point it at real data):
1. migrates; seeds one exam year, 32 regions with 3 sites each, both Ministry school lists, and one candidate
   per journey with a finished profile (photo, contact, work, one 教育经历) and the production password hash
   (scrypt), so every login really checks a password;
2. starts gunicorn with the project's gunicorn.conf.py on a free port (rate limits in Redis as in production,
   the per-IP login limit raised: every simulated user comes from 127.0.0.1);
3. runs N simulated users (threads, one keep-alive connection and cookie jar each), started over ``--ramp``
   seconds; each user repeats the journey with a fresh candidate until ``--duration`` seconds have passed,
   waiting a random 0..2×``--think`` seconds between pages, as a person reading the page would:
   登录 page and form → 首页 → 个人信息中心 → 学校搜索 → 选择报考类别 → 开始报名 → the five wizard steps
   (each page, then its form) → 提交 → 考试报名 list, and once per journey the trivial ``GET /healthz`` and
   the minimal page ``GET /_baseline`` (one indexed query, a 20-row template given as a string: bench/baseline_wsgi.py,
   served by the same gunicorn) and ``GET /_baseline_kept`` (the same with its template kept compiled);
4. every answer must be the expected one (200 for a page, 302/303 for a form); anything else is an error,
   except admission control's 503 系统繁忙 page (timed on its own line): that user waits for the page's
   refresh (15 s) and starts the journey again, keeping the page's ``busy_since`` cookie as a browser would;
5. reports requests/s, p50/p95/p99 per page, the error rate, and the CPU time spent by the app server, its
   PostgreSQL backends and the load generator (the machine is shared: CPU per request is the number to scale
   from), and each page's server CPU per request beside the minimal page's (issue 19's ratio); prints one
   Markdown block (``--append`` adds it to docs/BENCHMARKS.md).
"""
from __future__ import annotations

import argparse
import gc
import http.client
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCHOOL_LISTS = ROOT.parent / "shared" / "data" / "schools"
PASSWORD = "Kaoshi#2027pass"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SUBMIT_RE = re.compile(r'name="submit_token" value="([^"]+)"')
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BASELINE = "GET /_baseline (minimal page)"
BASELINE_KEPT = "GET /_baseline_kept (minimal page, template kept)"
BUSY = "503 系统繁忙 (waiting page)"
UNTIMED = ("GET /healthz (trivial)", BASELINE, BASELINE_KEPT, BUSY)  # not journey pages
REFRESH = 15  # the waiting page refreshes itself after this many seconds (web/admission.py)


class TurnedAway(Exception):
    """Admission control answered with the 系统繁忙 page: the visitor waits for its refresh."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- seeding ----------------------------------------------------------------------------------------

def seed(db_url: str, candidates: int) -> tuple[list[dict], list[str]]:
    """Empty and migrate the database; one ready candidate per journey. Returns (candidates, school queries)."""
    from sqlalchemy import create_engine, text
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    from PIL import Image

    from core.db import db, utcnow
    from core.models import (Candidate, Education, ExamFamily, ExamSubject, ExamYear, PrivacyConsent, Region,
                             School, Site)
    from core.privacy.notice import NOTICE_VERSION
    from core.schools_import import read_schools, upsert_schools
    from core.services.accounts import _hash
    from factory import create_app

    app = create_app("development", SQLALCHEMY_DATABASE_URI=db_url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    photo_dir = Path(app.config["PHOTO_DIR"])
    (photo_dir / "bench").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (120, 150), (200, 180, 160)).save(photo_dir / "bench/p.jpg", "JPEG", quality=70)
    out = []
    with app.app_context():
        for name in ("moe-regular-institutions-2025.xls", "moe-adult-institutions-2025.xls"):
            upsert_schools(read_schools(SCHOOL_LISTS / name))
        queries = sorted({s.initials[:4] for s in db.session.scalars(db.select(School)) if len(s.initials) >= 4})
        now = utcnow()
        fam = ExamFamily(code="physician", name="医师资格考试")
        year = ExamYear(family=fam, year=2027, name="2027年医师资格考试", window_opens_at=now - timedelta(days=1),
                        window_closes_at=now + timedelta(days=13), cutoff_date=date(2027, 8, 31))
        subject = ExamSubject(exam_year=year, code="110", name="临床执业医师", category="临床", level="执业医师",
                              route="学历", written_units=4)
        db.session.add_all([fam, year, subject])
        sites = []
        for r in range(32):
            region = Region(code=f"{11 + r}0000", name=f"考区{r + 1}", online_payment_open=True)
            for s in range(3):
                sites.append(Site(region=region, code=f"{11 + r}{s:02d}", name=f"考点{r + 1}-{s + 1}",
                                  capacity=100000))
        db.session.add_all(sites)
        password_hash = _hash(PASSWORD)  # the production method (scrypt), computed once for all
        people = []
        for k in range(candidates):
            cand = Candidate(username=f"journey{k}", password_hash=password_hash, name="王五", sex="M",
                             birth_date=date(1990, 1, 1), doc_type="passport", doc_number=f"J{k:08d}",
                             photo_path="bench/p.jpg", employment_status="在岗", work_unit_name="北京协和医院",
                             title="住院医师", title_date="2020-07", practice_start="2020-07",
                             mobile="13800138000", email="w@example.com", address="北京市东城区",
                             postcode="100005", military_identity="civilian", last_login_at=now)
            cand.educations.append(Education(school_name="北京大学", level="本科", study_mode="全日制",
                                             major="临床医学", major_kind="西医", start_ym="2010-09",
                                             end_ym="2015-07", diploma_number=f"D{k}"))
            people.append(cand)
        db.session.add_all(people)
        db.session.flush()
        db.session.add_all(PrivacyConsent(candidate_id=c.id, notice_version=NOTICE_VERSION, sensitive=True)
                           for c in people)  # agreed already: the journey does not read the notice
        db.session.commit()
        for k, cand in enumerate(people):
            site = sites[k % len(sites)]
            out.append({"username": cand.username, "education_id": cand.educations[0].id,
                        "subject_id": subject.id, "region_id": site.region_id, "site_id": site.id})
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return out, queries


# --- one simulated user ------------------------------------------------------------------------------

class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.samples: list[str] = []
        self.journeys = 0
        self.turned_away = 0  # journeys interrupted by the 系统繁忙 page (started again after its refresh)

    def add(self, label: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.latency.setdefault(label, []).append(seconds)
            if not ok:
                self.errors[label] = self.errors.get(label, 0) + 1
                if len(self.samples) < 5:
                    self.samples.append(f"{label}: {detail}")


class User:
    """One candidate's browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int, stats: Stats, think: float, rng: random.Random, tag: str = ""):
        self.port, self.stats, self.think, self.rng, self.tag = port, stats, think, rng, tag
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def call(self, label: str, method: str, path: str, form: dict | None = None,
             expect: tuple[int, ...] = (200,)) -> tuple[int, str, str]:
        headers = {"X-Bench-Label": quote(self.tag + label)}  # the server's CPU count per page (baseline_wsgi)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.stats.add(label, time.perf_counter() - start, False, type(exc).__name__)
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            return 0, "", ""
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.status == 503 and "系统繁忙".encode() in data:  # admission control: not an error
            self.stats.add(BUSY, elapsed, True)
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise TurnedAway(label)
        ok = response.status in expect
        self.stats.add(label, elapsed, ok, f"{response.status} {path}")
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return response.status, data.decode("utf-8", "replace"), response.getheader("Location", "")

    def pause(self) -> None:
        if self.think:
            time.sleep(self.rng.uniform(0, 2 * self.think))

    def page(self, label: str, path: str) -> str:
        status, html, _ = self.call(label, "GET", path)
        self.pause()
        return html

    def form(self, label: str, path: str, html: str, fields: dict, expect=(302, 303)) -> str:
        token = CSRF_RE.search(html)
        _, _, location = self.call(label, "POST", path, {**fields, "csrf_token": token.group(1) if token else ""},
                                   expect)
        return location

    def journey(self, cand: dict, school_query: str) -> None:
        # a new visitor, but the browser keeps the time it was sent away (admission control's hold)
        self.cookies = {k: v for k, v in self.cookies.items() if k == "busy_since"}
        html = self.page("GET /login", "/login")
        self.form("POST /login", "/login", html, {"username": cand["username"], "password": PASSWORD})
        self.page("GET / (首页)", "/")
        self.page("GET /profile (个人信息中心)", "/profile")
        self.call("GET /api/schools (学校搜索)", "GET", f"/api/schools?q={quote(school_query)}")
        self.call("GET /healthz (trivial)", "GET", "/healthz")
        self.call(BASELINE, "GET", f"/_baseline?start={self.rng.randint(1, 3000)}")
        self.call(BASELINE_KEPT, "GET", f"/_baseline_kept?start={self.rng.randint(1, 3000)}")
        html = self.page("GET /registration/subjects", "/registration/subjects")
        location = self.form("POST /registration/start", "/registration/start", html,
                             {"subject_id": cand["subject_id"]})
        found = re.search(r"/registration/(\d+)/step/", location)
        if not found:
            return
        step = f"/registration/{found.group(1)}/step"
        steps = {
            "basic": {"military_identity": "civilian", "mobile": "13800138000", "email": "w@example.com",
                      "address": "北京市东城区", "postcode": "100005"},
            "work": {"employment_status": "在岗", "work_unit_name": "北京协和医院", "title": "住院医师",
                     "title_date": "2020-07", "practice_start": "2020-07"},
            "entries": {"education_ids": [cand["education_id"]]},
            "certificates": {},
        }
        for name, fields in steps.items():
            html = self.page(f"GET step/{name}", f"{step}/{name}")
            self.form(f"POST step/{name}", f"{step}/{name}", html, {**fields, "action": "next"})
        html = self.page("GET step/site", f"{step}/site")
        token = SUBMIT_RE.search(html)
        self.form("POST step/site (提交)", f"{step}/site", html,
                  {"region_id": cand["region_id"], "site_id": cand["site_id"], "attempts": "1",
                   "action": "submit", "submit_token": token.group(1) if token else ""}, expect=(303,))
        self.page("GET /registration (列表)", "/registration")


# --- CPU accounting (the machine is shared: count only our processes) ---------------------------------

def cpu_seconds(pids) -> dict[int, float]:
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        except (OSError, IndexError):
            pass
    return out


def server_pids(master: int) -> list[int]:
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    return [master, *map(int, children)]


def backend_pids(db_url: str) -> list[int]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool
    engine = create_engine(db_url, poolclass=NullPool)
    with engine.connect() as conn:
        pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
                            {"d": make_url(db_url).database}).scalars().all()
    engine.dispose()
    return list(pids)


def used(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after[p] - before.get(p, 0.0) for p in after)


# --- one run ------------------------------------------------------------------------------------------

def run(args, users: int) -> dict:
    journeys_needed = int(users * (args.duration / max(args.think * 18, 1.0) + 2)) + 20
    print(f"[{users} users] seeding {journeys_needed} candidates …", file=sys.stderr)
    people, queries = seed(args.db, journeys_needed)
    quiet_collector()  # the load generator's own full collections would be timed as the server's answers
    import redis
    redis.Redis.from_url(args.redis).flushdb()
    port = free_port()
    cpu_dir = Path(tempfile.mkdtemp(prefix="bench-cpu-"))
    env = dict(os.environ, DATABASE_URL=args.db, APP_ENV="development", GUNICORN_BIND=f"127.0.0.1:{port}",
               REDIS_URL=args.redis, LOGIN_RATE_LIMIT="1000000 per minute", BENCH_CPU_DIR=str(cpu_dir))
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    # a connection per thread, as production's pool (config.ProductionConfig): with more threads than SQLAlchemy's
    # default pool of 5, connections beyond it would be opened and closed under load, each a new PostgreSQL backend
    env.setdefault("DB_POOL_SIZE", str(args.threads or int(os.environ.get("GUNICORN_THREADS", 4))))
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile",
                               "/dev/null", "--pythonpath", "bench", "baseline_wsgi:app"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    stats = Stats()
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        warm = Stats()  # one journey per worker thread before measuring (imports, template compilation)
        def warm_up(k: int, cand: dict) -> None:
            client_priority(args.client_nice)
            user = User(port, warm, 0, random.Random(k), "warm:")
            for _ in range(3):  # cold workers may send a visitor away: try again after the hold
                try:
                    return user.journey(cand, queries[k % len(queries)])
                except TurnedAway:
                    time.sleep(3)

        warmers = [threading.Thread(target=warm_up, args=(k, people.pop())) for k in range(10)]
        for t in warmers:
            t.start()
        for t in warmers:
            t.join()
        pool = list(people)
        pool_lock = threading.Lock()
        srv_pids, db_pids = server_pids(server.pid), backend_pids(args.db)
        cpu_before = (cpu_seconds(srv_pids), cpu_seconds(db_pids), time.process_time())
        load_before = os.getloadavg()
        begin = time.perf_counter()
        stop_at = begin + args.duration

        def simulate(k: int) -> None:
            client_priority(args.client_nice)
            rng = random.Random(k)
            time.sleep(args.ramp * k / users)
            user = User(port, stats, args.think, rng)
            while time.perf_counter() < stop_at:
                with pool_lock:
                    if not pool:
                        return
                    cand = pool.pop()
                try:
                    user.journey(cand, rng.choice(queries))
                except TurnedAway:  # as a browser: the waiting page refreshes itself, the journey starts again
                    with pool_lock:
                        pool.append(cand)
                    with stats.lock:
                        stats.turned_away += 1
                    time.sleep(REFRESH)
                    continue
                with stats.lock:
                    stats.journeys += 1

        threads = [threading.Thread(target=simulate, args=(k,)) for k in range(users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - begin
        srv_after = cpu_seconds(server_pids(server.pid))
        db_after = cpu_seconds(set(db_pids) | set(backend_pids(args.db)))
        client_cpu = time.process_time() - cpu_before[2]
        load_after = os.getloadavg()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    return {"users": users, "stats": stats, "wall": wall, "server_cpu": used(cpu_before[0], srv_after),
            "db_cpu": used(cpu_before[1], db_after), "client_cpu": client_cpu,
            "load": (load_before, load_after), "page_cpu": page_cpu(cpu_dir), "gc": gc_passes(cpu_dir)}


def quiet_collector() -> None:
    """Keep what seeding left (the app, its objects) out of the load generator's garbage collections: a full pass
    over it took ~0.3 s with every client thread stopped, which the report counted as the server's latency."""
    gc.collect()
    gc.freeze()


def client_priority(nice: int) -> None:
    """Run this load-generator thread (Linux: nice is per thread) at ``nice``: a client on the same two cores as
    the server would otherwise wait for a CPU before it reads an answer, and time that wait as the server's. The
    server, its PostgreSQL backends and the main thread (which starts the server) keep their priority."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    except OSError:
        pass  # not root: the client's own waits count in the latencies (the report says which)


def page_cpu(cpu_dir: Path) -> dict[str, list[float]]:
    """Each page's server CPU per request (ms, the serving thread's), as baseline_wsgi counted it."""
    out: dict[str, list[float]] = {}
    for path in cpu_dir.glob("*.tsv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            label, ms = line.rsplit("\t", 1)
            label = unquote(label)
            if not label.startswith(("warm:", "gc:")) and label != "unlabelled":  # warm-up and readiness polls
                out.setdefault(label, []).append(float(ms))
    return out


def gc_passes(cpu_dir: Path) -> dict[str, list[float]]:
    """The app server's garbage-collector passes while serving, by generation (ms each), warm-up included."""
    out: dict[str, list[float]] = {}
    for path in cpu_dir.glob("*.tsv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            label, ms = line.rsplit("\t", 1)
            if label.startswith("gc:"):
                out.setdefault(label[3:], []).append(float(ms))
    return out


def ratio_table(cpu: dict[str, list[float]]) -> list[str]:
    """Issue 19's yardstick: each page's mean server CPU beside the minimal page's, measured in the same run
    (and beside the stricter minimal page whose template is kept compiled)."""
    base = statistics.mean(cpu.get(BASELINE) or [float("nan")])
    kept = statistics.mean(cpu.get(BASELINE_KEPT) or [float("nan")])
    lines = ["| page | requests | server CPU ms mean | median | × minimal page | × minimal page, template kept |",
             "|---|---|---|---|---|---|"]
    pages = []
    for label, values in cpu.items():
        mean = statistics.mean(values)
        lines.append(f"| {label} | {len(values)} | {mean:.2f} | {statistics.median(values):.2f} | "
                     f"{mean / base:.1f} | {mean / kept:.1f} |")
        if label not in UNTIMED and label != "POST /login":
            pages.extend(values)
    if pages:
        mean = statistics.mean(pages)
        lines.append(f"| **journey pages without the login** | {len(pages)} | {mean:.2f} | "
                     f"{statistics.median(pages):.2f} | **{mean / base:.1f}** | **{mean / kept:.1f}** |")
    return lines


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000 if len(values) > 1 \
        else values[0] * 1000


def report(args, results: list[dict]) -> str:
    workers = args.workers or os.cpu_count() * 2 + 1
    threads = args.threads or int(os.environ.get("GUNICORN_THREADS", 4))
    client_nice = (f"nice {args.client_nice} (the server: nice {os.getpriority(os.PRIO_PROCESS, 0)})"
                   if os.geteuid() == 0 else "the server's priority (not root)")
    lines = [f"\n## Candidate journey under load (issue 8) — {datetime.now().strftime('%Y-%m-%d %H:%M')} (server clock)\n",
             f"Command: `flock /tmp/bench.lock .venv/bin/python bench/journey.py --db postgresql+psycopg://…/"
             f"medexam_bench_journey --users {' '.join(str(r['users']) for r in results)} --duration {args.duration} "
             f"--think {args.think} --ramp {args.ramp}`"
             + (f" --workers {args.workers}" if args.workers else "") + (f" --threads {args.threads}" if args.threads else ""),
             f"Machine: {os.cpu_count()} cores ({platform.machine()}), shared with other work; PostgreSQL 15 local; "
             f"gunicorn.conf.py ({workers} gthread workers × {threads} threads), Redis for rate limits; the load "
             f"generator on the same machine, its threads at {client_nice}. Think time uniform 0–{2 * args.think:g} s between pages.\n"]
    for r in results:
        s: Stats = r["stats"]
        total = sum(len(v) for v in s.latency.values())
        errors = sum(s.errors.values())
        pages = total - sum(len(s.latency.get(label, [])) for label in UNTIMED)
        lines.append(f"### {r['users']} concurrent users — {s.journeys} journeys, {total} requests in {r['wall']:.0f} s "
                     f"= **{total / r['wall']:.1f} requests/s**, errors {errors} ({100 * errors / max(total, 1):.2f} %)"
                     f", journeys sent to the 系统繁忙 page {s.turned_away}\n")
        lines.append("| page | requests | p50 ms | p95 ms | p99 ms | max ms | errors |")
        lines.append("|---|---|---|---|---|---|---|")
        every = []
        for label, values in s.latency.items():
            every.extend(values if label not in UNTIMED else [])
            lines.append(f"| {label} | {len(values)} | {pct(values, 50):.0f} | {pct(values, 95):.0f} | "
                         f"{pct(values, 99):.0f} | {max(values) * 1000:.0f} | {s.errors.get(label, 0)} |")
        lines.append(f"| **all pages (without /healthz, /_baseline and the 系统繁忙 page)** | {len(every)} | {pct(every, 50):.0f} | {pct(every, 95):.0f} | "
                     f"{pct(every, 99):.0f} | {max(every) * 1000:.0f} | "
                     f"{errors - s.errors.get('GET /healthz (trivial)', 0)} |\n")
        lines.append(f"CPU during the run: app server {r['server_cpu']:.1f} s "
                     f"({1000 * r['server_cpu'] / max(pages, 1):.1f} ms per page request), its PostgreSQL backends "
                     f"{r['db_cpu']:.1f} s ({1000 * r['db_cpu'] / max(pages, 1):.1f} ms per page request), load "
                     f"generator {r['client_cpu']:.1f} s. Load average (1 min) before/after: "
                     f"{r['load'][0][0]:.1f} / {r['load'][1][0]:.1f}.")
        if r["gc"]:
            lines.append("Garbage collector in the app server while serving (warm-up included): " + "; ".join(
                f"generation {g}: {len(v)} passes, {sum(v):.0f} ms in all, longest {max(v):.1f} ms"
                for g, v in sorted(r["gc"].items())) + ".")
        lines.append("\nServer CPU per request by page, beside the minimal page served by the same gunicorn in the same "
                     "run (bench/baseline_wsgi.py: the serving thread's CPU from request to last byte):\n")
        lines.extend(ratio_table(r["page_cpu"]))
        lines.append("")
        if s.samples:
            lines.append(f"First errors: {'; '.join(s.samples)}.")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a PostgreSQL URL of a database this script may empty")
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--duration", type=float, default=90, help="seconds of load per number of users")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between pages, seconds")
    parser.add_argument("--ramp", type=float, default=10, help="seconds over which the users arrive")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: its config)")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default: its config)")
    parser.add_argument("--client-nice", type=int, default=-5,
                        help="nice value of the simulated users' threads (root only; the server keeps the script's)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="a Redis database it may empty")
    parser.add_argument("--append", action="store_true", help="append the result to docs/BENCHMARKS.md")
    args = parser.parse_args()
    os.environ.setdefault("INSTANCE_DIR", "/tmp/bench_journey_instance")
    os.environ["APP_ENV"] = "development"
    results = [run(args, users) for users in args.users]
    block = report(args, results)
    print(block)
    if args.append:
        with open(ROOT / "docs" / "BENCHMARKS.md", "a", encoding="utf-8") as fh:
            fh.write(block)
    sys.exit(0 if all(sum(r["stats"].errors.values()) == 0 for r in results) else 1)


if __name__ == "__main__":
    main()
