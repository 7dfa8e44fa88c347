"""身份核验后重置密码: the local authority resets a candidate who has no registration in its region, after an
exact match of document type, full number and name typed from the original document."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.models import AuditEntry, Candidate
from core.services import passwords, ratelimit, staff_actions
from tests.factories import make_candidate
from tests.support.web import admin_csrf, staff_login

URL = "/admin/candidates/identity-check"
NOT_FOUND = "未找到与证件信息一致的考生"


@pytest.fixture
def newcomer(world):
    """A candidate with an account but no registration anywhere."""
    cand = make_candidate(name="李四")
    db.session.commit()
    return {"id": cand.id, "doc_number": cand.doc_number, "name": cand.name, "hash": cand.password_hash}


def _login(client, world, role):
    resp = staff_login(client, world["staff"][role][1])
    assert resp.status_code == 302 and "/login" not in resp.headers["Location"]
    return admin_csrf(client)


def _check(client, token, number, name, doc_type="id_card"):
    return client.post(URL, data={"csrf_token": token, "doc_type": doc_type, "doc_number": number, "name": name})


def _entries(action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id)).all()


def _no_full_number(entries, number):
    for e in entries:
        assert number not in repr((e.before, e.after, e.object_type, e.object_id)), e.action


@pytest.mark.parametrize("role", ["region", "national"])
def test_exact_lookup_lets_the_local_authority_reset_a_candidate_without_registration(world, client, newcomer,
                                                                                      role):
    token = _login(client, world, role)
    reset_url = f"/admin/candidates/{newcomer['id']}/reset-password"
    if role == "region":
        assert client.get(reset_url).status_code == 404  # out of scope before the identity check
    resp = _check(client, token, newcomer["doc_number"].lower()[:-1] + newcomer["doc_number"][-1], "李四")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(reset_url)
    assert newcomer["doc_number"] not in resp.headers["Location"]
    page = client.get(reset_url)
    assert page.status_code == 200 and "已当面核对身份证明材料原件" in page.get_data(as_text=True)
    assert client.post(reset_url, data={"csrf_token": token, "reason": ""}).status_code == 200  # reason missing
    db.session.expire_all()
    assert db.session.get(Candidate, newcomer["id"]).password_hash == newcomer["hash"]
    resp = client.post(reset_url, data={"csrf_token": token, "reason": "核对居民身份证原件"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="one-time-password"' in html
    one_time = html.split('id="one-time-password">')[1].split("<")[0]
    db.session.expire_all()
    cand = db.session.get(Candidate, newcomer["id"])
    assert passwords.verify(cand.password_hash, one_time) and cand.must_change_password
    reset = _entries("candidate.password.reset_by_staff")
    assert len(reset) == 1 and reset[0].object_id == newcomer["id"]
    assert reset[0].after["reason"] == "核对居民身份证原件"
    assert reset[0].after["identity"] == "identity checked in person"
    assert reset[0].after["checked_by"] == world["staff"][role][1] == reset[0].actor_name
    checks = _entries(staff_actions.IDENTITY_CHECKED_ACTION)
    assert len(checks) == 1 and checks[0].object_id == newcomer["id"] and checks[0].after["result"] == "found"
    assert checks[0].after["doc_number"] == newcomer["doc_number"][:6] + "********" + newcomer["doc_number"][-4:]
    _no_full_number(reset + checks, newcomer["doc_number"])
    # one reset per identity check: the grant is used up
    if role == "region":
        assert client.get(reset_url).status_code == 404


@pytest.mark.parametrize("number_change, name", [("wrong", "李四"), ("same", "李"), ("same", "李四四"),
                                                 ("prefix", "李四"), ("type", "李四")])
def test_a_miss_says_only_not_found_and_grants_nothing(world, client, newcomer, number_change, name):
    token = _login(client, world, "region")
    number = newcomer["doc_number"]
    doc_type = "id_card"
    if number_change == "wrong":
        number = number[:-2] + ("00" if number[-2:] != "00" else "11")
    elif number_change == "prefix":
        number = number[:12]
    elif number_change == "type":
        doc_type = "passport"
    resp = _check(client, token, number, name, doc_type)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and NOT_FOUND in html
    assert f"/admin/candidates/{newcomer['id']}" not in html
    assert client.get(f"/admin/candidates/{newcomer['id']}/reset-password").status_code == 404
    checks = _entries(staff_actions.IDENTITY_CHECKED_ACTION)
    assert len(checks) == 1 and checks[0].object_id is None and checks[0].after["result"] == "not_found"
    _no_full_number(checks, newcomer["doc_number"])
    _no_full_number(checks, number)


def test_empty_fields_are_refused_next_to_the_field_and_not_counted(world, client, newcomer):
    token = _login(client, world, "region")
    resp = _check(client, token, "", "")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "has-error" in html and "请填写证件原件上的完整证件号码" in html
    assert _entries(staff_actions.IDENTITY_CHECKED_ACTION) == []


def test_the_grant_opens_only_the_reset_page(world, client, newcomer):
    """Deliberately narrow: the candidate page, correction, photo and reveal stay out of scope."""
    token = _login(client, world, "region")
    assert _check(client, token, newcomer["doc_number"], "李四").status_code == 302
    cid = newcomer["id"]
    for url in (f"/admin/candidates/{cid}", f"/admin/candidates/{cid}/correct", f"/admin/candidates/{cid}/photo"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/candidates/{cid}/reveal", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/admin/candidates/{world['ids']['cand_b']}/reset-password").status_code == 404
    assert "李四" not in client.get("/admin/candidates/?q=李四").get_data(as_text=True).split("</form>")[-1]


def test_the_grant_belongs_to_the_staff_session(world, client, app, admin_app, newcomer):
    from core.models import Region
    from core.services.scope import REGION_ADMIN
    from tests.factories import make_staff
    _, name = make_staff(admin_app, REGION_ADMIN, regions=[db.session.get(Region, world["ids"]["region_a"])])
    token = _login(client, world, "region")
    assert _check(client, token, newcomer["doc_number"], "李四").status_code == 302
    other = app.test_client()  # another staff member of the same region, own session
    assert staff_login(other, name).status_code == 302
    assert other.get(f"/admin/candidates/{newcomer['id']}/reset-password").status_code == 404
    assert client.get(f"/admin/candidates/{newcomer['id']}/reset-password").status_code == 200


@pytest.mark.parametrize("role", ["site", "finance"])
def test_site_reviewer_and_finance_may_not_use_it(world, client, newcomer, role):
    token = _login(client, world, role)
    assert client.get(URL).status_code == 403
    assert _check(client, token, newcomer["doc_number"], "李四").status_code == 403
    assert _entries(staff_actions.IDENTITY_CHECKED_ACTION) == []


def test_without_csrf_token_400(world, client, newcomer):
    _login(client, world, "region")
    resp = client.post(URL, data={"doc_type": "id_card", "doc_number": newcomer["doc_number"], "name": "李四"})
    assert resp.status_code == 400
    assert _entries(staff_actions.IDENTITY_CHECKED_ACTION) == []


def test_lookups_are_rate_limited_per_staff_user(world, client, admin_app, newcomer, monkeypatch):
    monkeypatch.setitem(admin_app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(admin_app.config, "IDENTITY_CHECK_RATE_LIMIT", "3 per hour")
    token = _login(client, world, "region")
    with admin_app.app_context():
        from flask_appbuilder.security.sqla.models import User
        user = db.session.scalar(select(User).where(User.username == world["staff"]["region"][1]))
        ratelimit.clear(staff_actions._identity_limit_key(user))
    for _ in range(3):
        assert NOT_FOUND in _check(client, token, "110105199001010000", "王五").get_data(as_text=True)
    resp = _check(client, token, newcomer["doc_number"], "李四")  # even a correct match is refused now
    assert resp.status_code == 200 and "过于频繁" in resp.get_data(as_text=True)
    assert client.get(f"/admin/candidates/{newcomer['id']}/reset-password").status_code == 404
    results = [e.after["result"] for e in _entries(staff_actions.IDENTITY_CHECKED_ACTION)]
    assert results == ["not_found"] * 3 + ["rate_limited"]
    _no_full_number(_entries(staff_actions.IDENTITY_CHECKED_ACTION), newcomer["doc_number"])
    with admin_app.app_context():
        ratelimit.clear(staff_actions._identity_limit_key(user))
