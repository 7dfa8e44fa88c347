"""Server time of the scoped, filtered 现场资格审核 queue list page on a national-scale database.

    .venv/bin/python bench/generate_registrations.py postgresql+psycopg://postgres@127.0.0.1/medexam_bench
    .venv/bin/python bench/review_queue.py postgresql+psycopg://postgres@127.0.0.1/medexam_bench [runs]

Creates (once) a 考点审核员 of site 1, a 考区管理员 of region 1 and a 国家管理员, logs each in through the
real /admin/login/ form, and times whole requests in process (routing, scope, FAB's count and page
queries, template rendering; no network). Target: ≤ 300 ms for the scoped, filtered queue page.
"""
from __future__ import annotations

import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PASSWORD = "Bench#2027-Strong-pw"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def staff(admin_app, username, role, region_id=None, site_id=None):
    from core.db import db
    from core.models import StaffScope
    sm = admin_app.appbuilder.sm
    with admin_app.app_context():
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(username, "压测", "人员", f"{username}@bench.cn", sm.find_role(role), PASSWORD)
            if region_id or site_id:
                db.session.add(StaffScope(user_id=user.id, region_id=region_id, site_id=site_id))
            db.session.commit()


def logged_in(app, username):
    client = app.test_client()
    page = client.get("/admin/login/").get_data(as_text=True)
    match = CSRF.search(page)
    resp = client.post("/admin/login/", data={"username": username, "password": PASSWORD,
                                              "csrf_token": match.group(1) or match.group(2)})
    assert resp.status_code == 302, resp.status_code
    return client


def timed(client, url, runs):
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        resp = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert resp.status_code == 200
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], samples[-1]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    url, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30
    os.environ["DATABASE_URL"] = url
    from factory import create_app
    from core.services.scope import NATIONAL_ADMIN, REGION_ADMIN, SITE_REVIEWER
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)
    admin_app = app.extensions["backoffice"]
    staff(admin_app, "bench_site", SITE_REVIEWER, site_id=1)
    staff(admin_app, "bench_region", REGION_ADMIN, region_id=1)
    staff(admin_app, "bench_national", NATIONAL_ADMIN)
    cases = [
        ("考点审核员 · 待审核队列（本考点）", "bench_site", "/admin/review/list/"),
        ("考点审核员 · 待审核队列 · 按报考类别筛选", "bench_site", "/admin/review/list/?_flt_0_subject=3"),
        ("考点审核员 · 待审核队列 · 第20页", "bench_site", "/admin/review/list/?page_ReviewQueueView=19"),
        ("考区管理员 · 待审核队列（本考区11个考点）", "bench_region", "/admin/review/list/"),
        ("考区管理员 · 待审核队列 · 按考点筛选", "bench_region", "/admin/review/list/?_flt_0_site=2"),
        ("考区管理员 · 报名查询 · 按报名号", "bench_region",
         "/admin/registrations/list/?_flt_0_number=20270000000012"),
        ("国家管理员 · 待审核队列（全国）", "bench_national", "/admin/review/list/"),
    ]
    clients = {}
    print(f"{'case':<44} median  p95  max (ms), {runs} runs")
    for name, user, path in cases:
        client = clients.setdefault(user, logged_in(app, user))
        median, p95, worst = timed(client, path, runs)
        print(f"{name:<40} {median:6.0f} {p95:5.0f} {worst:5.0f}   {path}")


if __name__ == "__main__":
    main()
