"""Benchmark: 考场编排 of a whole year on PostgreSQL, one 准考证 PDF warm, one site's 签到表 with photos.

    .venv/bin/python bench/arrange.py postgresql+psycopg://postgres@127.0.0.1/medexam_bench_arrange \
        [--registrations 1000000] [--sites 350] [--rooms 100] [--skip-fill] [--documents-only]

Targets (issue 18): N = 1,000,000 approved and paid registrations over 350 sites and about 35,000 rooms planned
(预排) and published in ≤ 5 minutes with ≤ 1 GB of memory; one 准考证 warm ≤ 0.3 s; the 签到表 and 门贴 of a site
with 3,000 candidates, photos included, ≤ 60 s. The database is created, migrated and filled inside PostgreSQL
(INSERT ... SELECT over generate_series); every registration is approved and paid; rooms hold 30 seats, 5 % are
accessible, 20 % host the 军事医学 session; 2 % of candidates need an accessible room, 3 % take 军事医学.
Peak memory is this process's maximum resident set (ru_maxrss).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate_registrations import SNAPSHOT, ensure_database, migrate  # noqa: E402


def fill(url: str, n: int, sites: int, rooms: int) -> None:
    regions = max(1, sites // 11)
    sql = f"""
        TRUNCATE seat_moves, seat_assignments, arrangement_runs, arrangement_locks, exam_room_sessions, exam_rooms,
                 exam_sessions, ticket_windows, registrations, candidates, sites, regions, exam_subjects,
                 exam_years, exam_families RESTART IDENTITY CASCADE;
        INSERT INTO exam_families (code, name) VALUES ('physician', '医师资格考试');
        INSERT INTO exam_years (family_id, year, name, window_opens_at, window_closes_at, cutoff_date)
          VALUES (1, 2027, '2027年医师资格考试', '2027-01-21 16:00', '2027-02-04 16:00', '2027-08-31');
        INSERT INTO exam_subjects (exam_year_id, code, name, category, level, route, written_units)
          SELECT 1, (100 + s)::text, '科目' || s, '临床', '执业医师', '学历', 4 FROM generate_series(1, 10) s;
        INSERT INTO exam_sessions (exam_year_id, part, level, name, starts_at, ends_at)
          SELECT 1, 'written', '执业医师', '第' || u || '单元', TIMESTAMP '2027-08-21 01:00' + (u * interval '5 hours'),
                 TIMESTAMP '2027-08-21 03:30' + (u * interval '5 hours') FROM generate_series(1, 4) u;
        INSERT INTO exam_sessions (exam_year_id, part, name, starts_at, ends_at)
          VALUES (1, 'military', '军事医学', '2027-08-23 01:00', '2027-08-23 02:00');
        INSERT INTO regions (code, name, online_payment_open)
          SELECT (110000 + r * 10000)::text, '考区' || r, true FROM generate_series(1, {regions}) r;
        INSERT INTO sites (region_id, code, name, address, capacity, taken)
          SELECT 1 + (s - 1) % {regions}, 'S' || lpad(s::text, 5, '0'), '考点' || s, '某市某路' || s || '号', 100000, 0
          FROM generate_series(1, {sites}) s;
        INSERT INTO exam_rooms (site_id, number, capacity, floor, accessible, closed)
          SELECT 1 + (r - 1) / {rooms}, 1 + (r - 1) % {rooms}, 30, (1 + r % 5) || '层', r % 20 = 0, false
          FROM generate_series(1, {sites * rooms}) r;
        INSERT INTO exam_room_sessions (room_id, session_id) SELECT r.id, s.id FROM exam_rooms r, exam_sessions s
          WHERE s.part = 'written' OR r.number % 5 = 0;
        INSERT INTO ticket_windows (region_id, exam_year_id, opens_at, valid_until)
          SELECT id, 1, now() - interval '1 day', now() + interval '30 days' FROM regions;
        INSERT INTO candidates (username, password_hash, must_change_password, failed_logins, recovery_failures,
                                name, sex, birth_date, doc_type, doc_number, nationality, military_identity,
                                work_unit_manual, work_unit_name, created_at, updated_at)
          SELECT 'ks' || i, 'x', false, 0, 0, '考生' || i, CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END,
                 DATE '1985-01-01' + (i % 5000), 'passport', 'P' || lpad(i::text, 9, '0'), '中国', 'civilian', false,
                 '医院' || (i % 997), now(), now()
          FROM generate_series(1, {n}) i;
        INSERT INTO registrations (candidate_id, exam_year_id, subject_id, region_id, site_id, status, payment_status,
                                   number, attempts, military_unit, needs_accessible_room, snapshot, submitted_at,
                                   created_at, updated_at)
          SELECT i, 1, 1 + i % 10, 1 + (site - 1) % {regions}, site, 'approved', 'paid', '2027' || lpad(i::text, 10, '0'),
                 1, i % 33 = 0, i % 50 = 7, CAST(:snap AS jsonb), now(), now(), now()
          FROM (SELECT i, 1 + (i::bigint * 7919) % {sites} AS site FROM generate_series(1, {n}) i) g;
    """
    engine = create_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        for statement in filter(str.strip, sql.split(";\n")):
            conn.execute(text(statement), {"snap": SNAPSHOT} if ":snap" in statement else {})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    print(f"fill: {n} registrations, {sites} sites, {sites * rooms} rooms in {time.perf_counter() - started:.1f} s")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--registrations", type=int, default=1_000_000)
    ap.add_argument("--sites", type=int, default=350)
    ap.add_argument("--rooms", type=int, default=100)
    ap.add_argument("--skip-fill", action="store_true")
    ap.add_argument("--documents-only", action="store_true", help="skip the arrangement (already published)")
    args = ap.parse_args()
    ensure_database(args.url)
    migrate(args.url)
    if not args.skip_fill:
        fill(args.url, args.registrations, args.sites, args.rooms)

    workers = int(os.environ.get("ARRANGE_WORKERS", "2"))
    if not args.documents_only:
        arrange_all(args.url, args.sites, workers)
    documents(args.url)


# --- the arrangement: plan_and_publish per site, ARRANGE_WORKERS processes with their own connection ---------

_app = None


def _worker_init(url: str) -> None:
    global _app
    from factory import create_app
    _app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    _app.app_context().push()


def _arrange_site(site_id: int) -> tuple[int, int, float]:
    from core.arrangement import service
    from core.db import db
    from core.registration.lifecycle import SYSTEM_ACTOR
    started = time.perf_counter()
    run = service.plan_and_publish(site_id, 1, SYSTEM_ACTOR, seed=site_id)
    placed, unplaced = run.placed_count, len(run.unplaced)
    db.session.expunge_all()
    return placed, unplaced, time.perf_counter() - started


def arrange_all(url: str, sites: int, workers: int) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    started = time.perf_counter()
    placed = unplaced = done = 0
    busy = 0.0
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init,
                             initargs=(url,)) as pool:
        for p, u, seconds in pool.map(_arrange_site, range(1, sites + 1)):
            placed, unplaced, done, busy = placed + p, unplaced + u, done + 1, busy + seconds
            if done % 25 == 0:
                print(f"  {done} sites, {placed} placed, {time.perf_counter() - started:.0f} s, "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
        total = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"arrange + publish (plan_and_publish, {workers} processes): {placed} placed, {unplaced} unplaced, "
          f"{total:.1f} s ({busy / sites:.2f} s per site per worker), peak RSS per worker {children:.0f} MB, "
          f"parent {rss_mb():.0f} MB, load {os.getloadavg()}")


# --- 准考证 and the 签到表 of the biggest site, with a distinct photo per candidate ----------------------------

def photos(photo_dir: Path, names: list[str]) -> None:
    """One distinct photo per candidate (noise with its own tint, 480 x 640 like a phone upload)."""
    from PIL import Image
    for i, name in enumerate(names):
        noise = Image.effect_noise((480, 640), 40 + i % 30).convert("RGB")
        tint = Image.new("RGB", (480, 640), ((i * 37) % 256, (i * 91) % 256, (i * 53) % 256))
        Image.blend(noise, tint, 0.5).save(photo_dir / name, "JPEG", quality=85)


def documents(url: str) -> None:
    from factory import create_app
    from core.arrangement import admission
    from core.db import db
    from core.models import Registration
    from reports.admission_documents import sheets_pdf, ticket_pdf
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        photo_dir = Path(tempfile.mkdtemp(prefix="bench-photos-"))
        photos(photo_dir, ["p.jpg"])
        reg = db.session.get(Registration, db.session.scalar(text("SELECT registration_id FROM seat_assignments "
                                                                   "ORDER BY id LIMIT 1")))
        reg.snapshot = {**reg.snapshot, "photo": "p.jpg"}
        ticket_pdf(admission.ticket_data(reg), photo_dir)  # cold
        times = []
        for _ in range(7):
            t = time.perf_counter()
            ticket_pdf(admission.ticket_data(reg), photo_dir)
            times.append(time.perf_counter() - t)
        print(f"准考证 PDF warm: median {sorted(times)[3]:.3f} s, min {min(times):.3f} s (7 runs, data + layout), "
              f"load {os.getloadavg()}")
        db.session.rollback()

        site_id = db.session.scalar(text("SELECT site_id FROM seat_assignments GROUP BY site_id "
                                         "ORDER BY count(*) DESC LIMIT 1"))
        t = time.perf_counter()
        sheets = admission.site_sheets(site_id)
        rows = [r for s in sheets for r in s["rows"]]
        read = time.perf_counter() - t
        for i, r in enumerate(rows):
            r["photo"] = f"c{i:05d}.jpg"
        photos(photo_dir, [r["photo"] for r in rows])
        workers = int(os.environ.get("PRINT_WORKERS", "2"))
        t = time.perf_counter()
        with tempfile.NamedTemporaryFile(suffix=".pdf") as out:
            sheets_pdf(sheets, photo_dir, Path(out.name), workers=workers)
            size = os.path.getsize(out.name)
        print(f"签到表和门贴 of site {site_id}: {len(rows)} candidates with distinct photos, {len(sheets)} rooms, "
              f"read {read:.1f} s, downscale + layout + join {time.perf_counter() - t:.1f} s ({workers} processes), "
              f"{size / 1e6:.1f} MB, peak RSS {rss_mb():.0f} MB (children "
              f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB), load {os.getloadavg()}")


if __name__ == "__main__":
    main()
