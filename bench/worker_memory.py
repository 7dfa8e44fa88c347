"""What a gunicorn worker costs to start, and whether its memory grows with the requests it serves (issue 19).

    nice -n 5 .venv/bin/python bench/worker_memory.py --db postgresql+psycopg://postgres@127.0.0.1/medexam_bench_mem \\
        [--journeys 300] [--forms 600]

1. the CPU of importing the app in a fresh process (what each recycled worker pays: gunicorn.conf.py's
   ``max_requests``), three times;
2. the process's resident memory every 25 journeys of bench/journey.py run in process (Flask's test client, a
   fresh candidate each: the database is emptied first, never point it at real data), after a collection;
3. the resident memory every 100 application forms printed with WeasyPrint (bench/application_form.py's forms).
Flat memory means recycling can be rare; the start's CPU says what each recycle costs.
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

START = "import time; t = time.process_time(); import wsgi; print(time.process_time() - t)"


def rss_mb() -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmRSS"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--journeys", type=int, default=300)
    parser.add_argument("--forms", type=int, default=600)
    args = parser.parse_args()

    env = dict(os.environ, DATABASE_URL=args.db, APP_ENV="development")
    starts = [float(subprocess.run([sys.executable, "-c", START], cwd=ROOT, env=env, capture_output=True, text=True,
                                   check=True).stdout) for _ in range(3)]
    print("worker start (import the app), CPU s:", ", ".join(f"{s:.2f}" for s in starts))

    import cProfile

    from journey import seed
    from profile_pages import InProcessUser
    people, queries = seed(args.db, args.journeys)
    from core.db import db
    from factory import create_app
    app = create_app("development", SQLALCHEMY_DATABASE_URI=args.db, LOGIN_RATE_LIMIT="1000000 per minute",
                     RATELIMIT_ENABLED=False)
    with app.app_context():
        engine = db.engine
    gc.collect()
    gc.freeze()  # as gunicorn.conf.py's workers do
    print("| journeys | requests | RSS MB | objects tracked by the collector |\n|---|---|---|---|")
    requests: dict = {}
    for k, cand in enumerate(people, 1):
        with app.test_client() as client:
            InProcessUser(client, engine, requests, None, cProfile.Profile()).journey(cand, random.choice(queries))
        if k % 25 == 0 or k == 1:
            gc.collect()
            print(f"| {k} | {sum(len(v) for v in requests.values())} | {rss_mb()} | {len(gc.get_objects())} |")

    from PIL import Image

    from application_form import snapshot
    from reports.application_form import application_form_pdf
    photo_dir = Path(tempfile.mkdtemp(prefix="bench-mem-"))
    Image.new("RGB", (102, 126), (200, 210, 230)).save(photo_dir / "photo.jpg", quality=85)
    print("\n| forms printed | RSS MB |\n|---|---|")
    for i in range(1, args.forms + 1):
        application_form_pdf(snapshot(i), photo_dir)
        if i % 100 == 0 or i == 1:
            gc.collect()
            print(f"| {i} | {rss_mb()} |")


if __name__ == "__main__":
    main()
