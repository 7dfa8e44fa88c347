"""The sweep: every back-office page and action x every role x an object inside and outside the scope.

Inside the role's scope (and with the role's permission): allowed. Outside: refused with 403/404, never data.
World (the ``world`` fixture, tests/fixtures/backoffice.py): region A (sites A1, A2) and region B (site B), one
submitted registration in A1 and one in B; staff: 国家管理员, 考区管理员 of A, 考点审核员 of A1, 财务 of A.
"""
from __future__ import annotations

import pytest

from core.db import db
from core.models import Registration
from tests.support.scope_sweep import DETAIL
from tests.support.web import admin_csrf, staff_login

ROLES = ("national", "region", "site", "finance")

# A POST that is accepted answers with its form again (200, or 422: the empty form is invalid) or a redirect
# (302). Outside the scope it is 404 whatever the form holds.
ACCEPTED = {200, 302, 422}


def _obj(world, kind, inside):
    ids = world["ids"]
    return ids[f"{kind}_{'a' if inside else 'b'}"]


def _login(client, world, role):
    resp = staff_login(client, world["staff"][role][1])
    assert resp.status_code == 302 and "/login" not in resp.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_detail_pages(world, client, role):
    _login(client, world, role)
    token = admin_csrf(client)
    for name, method, url, kind, allowed in DETAIL:
        for inside in (True, False):
            target = url.format(obj=_obj(world, kind, inside))
            resp = (client.post(target, data={"csrf_token": token}) if method == "POST"
                    else client.get(target))
            case = f"{name} {'inside' if inside else 'outside'}: {target}"
            if role not in allowed:
                expected = 403
            elif inside or role == "national":
                expected = 404 if name == "photo" else 200  # no photo uploaded here: 404 for everyone
            else:
                expected = 404
            if expected == 200 and method == "POST":
                assert resp.status_code in ACCEPTED, case
            else:
                assert resp.status_code == expected, case
            if resp.status_code != 200:
                assert world["ids"]["number_b"] not in resp.get_data(as_text=True), case
    from core.models import Fee
    db.session.expire_all()
    assert (db.session.get(Fee, world["ids"]["fee_b"]) is None) == (role == "national")
    assert (db.session.get(Fee, world["ids"]["fee_a"]) is None) == (role in ("national", "region"))


LISTS = [
    ("review queue", "/admin/review/list/", {"national", "region", "site"}),
    ("registrations", "/admin/registrations/list/", {"national", "region", "site", "finance"}),
    ("candidate search by number", "/admin/candidates/?q={number}", {"national", "region", "site"}),
    ("payments", "/admin/payments/list/", {"national", "region", "finance"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name,url,allowed", LISTS, ids=[x[0] for x in LISTS])
def test_lists_show_only_the_scope(world, client, role, name, url, allowed):
    _login(client, world, role)
    ids = world["ids"]
    pages = {n: client.get(url.format(number=ids[f"number_{n}"])) for n in ("a", "b")}
    if role not in allowed:
        assert all(p.status_code == 403 for p in pages.values())
        return
    text_a, text_b = (pages[n].get_data(as_text=True) for n in ("a", "b"))
    if "q=" in url:  # the search box echoes the query: look for the result link instead
        marker = {n: f'/admin/candidates/{ids[f"cand_{n}"]}"' for n in ("a", "b")}
    else:  # the online queue lists the 网上审核 cases of the world
        marker = {n: ids[f"{'onlnumber' if 'online' in url else 'number'}_{n}"] for n in ("a", "b")}
    assert marker["a"] in text_a
    if role == "national":
        assert marker["b"] in text_b
    else:
        assert marker["b"] not in text_b


NATIONAL_ONLY = ["/admin/exam-years/list/", "/admin/exam-subjects/list/", "/admin/rule-settings/",
                 "/admin/exam-families/list/", "/admin/schools/list/", "/admin/schools/import",
                 "/admin/work-units/list/", "/admin/work-units/import", "/admin/training-types/list/",
                 "/admin/certificate-types/list/", "/admin/pinyin-exceptions/list/", "/admin/audit-log/list/",
                 "/admin/staff-scopes/list/", "/admin/users/list/", "/admin/roles/list/",
                 "/admin/regions/add", "/admin/exam-years/add"]


@pytest.mark.parametrize("role", ROLES)
def test_national_only_pages(world, client, role):
    _login(client, world, role)
    for url in NATIONAL_ONLY:
        status = client.get(url).status_code
        assert status == (200 if role == "national" else 403), url


@pytest.mark.parametrize("role", ["region", "site", "finance"])
def test_region_dropdowns_list_only_the_scope(world, client, role):
    """Related-field dropdowns (add/edit forms and search forms) never list other regions or sites."""
    _login(client, world, role)
    ids = world["ids"]
    for url in ("/admin/sites/add", f"/admin/sites/edit/{ids['site_a']}", "/admin/fees/add",
                "/admin/registrations/list/", "/admin/review/list/", "/admin/sites/list/"):
        resp = client.get(url)
        body = resp.get_data(as_text=True)
        assert ids["region_b_name"] not in body, url
        assert ids["site_b_name"] not in body, url
        if resp.status_code == 200 and role == "region" and "sites" in url:
            assert ids["region_a_name"] in body


@pytest.mark.parametrize("role", ROLES)
def test_bulk_approval_with_foreign_ids(world, client, role):
    """Bulk approval posts ids from both regions: only the rows in scope change."""
    _login(client, world, role)
    ids = world["ids"]
    resp = client.post("/admin/review/action_post", data={
        "action": "bulk_approve", "rowid": [str(ids["reg_a"]), str(ids["reg_b"])],
        "csrf_token": admin_csrf(client)})
    db.session.expire_all()
    status = {n: db.session.get(Registration, ids[f"reg_{n}"]).status for n in ("a", "b")}
    if role == "finance":
        assert resp.status_code == 403
        assert status == {"a": "submitted", "b": "submitted"}
    elif role == "national":
        assert status == {"a": "approved", "b": "approved"}
    else:
        assert resp.status_code == 302
        assert status == {"a": "approved", "b": "submitted"}


@pytest.mark.parametrize("role", ["region", "site"])
def test_single_decisions_on_foreign_registration_refused(world, client, role):
    _login(client, world, role)
    ids, token = world["ids"], admin_csrf(client)
    for data in ({"decision": "approve"}, {"decision": "reject", "reason": "材料不全"},
                 {"decision": "verify", "entry": "education:1"}):
        resp = client.post(f"/admin/review/{ids['reg_b']}/decide", data={**data, "csrf_token": token})
        assert resp.status_code == 404
    db.session.expire_all()
    assert db.session.get(Registration, ids["reg_b"]).status == "submitted"


def test_unknown_action_and_fab_get_action_refused(world, client):
    _login(client, world, "national")
    token = admin_csrf(client)
    assert client.post("/admin/review/action_post", data={"action": "nope", "rowid": "1",
                                                          "csrf_token": token}).status_code == 404
    assert client.get(f"/admin/review/action/bulk_approve/{world['ids']['reg_a']}").status_code == 405


def test_region_admin_cannot_move_a_site_to_another_region(world, client):
    _login(client, world, "region")
    ids = world["ids"]
    page = client.get(f"/admin/sites/edit/{ids['site_a']}")
    from tests.support.web import csrf_token_from
    resp = client.post(f"/admin/sites/edit/{ids['site_a']}", data={
        "csrf_token": csrf_token_from(page.get_data(as_text=True)), "region": str(ids["region_b"]),
        "code": "X1", "name": "改名", "capacity": "30"})
    db.session.expire_all()
    from core.models import Site
    assert db.session.get(Site, ids["site_a"]).region_id == ids["region_a"]
    assert resp.status_code == 200  # the form comes back with the field's error


def test_anonymous_is_sent_to_login(world, client):
    for url in ["/admin/review/list/", f"/admin/candidates/{world['ids']['cand_a']}", "/admin/audit-log/list/"]:
        resp = client.get(url)
        assert resp.status_code == 302 and "/admin/login/" in resp.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_thumbnail_revalidation_is_scoped_too(world, client, role):
    """A thumbnail asked for with the browser's ETag (If-None-Match) is 304 only inside the scope: the
    conditional answer is checked like the full one (outside: 404, without the permission: 403)."""
    import hashlib

    from core.models import Document, RegistrationDocument
    _login(client, world, role)
    for inside in (True, False):
        link = db.session.get(RegistrationDocument, _obj(world, "doclink", inside))
        etag = hashlib.sha256(db.session.get(Document, link.document_id).thumb_key.encode()).hexdigest()[:32]
        resp = client.get(f"/admin/online-review/documents/{link.id}/thumb", headers={"If-None-Match": f'"{etag}"'})
        if role == "finance":
            expected = 403
        else:
            expected = 304 if inside or role == "national" else 404
        assert resp.status_code == expected, (role, inside)
        assert (resp.headers.get("ETag") == f'"{etag}"') == (expected == 304)


def test_skills_base_only_within_the_region(world, client):
    """实践技能基地 (issue 18): the region admin of A cannot set one for B's site (404) nor make A's site use a
    base of B (refused beside the field); neither site changes."""
    from core.models import Site
    from tests.support.web import csrf_token_from
    ids = world["ids"]
    base_b = db.session.get(Site, ids["site_b"])
    base_b.hosts_skills = True
    a2 = db.session.get(Site, ids["site_a2"])
    a2.hosts_skills = True
    db.session.commit()
    _login(client, world, "region")
    page = client.get(f"/admin/sites/edit/{ids['site_a']}").get_data(as_text=True)
    token = csrf_token_from(page)
    assert world["ids"]["site_b_name"] not in page  # B's base is not offered
    form = {"csrf_token": token, "region": str(ids["region_a"]), "code": "A1X", "name": "考点", "capacity": "30"}
    for site_id, base_id in ((ids["site_b"], ids["site_a2"]), (ids["site_b"], "")):
        resp = client.post(f"/admin/sites/edit/{site_id}", data={**form, "region": str(ids["region_b"]),
                                                                  "skills_base": str(base_id)})
        assert resp.status_code == 404
    resp = client.post(f"/admin/sites/edit/{ids['site_a']}", data={**form, "skills_base": str(ids["site_b"])})
    assert resp.status_code == 200 and "实践技能基地须为本考区的考点" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Site, ids["site_a"]).skills_base_id is None
    assert db.session.get(Site, ids["site_a"]).name != "考点"
    assert db.session.get(Site, ids["site_b"]).skills_base_id is None
