"""Review decisions, corrections, password resets, document numbers and catalogue guards, through the UI."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.db import db
from core.models import (AuditEntry, Candidate, Education, ExamYear, Registration, RegistrationEntry, Site)
from tests.factories import PASSWORD, login, make_candidate, make_registration
from tests.support.web import admin_csrf, csrf_token_from, staff_login


def _education(reg):
    """An education the registration uses: locked while it is live."""
    edu = Education(candidate_id=reg.candidate_id, school_name="北京大学", level="本科", major="临床医学",
                    start_ym="2010-09", end_ym="2015-07", diploma_number="100011201505000123")
    db.session.add(edu)
    db.session.flush()
    db.session.add(RegistrationEntry(registration_id=reg.id, education_id=edu.id))
    db.session.commit()
    return edu.id


def _actions(obj_type, obj_id):
    return [a.action for a in db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == obj_type, AuditEntry.object_id == obj_id).order_by(AuditEntry.id))]


def test_review_verify_then_approve(world, client):
    ids = world["ids"]
    reg = db.session.get(Registration, ids["reg_a"])
    edu_id = _education(reg)
    staff_login(client, world["staff"]["site"][1])
    page = client.get(f"/admin/review/show/{ids['reg_a']}")
    html = page.get_data(as_text=True)
    assert "报名申请表（提交时冻结）" in html and "当前个人信息" in html and "报考资格核对" in html
    token = csrf_token_from(html)
    resp = client.post(f"/admin/review/{ids['reg_a']}/decide",
                       data={"decision": "verify", "entry": f"education:{edu_id}", "csrf_token": token})
    assert resp.status_code == 302
    resp = client.post(f"/admin/review/{ids['reg_a']}/decide", data={"decision": "approve", "csrf_token": token})
    assert resp.status_code == 302
    db.session.expire_all()
    edu, reg = db.session.get(Education, edu_id), db.session.get(Registration, ids["reg_a"])
    assert edu.state == "verified" and edu.verified_by_id == world["staff"]["site"][0] and edu.verified_at
    assert reg.status == "approved" and reg.reviewed_by_id == world["staff"]["site"][0]
    assert _actions("educations", edu_id) == ["education.verified"]
    history = client.get(f"/admin/candidates/{reg.candidate_id}").get_data(as_text=True)
    assert "education.verified" in history and "registration.approved" in history
    assert "<td>已验证</td>" in history  # the entry's state on the candidate page, derived (migration 0015)
    assert _actions("registrations", reg.id)[-1] == "registration.approved"
    # after approval the rejection is no longer the open form of a pending decision, but a deliberate change
    after = client.get(f"/admin/review/show/{ids['reg_a']}").get_data(as_text=True)
    assert 'id="approved-note"' in after and 'id="approve"' not in after
    assert after.index('<details id="reject-after-approval">') < after.index('value="reject"')
    assert 'id="reject-after-approval"' not in html  # before approval: the two decisions side by side
    # approving twice is refused with a message, not a 500
    again = client.post(f"/admin/review/{ids['reg_a']}/decide", data={"decision": "approve", "csrf_token": token})
    assert again.status_code == 422 and "不能审核通过" in again.get_data(as_text=True)


def test_reject_needs_a_reason_then_releases_seat_and_unlocks(world, client):
    ids = world["ids"]
    reg = db.session.get(Registration, ids["reg_a"])
    edu_id = _education(reg)
    taken = db.session.get(Site, ids["site_a"]).taken
    staff_login(client, world["staff"]["region"][1])
    token = admin_csrf(client)
    refused = client.post(f"/admin/review/{ids['reg_a']}/decide",
                          data={"decision": "reject", "reason": " ", "csrf_token": token})
    assert refused.status_code == 422 and "请填写审核不通过的原因" in refused.get_data(as_text=True)
    resp = client.post(f"/admin/review/{ids['reg_a']}/decide",
                       data={"decision": "reject", "reason": "毕业证书原件与填报不符", "csrf_token": token})
    assert resp.status_code == 302
    db.session.expire_all()
    reg = db.session.get(Registration, ids["reg_a"])
    assert reg.status == "rejected" and reg.reject_reason == "毕业证书原件与填报不符"
    assert db.session.get(Site, ids["site_a"]).taken == taken - 1
    assert db.session.get(Education, edu_id).state == "editable"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.rejected"))
    assert entry.after["reason"] == "毕业证书原件与填报不符" and entry.actor_type == "staff"


def test_verified_entry_of_another_registration_cannot_be_ticked(world, client):
    ids = world["ids"]
    other = db.session.get(Registration, ids["reg_b"])
    foreign_edu = _education(other)
    staff_login(client, world["staff"]["national"][1])
    resp = client.post(f"/admin/review/{ids['reg_a']}/decide", data={
        "decision": "verify", "entry": f"education:{foreign_edu}", "csrf_token": admin_csrf(client)})
    assert resp.status_code == 404
    db.session.expire_all()
    assert db.session.get(Education, foreign_edu).state == "locked"


def test_correction_is_audited_and_visible_to_the_candidate(world, client, app):
    ids = world["ids"]
    cand = db.session.get(Candidate, ids["cand_a"])
    staff_login(client, world["staff"]["site"][1])
    url = f"/admin/candidates/{cand.id}/correct"
    form = {"name": "张三丰", "sex": cand.sex, "birth_date": cand.birth_date.isoformat(),
            "doc_type": cand.doc_type, "doc_number": cand.doc_number, "nationality": "中国",
            "ethnic_group": "汉族", "permit_number": "", "military_identity": "civilian"}
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    # without a reason: refused, the typed name kept, nothing saved
    resp = client.post(url, data={**form, "reason": "", "csrf_token": token})
    html = resp.get_data(as_text=True)
    assert "请填写原因" in html and 'value="张三丰"' in html and "has-error" in html
    db.session.expire_all()
    assert db.session.get(Candidate, cand.id).name == "张三"
    # a bad document number: message beside the field
    resp = client.post(url, data={**form, "doc_number": "110105199003071230", "reason": "核对身份证原件",
                                  "csrf_token": token})
    assert "校验位不正确" in resp.get_data(as_text=True)
    resp = client.post(url, data={**form, "reason": "核对身份证原件，姓名录入错误", "csrf_token": token})
    assert resp.status_code == 200 and "已更正：姓名" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Candidate, cand.id).name == "张三丰"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "candidate.basic_info.corrected"))
    assert entry.before == {"name": "张三"}
    assert entry.after == {"name": "张三丰", "reason": "核对身份证原件，姓名录入错误"}
    from core.services.staff_actions import corrections_for
    assert corrections_for(cand.id)[0]["fields"] == ["姓名"]
    # the candidate sees the corrected basic info on the portal
    portal = app.test_client()
    login(portal, cand, PASSWORD)
    assert "张三丰" in portal.get("/profile").get_data(as_text=True)


def test_password_reset_shows_one_time_password_once(world, client, app):
    ids = world["ids"]
    staff_login(client, world["staff"]["region"][1])
    url = f"/admin/candidates/{ids['cand_a']}/reset-password"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    refused = client.post(url, data={"reason": "", "csrf_token": token})
    assert "请填写原因" in refused.get_data(as_text=True)
    resp = client.post(url, data={"reason": "已核对身份证原件", "csrf_token": token})
    html = resp.get_data(as_text=True)
    one_time = html.split('id="one-time-password">')[1].split("<")[0]
    db.session.expire_all()
    cand = db.session.get(Candidate, ids["cand_a"])
    assert cand.must_change_password is True
    assert one_time not in str(db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "candidate.password.reset_by_staff")).after)
    portal = app.test_client()
    assert login(portal, cand, one_time).status_code == 302
    assert one_time not in client.get(f"/admin/candidates/{ids['cand_a']}").get_data(as_text=True)


def test_document_number_masked_and_reveal_audited(world, client):
    ids = world["ids"]
    cand = db.session.get(Candidate, ids["cand_a"])
    staff_login(client, world["staff"]["site"][1])
    page = client.get(f"/admin/candidates/{cand.id}").get_data(as_text=True)
    assert cand.doc_number not in page and cand.doc_number[:6] + "********" in page
    shown = client.post(f"/admin/candidates/{cand.id}/reveal", data={"csrf_token": csrf_token_from(page)})
    assert cand.doc_number in shown.get_data(as_text=True)
    assert _actions("candidates", cand.id) == ["candidate.document.revealed"]


def test_search_by_each_key(world, client):
    ids = world["ids"]
    cand = db.session.get(Candidate, ids["cand_a"])
    staff_login(client, world["staff"]["region"][1])
    link = f'/admin/candidates/{cand.id}"'
    for q in (cand.name, cand.username, cand.doc_number.lower(), ids["number_a"]):
        assert link in client.get("/admin/candidates/", query_string={"q": q}).get_data(as_text=True), q


def test_capacity_never_below_taken(world, client):
    ids = world["ids"]
    site = db.session.get(Site, ids["site_a"])
    staff_login(client, world["staff"]["region"][1])
    url = f"/admin/sites/edit/{site.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    data = {"region": str(ids["region_a"]), "code": site.code, "name": site.name, "capacity": "0",
            "csrf_token": token}
    resp = client.post(url, data=data)
    assert "容量不能小于已报名占用的座位数" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Site, site.id).capacity == 50
    client.post(url, data={**data, "capacity": "80"})
    db.session.expire_all()
    assert db.session.get(Site, site.id).capacity == 80
    assert "catalogue.sites.changed" in _actions("sites", site.id)


def test_exam_year_window_entered_in_shanghai_stored_utc(world, client):
    staff_login(client, world["staff"]["national"][1])
    year_id = world["ids"]["year"]
    url = f"/admin/exam-years/edit/{year_id}"
    year = db.session.get(ExamYear, year_id)
    html = client.get(url).get_data(as_text=True)
    shown = (year.window_opens_at.replace(tzinfo=None))
    resp = client.post(url, data={"family": str(year.family_id), "year": "2027", "name": year.name,
                                  "window_opens_at": "2027-01-22 09:00:00", "window_closes_at": "2027-02-04 17:00:00",
                                  "cutoff_date": "2027-08-31", "csrf_token": csrf_token_from(html)})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    db.session.expire_all()
    year = db.session.get(ExamYear, year_id)
    assert year.window_opens_at == datetime(2027, 1, 22, 1, 0) and year.window_closes_at == datetime(2027, 2, 4, 9, 0)
    assert "2027-01-22 09:00" in client.get("/admin/exam-years/list/").get_data(as_text=True)
    assert shown is not None


def test_fee_entered_in_yuan_stored_in_fen(world, client):
    ids = world["ids"]
    staff_login(client, world["staff"]["region"][1])
    page = client.get("/admin/fees/add").get_data(as_text=True)
    data = {"region_id": str(ids["region_a"]), "subject_id": str(ids["subject_a"]), "item": "skills",
            "csrf_token": csrf_token_from(page)}
    bad = client.post("/admin/fees/add", data={**data, "amount_yuan": "12.345"})
    assert "最多两位小数" in bad.get_data(as_text=True)
    foreign = client.post("/admin/fees/add", data={**data, "region_id": str(ids["region_b"]), "amount_yuan": "80"})
    assert foreign.status_code == 200  # not a valid choice: back to the form
    client.post("/admin/fees/add", data={**data, "amount_yuan": "80.50"})
    from core.models import Fee
    fees = db.session.scalars(select(Fee).where(Fee.item == "skills")).all()
    assert [(f.region_id, f.amount_fen) for f in fees] == [(ids["region_a"], 8050)]
    assert "80.50" in client.get("/admin/fees/list/").get_data(as_text=True)


def test_audit_log_cannot_be_changed_through_any_route(world, client):
    ids = world["ids"]
    staff_login(client, world["staff"]["national"][1])
    entry_id = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()))
    token = admin_csrf(client)
    assert client.get(f"/admin/audit-log/show/{entry_id}").status_code == 200
    for url in (f"/admin/audit-log/edit/{entry_id}", f"/admin/audit-log/delete/{entry_id}", "/admin/audit-log/add"):
        assert client.post(url, data={"csrf_token": token, "action": "x"}).status_code == 403, url
    listing = client.get("/admin/audit-log/list/?_flt_0_action=staff.login").get_data(as_text=True)
    assert "staff.login" in listing and ids["number_a"] not in listing


def test_bulk_approval_skips_rows_no_longer_submitted(world, client):
    ids = world["ids"]
    second = make_registration(cat=world["cat_a"], candidate=make_candidate(), status="abandoned")
    db.session.commit()
    staff_login(client, world["staff"]["site"][1])
    resp = client.post("/admin/review/action_post", data={
        "action": "bulk_approve", "rowid": [str(ids["reg_a"]), str(second.id)], "csrf_token": admin_csrf(client)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, ids["reg_a"]).status == "approved"
    assert db.session.get(Registration, second.id).status == "abandoned"


def test_photo_served_only_inside_scope(world, client, admin_app):
    ids = world["ids"]
    photo_dir = admin_app.config["PHOTO_DIR"]
    (photo_dir / "t").mkdir(parents=True, exist_ok=True)
    for key in ("cand_a", "cand_b"):
        (photo_dir / "t" / f"{key}.jpg").write_bytes(b"\xff\xd8\xff\xe0 fake jpeg " + key.encode())
        db.session.get(Candidate, ids[key]).photo_path = f"t/{key}.jpg"
    db.session.commit()
    staff_login(client, world["staff"]["site"][1])
    inside = client.get(f"/admin/candidates/{ids['cand_a']}/photo")
    assert inside.status_code == 200 and inside.mimetype == "image/jpeg" and b"cand_a" in inside.data
    assert client.get(f"/admin/candidates/{ids['cand_b']}/photo").status_code == 404
    assert 'alt="张三的照片"' in client.get(f"/admin/review/show/{ids['reg_a']}").get_data(as_text=True)


def test_staff_accounts_need_strong_passwords(world, client):
    staff_login(client, world["staff"]["national"][1])
    page = client.get("/admin/users/add").get_data(as_text=True)
    from core.models import StaffScope  # noqa: F401
    data = {"first_name": "新", "last_name": "人员", "username": "weakling", "email": "weak@example.cn",
            "active": "y", "roles": "", "password": "abc12345", "conf_password": "abc12345",
            "csrf_token": csrf_token_from(page)}
    resp = client.post("/admin/users/add", data=data)
    assert "考务人员密码至少12位" in resp.get_data(as_text=True)
    assert db.session.scalar(db.text("SELECT count(*) FROM ab_user WHERE username = 'weakling'")) == 0


def test_national_admin_resets_a_lost_authenticator(world, client):
    from core.models import StaffScope, StaffSecurity
    site_user = world["staff"]["site"][0]
    db.session.add(StaffSecurity(user_id=site_user, totp_secret="JBSWY3DPEHPK3PXP", must_change_password=False,
                                 failed_logins=0))
    db.session.commit()
    row = db.session.scalar(select(StaffScope.id).where(StaffScope.user_id == site_user))
    staff_login(client, world["staff"]["national"][1])
    resp = client.post("/admin/staff-scopes/action_post", data={"action": "reset_totp", "rowid": str(row),
                                                                "csrf_token": admin_csrf(client)})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(StaffSecurity, site_user).totp_secret is None
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "staff.totp.reset"))


def test_search_form_posts_so_document_numbers_stay_out_of_urls(world, client):
    ids = world["ids"]
    cand = db.session.get(Candidate, ids["cand_a"])
    staff_login(client, world["staff"]["region"][1])
    page = client.get("/admin/candidates/").get_data(as_text=True)
    assert '<form method="post" class="form-inline" role="search">' in page
    found = client.post("/admin/candidates/", data={"q": cand.doc_number, "csrf_token": csrf_token_from(page)})
    assert f'/admin/candidates/{cand.id}"' in found.get_data(as_text=True)
    assert client.post("/admin/candidates/", data={"q": cand.doc_number}).status_code == 400  # no CSRF token


def test_a_second_fee_for_the_same_item_is_refused_in_chinese(world, client):
    ids = world["ids"]  # the world already has a registration fee for region A's subject
    staff_login(client, world["staff"]["region"][1])
    page = client.get("/admin/fees/add").get_data(as_text=True)
    resp = client.post("/admin/fees/add", data={"region_id": str(ids["region_a"]), "subject_id": str(ids["subject_a"]),
                                                "item": "registration", "amount_yuan": "99",
                                                "csrf_token": csrf_token_from(page)}, follow_redirects=True)
    assert resp.status_code == 200
    assert "已有收费标准" in resp.get_data(as_text=True)
    from core.models import Fee
    amounts = db.session.scalars(select(Fee.amount_fen).where(Fee.region_id == ids["region_a"],
                                                              Fee.item == "registration")).all()
    assert amounts == [6000]
