"""基本信息: corrections made by exam staff (更正基本信息 in the back office) are shown to the candidate,
field by field (old -> new, document numbers masked), with the date in Asia/Shanghai and the reason."""
from __future__ import annotations

from sqlalchemy import select

from core.db import db, to_shanghai
from core.models import AuditEntry, Candidate
from core.services.scope import REGION_ADMIN
from core.services.staff_actions import CORRECTED_ACTION
from tests.factories import id_number, login_as, make_candidate, make_catalogue, make_registration, make_staff
from tests.support.web import admin_csrf, staff_login

REASON = "核对身份证原件，姓名与证件号码录入错误"


def _correct(app, admin_app, cand, cat, **changes):
    """A 考区管理员 of the candidate's region corrects basic info through the real back-office form."""
    staff_id, username = make_staff(admin_app, REGION_ADMIN, regions=[cat["region"]])
    staff = app.test_client()
    assert staff_login(staff, username).status_code == 302
    form = {"name": cand.name, "sex": cand.sex, "birth_date": cand.birth_date.isoformat(),
            "doc_type": cand.doc_type, "doc_number": cand.doc_number, "nationality": cand.nationality,
            "ethnic_group": cand.ethnic_group or "", "permit_number": "",
            "military_identity": cand.military_identity, "reason": REASON, **changes}
    resp = staff.post(f"/admin/candidates/{cand.id}/correct", data={**form, "csrf_token": admin_csrf(staff)})
    assert resp.status_code == 200 and "已更正" in resp.get_data(as_text=True)
    return username


def _profile(client, cand) -> str:
    login_as(client, cand)
    resp = client.get("/profile")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_no_corrections_no_section(app_ctx, client):
    cand = make_candidate()
    db.session.commit()
    assert "考务人员更正记录" not in _profile(client, cand)


def test_candidate_sees_field_old_new_date_and_reason_without_staff_name(app, app_ctx, admin_app, client):
    cat = make_catalogue()
    cand = make_candidate(name="张三", sex="M")
    make_registration(candidate=cand, cat=cat)
    other = make_candidate(name="李四")
    make_registration(candidate=other, cat=cat)
    db.session.commit()
    # a number nobody holds (the factory numbers candidates by a running sequence that can reach any seq)
    taken = set(db.session.scalars(select(Candidate.doc_number)))
    old_doc, new_doc = cand.doc_number, next(n for n in (id_number(seq=f"{s:03d}") for s in range(1000)) if n not in taken)
    username = _correct(app, admin_app, cand, cat, name="张珊", sex="F", doc_number=new_doc)

    db.session.expire_all()
    assert db.session.get(Candidate, cand.id).name == "张珊"
    entry = db.session.scalar(select(AuditEntry).filter_by(action=CORRECTED_ACTION, object_id=cand.id))
    page = _profile(client, db.session.get(Candidate, cand.id))
    section = page.split('id="corrections"')[1].split("</section>")[0]

    assert "考务人员更正记录" in page
    assert "姓名：张三 → 张珊" in section
    assert "性别：男 → 女" in section
    assert f"证件号码：{old_doc[:6]}********{old_doc[-4:]} → {new_doc[:6]}********{new_doc[-4:]}" in section
    assert old_doc not in page and new_doc not in page  # never a full document number
    assert f"更正原因：{REASON}" in section
    assert to_shanghai(entry.at).strftime("%Y-%m-%d %H:%M") + "（北京时间）" in section
    assert "考务人员更正" in section and username not in page
    assert "出生日期" not in section  # unchanged fields are not listed

    # another candidate in the same region sees no correction of someone else
    assert "考务人员更正记录" not in _profile(app.test_client(), other)


def test_corrections_are_listed_newest_first(app, app_ctx, admin_app, client):
    cat = make_catalogue()
    cand = make_candidate(name="王五", ethnic_group="汉族")
    make_registration(candidate=cand, cat=cat)
    db.session.commit()
    _correct(app, admin_app, cand, cat, ethnic_group="回族")
    db.session.expire_all()
    cand = db.session.get(Candidate, cand.id)
    _correct(app, admin_app, cand, cat, name="王武")
    section = _profile(client, cand).split('id="corrections"')[1]
    assert section.index("姓名：王五 → 王武") < section.index("民族：汉族 → 回族")
