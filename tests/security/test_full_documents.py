"""Issue 14, finding 4: staff never see a full document number except through an audited path.

Before: the correction form carried the full number in an input, and the staff PDF of a registration printed
it, neither audited, while 显示 on the masked view was.
"""
from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.models import AuditEntry, Candidate
from core.services.audit import mask_document
from tests.support.web import csrf_token_from, staff_login, text


def test_correction_form_shows_only_the_masked_number(world, client):
    cand = db.session.get(Candidate, world["ids"]["cand_a"])
    full = cand.doc_number
    for role in ("national", "region", "site"):
        staff_login(client, world["staff"][role][1])
        page = text(client.get(f"/admin/candidates/{cand.id}/correct"))
        assert full not in page and mask_document(full) in page
        client.get("/admin/logout/")


def test_blank_number_keeps_it_and_a_typed_one_corrects_it(world, client):
    cand = db.session.get(Candidate, world["ids"]["cand_a"])
    full = cand.doc_number
    staff_login(client, world["staff"]["site"][1])
    url = f"/admin/candidates/{cand.id}/correct"
    form = {"name": "张三丰", "sex": cand.sex, "birth_date": cand.birth_date.isoformat(),
            "doc_type": cand.doc_type, "doc_number": "", "nationality": "中国", "ethnic_group": "汉族",
            "permit_number": "", "military_identity": "civilian", "reason": "核对身份证原件，姓名录入错误"}
    resp = client.post(url, data={**form, "csrf_token": csrf_token_from(text(client.get(url)))})
    assert "已更正：姓名" in text(resp) and full not in text(resp)
    db.session.expire_all()
    assert db.session.get(Candidate, cand.id).doc_number == full


def test_staff_pdf_with_the_full_number_is_audited(world, client):
    reg_id = world["ids"]["reg_a"]
    user_id, name = world["staff"]["site"]
    staff_login(client, name)
    resp = client.get(f"/admin/reports/print/registration/{reg_id}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.form.printed"))
    assert entry is not None and entry.actor_id == user_id and entry.object_id == reg_id
    assert entry.after == {"full_document": True}


# --- 6. scope through an ended registration: read-only ---------------------------------------------------

def test_abandoned_registration_gives_history_but_no_management(world, client):
    from tests.factories import make_candidate, make_registration
    cand = make_candidate(name="王五")
    make_registration(cand, world["cat_a"], status="abandoned", take_seat=False)
    db.session.commit()
    cid = cand.id
    staff_login(client, world["staff"]["region"][1])
    assert client.get(f"/admin/candidates/{cid}").status_code == 200  # the history stays visible
    csrf = csrf_token_from(text(client.get(f"/admin/candidates/{cid}")))
    assert client.get(f"/admin/candidates/{cid}/correct").status_code == 404
    assert client.post(f"/admin/candidates/{cid}/reveal", data={"csrf_token": csrf}).status_code == 404
    assert client.post(f"/admin/candidates/{cid}/reveal-contact", data={"csrf_token": csrf}).status_code == 404
    resp = client.post(f"/admin/candidates/{cid}/reset-password", data={"reason": "核对原件", "csrf_token": csrf})
    assert resp.status_code == 404
    db.session.expire_all()
    assert not db.session.scalar(select(AuditEntry).where(AuditEntry.object_id == cid,
                                                          AuditEntry.action.like("candidate.%by_staff")))
    # a live registration of the region gives it back
    live = db.session.get(Candidate, world["ids"]["cand_a"])
    assert client.get(f"/admin/candidates/{live.id}/correct").status_code == 200
