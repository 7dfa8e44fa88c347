"""Benchmark of 网上资格审核 (issue 16): the review page of a case with 6 documents on a national-scale
database (target p95 ≤ 300 ms server time), a document thumbnail served (≤ 20 ms p95), and a 3 MB phone photo
processed — sniffed, decoded, re-encoded, thumbnail made and stored — (≤ 0.5 s).

    .venv/bin/python bench/generate_registrations.py postgresql+psycopg://postgres@127.0.0.1/medexam_bench
    .venv/bin/python bench/review.py postgresql+psycopg://postgres@127.0.0.1/medexam_bench [runs]

Makes one submitted registration of site 1 a 网上审核 case with 6 documents (4 photos, 2 two-page PDFs) stored
with the file system backend in a temporary folder, logs a 考点审核员 of site 1 in through the real form, and
times whole requests in process (routing, scope, queries, template; no network), like bench/review_queue.py.
"""
from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.review_queue import logged_in, staff  # noqa: E402


def phone_photo(megabytes: float = 3.0) -> bytes:
    """A 4000×3000 JPEG of noise-like texture, about ``megabytes`` in size, with an EXIF orientation."""
    import random

    from PIL import Image
    rnd = random.Random(7)
    small = Image.frombytes("RGB", (400, 300), bytes(rnd.randrange(256) for _ in range(400 * 300 * 3)))
    img = small.resize((4000, 3000), Image.Resampling.BICUBIC)
    exif = Image.Exif()
    exif[0x0112] = 6
    for quality in (95, 90, 85, 80, 70, 60):
        out = io.BytesIO()
        img.save(out, "JPEG", quality=quality, exif=exif.tobytes())
        if out.tell() <= megabytes * 1024 * 1024:
            break
    return out.getvalue()


def two_page_pdf() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    pages = [Image.new("RGB", (1240, 1754), (250, 250, 250 - 10 * i)) for i in range(2)]
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:])
    return out.getvalue()


def make_case(app) -> tuple[int, int]:
    """A submitted registration of site 1 turned into a 网上审核 case with 6 documents: (id, a link id)."""
    from sqlalchemy import select

    from core.db import db
    from core.documents import processing, service
    from core.models import Document, Registration, RegistrationDocument
    with app.app_context():
        reg = db.session.scalars(select(Registration).where(Registration.site_id == 1,
                                                            Registration.status == "submitted").limit(1)).one()
        reg.online_review = True
        db.session.execute(RegistrationDocument.__table__.delete().where(
            RegistrationDocument.registration_id == reg.id))
        photo, pdf = phone_photo(1.0), two_page_pdf()
        slots = ["id_front", "id_back", "practice", "diploma:education:1", "chsi:education:1", "military"]
        for i, slot in enumerate(slots):
            result = processing.process(pdf if i in (3, 4) else photo)
            doc = Document(candidate_id=reg.candidate_id, slot=f"bench-{reg.id}-{i}", content_type=result.content_type,
                           bytes=len(result.data), pages=len(result.pages), **service._store(result))
            db.session.add(doc)
            db.session.flush()
            db.session.add(RegistrationDocument(registration_id=reg.id, document_id=doc.id, slot=slot,
                                                label=f"材料{i + 1}"))
        db.session.commit()
        link = db.session.scalar(select(RegistrationDocument.id).where(RegistrationDocument.registration_id == reg.id))
        return reg.id, link


def measured(client, url: str, runs: int, etag: bool = False) -> dict | None:
    """Whole requests, timed: wall time (what the reviewer waits, inflated by a loaded machine), this
    process's CPU time (steadier under load: the routing, permission check, queries' Python side, template)
    and SQL statements per request. ``etag``: asked for again with the browser's ETag (a 304 expected);
    None when the route sends no ETag."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    headers = {}
    if etag:
        tag = client.get(url).headers.get("ETag")
        if not tag:
            return None
        headers = {"If-None-Match": tag}
    expected = 304 if etag else 200
    for _ in range(3):
        assert client.get(url, headers=headers).status_code == expected, url
    statements = []

    def count(*_args):
        statements.append(1)
    event.listen(Engine, "before_cursor_execute", count)
    wall, cpu = [], []
    try:
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            resp = client.get(url, headers=headers)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert resp.status_code == expected
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    wall.sort()
    cpu.sort()
    p95 = max(int(len(wall) * 0.95) - 1, 0)
    return {"median": statistics.median(wall), "p95": wall[p95], "max": wall[-1],
            "cpu": statistics.median(cpu), "cpu95": cpu[p95], "queries": len(statements) / runs}


def upload_processing(app, runs: int) -> tuple[float, float, float, int]:
    from core.documents import processing, service
    data = phone_photo(3.0)
    with app.app_context():
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            service._store(processing.process(data))
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(int(len(samples) * 0.95) - 1, 0)], samples[-1], len(data)


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__)
    url, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30
    os.environ["DATABASE_URL"] = url
    from factory import create_app
    from core.services.scope import SITE_REVIEWER
    folder = tempfile.mkdtemp(prefix="bench-documents-")
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False,
                     DOCUMENT_STORAGE="fs", DOCUMENT_DIR=folder)
    staff(app.extensions["backoffice"], "bench_site", SITE_REVIEWER, site_id=1)
    reg_id, link_id = make_case(app)
    client = logged_in(app, "bench_site")
    print(f"load average {os.getloadavg()[0]:.1f}; {runs} runs each; ms")
    print(f"{'case':<40} {'median':>7} {'p95':>6} {'max':>6} {'CPU med':>8} {'CPU p95':>8} {'SQL':>5}")
    thumb = f"/admin/online-review/documents/{link_id}/thumb"
    for name, path, etag in [("考点审核员 · 网上资格审核页（6份材料）", f"/admin/online-review/show/{reg_id}", False),
                             ("考点审核员 · 材料缩略图", thumb, False),
                             ("考点审核员 · 材料缩略图（浏览器已有：304）", thumb, True),
                             ("考点审核员 · 材料页面图（第1页）", f"/admin/online-review/documents/{link_id}/page?n=0", False),
                             ("考点审核员 · 网上资格审核队列", "/admin/online-review/list/", False)]:
        m = measured(client, path, runs, etag)
        if m is None:
            print(f"{name:<40} (no ETag: not cached)")
            continue
        print(f"{name:<40} {m['median']:7.1f} {m['p95']:6.1f} {m['max']:6.1f} {m['cpu']:8.1f} {m['cpu95']:8.1f} "
              f"{m['queries']:5.1f}   {path}")
    median, p95, worst, size = upload_processing(app, max(runs // 3, 5))
    print(f"{'3 MB phone photo: process + store':<40} {median:6.0f} {p95:5.0f} {worst:5.0f}   ({size} bytes)")


if __name__ == "__main__":
    main()
