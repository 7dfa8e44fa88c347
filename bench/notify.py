"""Benchmark: notifications (issue 17) — delivery throughput per worker to a local SMTP server and the sandbox SMS
gateway, and the extra time the outbox adds to an event's transaction (target ≤ 2 ms p95).

    .venv/bin/python bench/notify.py --db postgresql+psycopg://postgres@127.0.0.1/medexam_bench_notify \
        [--events 50000] [--workers 1] [--overhead 2000]

Each event queues three rows (消息中心, e-mail, SMS): ``--events 50000`` is 100,000 messages to deliver.
The database is emptied and migrated first (PostgreSQL: its public schema is dropped — use a bench database).
The SMTP server (aiosmtpd, plain SMTP without TLS/AUTH, messages counted and dropped) and the sandbox SMS
gateway (signature checked on every request) run in this process, on threads: the machine's 2 cores are shared
between them and the delivery worker(s), so the numbers are a floor.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class Counter:
    def __init__(self):
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
        return "250 OK"


def fresh_database(url: str) -> None:
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine, text
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--events", type=int, default=50000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--overhead", type=int, default=2000, help="events timed for the outbox's extra time")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    os.environ.setdefault("INSTANCE_DIR", tempfile.mkdtemp())
    fresh_database(url)

    from aiosmtpd.controller import Controller
    from sqlalchemy import func, select
    from werkzeug.serving import make_server

    from core.db import db
    from core.models import AuditEntry, Candidate, Message
    from core.notify import delivery
    from core.notify.outbox import queue
    from core.services import audit
    from factory import create_app
    from sandbox_sms import create_app as create_sms

    counter = Counter()
    smtp = Controller(counter, hostname="127.0.0.1", port=18025)
    smtp.start()
    sms_app = create_sms(keys={"bench": "bench-secret"})
    sms_server = make_server("127.0.0.1", 0, sms_app, threaded=True)
    threading.Thread(target=sms_server.serve_forever, daemon=True).start()

    app = create_app(SQLALCHEMY_DATABASE_URI=url, NOTIFY_AUTO_DELIVER=False, SMTP_HOST="127.0.0.1",
                     SMTP_PORT=18025, SMTP_STARTTLS=False, SMTP_USERNAME="", SMS_PROVIDER="aliyun",
                     SMS_ENDPOINT=f"http://127.0.0.1:{sms_server.server_port}/", SMS_ACCESS_KEY_ID="bench",
                     SMS_ACCESS_KEY_SECRET="bench-secret")
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    print(f"database {url.split('@')[-1]}, {args.events} events = {3 * args.events} rows "
          f"({2 * args.events} to deliver), {args.workers} worker(s)", flush=True)

    with app.app_context():
        from datetime import date

        from core.db import utcnow
        cands = [Candidate(username=f"bench{i}", password_hash="x", name="王五", sex="M",
                           birth_date=date(1990, 1, 1), doc_type="passport", doc_number=f"B{i:08d}",
                           mobile="13800138000", email=f"bench{i}@example.cn",  # verified: e-mail and SMS
                           mobile_verified_at=utcnow(), email_verified_at=utcnow()) for i in range(100)]
        db.session.add_all(cands)
        db.session.commit()
        ids = [c.id for c in cands]

        # 1. the outbox's extra time on an event: an event transaction (an audit row, as every event writes)
        #    with and without its messages
        plain, with_outbox, queue_only = [], [], []
        for i in range(args.overhead):
            cand = db.session.get(Candidate, ids[i % 100])
            t0 = time.perf_counter()
            audit.record("registration.submitted", actor_type="system", obj=cand)
            if i % 2:
                t1 = time.perf_counter()
                queue(cand, "payment_paid", {"number": f"2027{i:014d}", "amount": "120.00", "receipt": "JF1"},
                      key=f"overhead:{i}")
                queue_only.append(time.perf_counter() - t1)
            db.session.commit()
            (with_outbox if i % 2 else plain).append(time.perf_counter() - t0)
        p95_plain, p95_outbox = percentile(plain, 95) * 1000, percentile(with_outbox, 95) * 1000
        print(f"event transaction p50/p95: without messages {statistics.median(plain) * 1000:.2f}/"
              f"{p95_plain:.2f} ms, with 3 messages {statistics.median(with_outbox) * 1000:.2f}/{p95_outbox:.2f} ms"
              f" (extra p95 {p95_outbox - p95_plain:.2f} ms); queue() alone p50/p95 "
              f"{statistics.median(queue_only) * 1000:.2f}/{percentile(queue_only, 95) * 1000:.2f} ms", flush=True)
        db.session.execute(db.delete(Message))
        db.session.execute(db.delete(AuditEntry).where(AuditEntry.id < 0))
        db.session.commit()

        # 2. queue N events, then deliver
        t0 = time.perf_counter()
        for i in range(args.events):
            queue(ids[i % 100], "payment_paid", {"number": f"2027{i:014d}", "amount": "120.00", "receipt": "JF1"},
                  key=f"bench:{i}")
            if i % 500 == 499:
                db.session.commit()
        db.session.commit()
        queued_s = time.perf_counter() - t0
        print(f"queued {args.events} events in {queued_s:.1f} s ({args.events / queued_s:.0f} events/s)", flush=True)

    def work(results: list):
        with app.app_context():
            results.append(delivery.deliver_due(batch=200))
            db.session.remove()

    results: list[int] = []
    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(results,)) for _ in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    with app.app_context():
        states = dict(db.session.execute(select(Message.state, func.count()).where(Message.channel != "inbox")
                                         .group_by(Message.state)).all())
    sent = sum(results)
    sms = len(sms_app.extensions["sandbox_sms"].messages())
    print(f"delivered {sent} messages in {elapsed:.1f} s: {sent / elapsed:.0f} messages/s in all, "
          f"{sent / elapsed / args.workers:.0f} per worker; SMTP server received {counter.n}, "
          f"SMS gateway {sms}; states {states}", flush=True)
    smtp.stop()
    sms_server.shutdown()
    return 0 if counter.n + sms == sent == 2 * args.events else 1


if __name__ == "__main__":
    sys.exit(main())
