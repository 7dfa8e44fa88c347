"""网上资格审核 in the back office: the queue, the review page, per-document verdicts and the decision over
HTTP, the audited original, a decision on a case that changed meanwhile, progress, 资格审核方式."""
from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.models import AuditEntry, Registration, RegistrationDocument, ReviewMode
from core.services.scope import SITE_REVIEWER
from tests.factories import make_staff
from tests.support.web import admin_csrf, staff_login, text


def _login(client, world, role="site"):
    assert staff_login(client, world["staff"][role][1]).status_code == 302


def test_queue_and_page_show_the_case_with_its_documents(world, client):
    _login(client, world)
    ids = world["ids"]
    queue = text(client.get("/admin/online-review/list/"))
    assert ids["onlnumber_a"] in queue and "已提交" in queue and "小时" in queue
    page = client.get(f"/admin/online-review/show/{ids['onl_a']}")
    body = text(page)
    assert page.status_code == 200 and "身份证件（人像面）" in body and "模糊不清" in body
    assert f"/admin/online-review/documents/{ids['doclink_a']}/page?n=0" in body
    identity = body.split('id="entry-identity"')[1].split('class="panel panel-default entry-group"')[0]
    assert "填报内容" in identity and f'id="doc-{ids["doclink_a"]}"' in identity  # the ID scan beside 本人身份
    assert f'<a href="#doc-{ids["doclink_a"]}" class="doc-strip-link"><img src="/admin/online-review/documents/' \
           f'{ids["doclink_a"]}/thumb"' in body
    img = client.get(f"/admin/online-review/documents/{ids['doclink_a']}/page?n=0")
    assert img.status_code == 200 and img.mimetype == "image/jpeg"
    assert client.get(f"/admin/online-review/documents/{ids['doclink_a']}/page?n=5").status_code == 404
    assert ids["onlnumber_a"] not in text(client.get("/admin/review/list/"))  # not in the on-site queue


def test_verdict_with_two_reasons_then_correction_request(world, client):
    _login(client, world)
    ids = world["ids"]
    token = admin_csrf(client)
    resp = client.post(f"/admin/online-review/documents/{ids['doclink_a']}",
                       data={"csrf_token": token, "verdict": "correction", "reasons": []})
    assert resp.status_code == 422 and "至少选择一个原因" in text(resp)
    resp = client.post(f"/admin/online-review/documents/{ids['doclink_a']}",
                       data={"csrf_token": token, "verdict": "correction", "reasons": ["blurred", "expired"],
                             "note": "证件已过期"})
    assert resp.status_code == 302
    link = db.session.get(RegistrationDocument, ids["doclink_a"])
    db.session.refresh(link)
    assert link.verdict == "correction" and link.reasons == ["blurred", "expired"]
    resp = client.post(f"/admin/online-review/{ids['onl_a']}/decide",
                       data={"csrf_token": token, "decision": "approve", "version": "0"})
    assert resp.status_code == 422 and "尚未审核通过" in text(resp)
    resp = client.post(f"/admin/online-review/{ids['onl_a']}/decide",
                       data={"csrf_token": token, "decision": "request_correction", "version": "0"})
    assert resp.status_code == 302
    reg = db.session.get(Registration, ids["onl_a"])
    db.session.refresh(reg)
    assert reg.status == "correction" and reg.correction_deadline is not None


def test_a_decision_on_a_case_that_changed_meanwhile_says_so(world, client):
    _login(client, world)
    ids = world["ids"]
    token = admin_csrf(client)
    data = {"csrf_token": token, "decision": "reject", "reason": "证件非本人", "version": "0"}
    db.session.execute(Registration.__table__.update().where(Registration.id == ids["onl_a"])
                       .values(review_version=1))  # another reviewer decided a moment ago
    db.session.commit()
    resp = client.post(f"/admin/online-review/{ids['onl_a']}/decide", data=data)
    assert resp.status_code == 409 and "已被他人处理或已有更新" in text(resp)
    db.session.expire_all()
    assert db.session.get(Registration, ids["onl_a"]).status == "submitted"


def test_original_download_is_audited(world, client):
    _login(client, world)
    ids = world["ids"]
    resp = client.get(f"/admin/online-review/documents/{ids['doclink_a']}/original")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document.viewed")).one()
    assert entry.actor_name == world["staff"]["site"][1]


def test_progress_lists_only_the_scope(world, client):
    _login(client, world, "region")
    body = text(client.get("/admin/online-review/progress"))
    assert world["cat_a"]["region"].name in body and world["ids"]["region_b_name"] not in body
    regions = body.split('id="progress-regions"')[1].split("</table>")[0]
    assert f'<th scope="row">{world["cat_a"]["region"].name}</th><td>1</td>' in regions  # 1 待审核


def test_statistics_download_has_the_progress_of_the_scope_only(world, client):
    """The statistics export (统计分析 → 下载 Excel) carries the same progress, scoped like every export."""
    from io import BytesIO

    from openpyxl import load_workbook
    _login(client, world, "region")
    resp = client.get("/admin/reports/statistics/download.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(BytesIO(resp.data))
    regions = list(wb["网上资格审核进度（按考区）"].iter_rows(min_row=2, values_only=True))
    sites = list(wb["网上资格审核进度（按考点）"].iter_rows(min_row=2, values_only=True))
    assert [r[:2] for r in regions] == [(world["cat_a"]["region"].name, 1)]
    assert [(r[0], r[1], r[-1]) for r in sites] == [(world["cat_a"]["site"].name, 1, world["cat_a"]["region"].name)]
    assert all(world["ids"]["region_b_name"] not in str(r) for r in regions + sites)


def test_review_modes_are_data_of_the_region_admin(world, client):
    _login(client, world, "region")
    ids = world["ids"]
    token = admin_csrf(client)
    form = {"csrf_token": token, "region_id": str(ids["region_a"]), "exam_year_id": str(ids["year"]),
            "mode": "online", "review_start": "2027-03-10", "review_end": "2027-03-01", "correction_days": "5"}
    resp = client.post("/admin/review-modes/add", data=form)
    assert "审核截止日期不能早于开始日期" in text(resp)
    resp = client.post("/admin/review-modes/add", data={**form, "region_id": str(ids["region_b"]),
                                                        "review_end": "2027-03-31"})
    assert db.session.scalar(select(ReviewMode.id).where(ReviewMode.region_id == ids["region_b"])) is None
    resp = client.post("/admin/review-modes/add", data={**form, "review_end": "2027-03-31"})
    assert resp.status_code == 302
    mode = db.session.scalars(select(ReviewMode)).one()
    assert (mode.mode, mode.correction_days) == ("online", 5)
    assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "review_modes")).all() \
        == ["catalogue.review_modes.added"]


def test_thumbnail_is_one_query_cached_privately_and_revalidated(world, client, admin_app):
    """The thumbnail route: one query for link, case, scope and key (the registration itself is not loaded),
    an ETag and private caching; a 304 for the browser's copy — never for a reviewer outside the scope; not
    audited (page images and originals stay no-store, and the original is audited)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    _login(client, world)
    ids = world["ids"]
    url = f"/admin/online-review/documents/{ids['doclink_a']}/thumb"
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)
    event.listen(Engine, "before_cursor_execute", record)
    try:
        resp = client.get(url)
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert resp.status_code == 200 and resp.data.startswith(b"\xff\xd8") and resp.mimetype == "image/jpeg"
    assert resp.headers["Cache-Control"] == "private, max-age=3600, immutable" and resp.headers["ETag"]
    ours = [s for s in statements if "registration_documents" in s or "FROM registrations" in s]
    assert len(ours) == 1 and "registrations.snapshot" not in ours[0]
    assert len(statements) <= 4, statements  # staff session, user with roles and groups, password check, this
    again = client.get(url, headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == resp.headers["ETag"]
    page = client.get(f"/admin/online-review/documents/{ids['doclink_a']}/page?n=0")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"] and "ETag" not in page.headers
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "document.viewed")) is None
    outsider = make_staff(admin_app, SITE_REVIEWER, sites=[ids["site_b"]])[1]
    client.get("/admin/logout/")
    assert staff_login(client, outsider).status_code == 302
    for headers in ({}, {"If-None-Match": resp.headers["ETag"]}):
        refused = client.get(url, headers=headers)
        assert refused.status_code == 404 and "ETag" not in refused.headers and b"\xff\xd8" not in refused.data
    assert client.get(f"/admin/online-review/documents/{ids['doclink_b']}/thumb").status_code == 200
