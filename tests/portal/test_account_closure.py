"""注销: refused with the reason while a registration is in progress or a refund pending (nothing changes);
otherwise the account is closed, personal data deleted, what must be kept kept, sessions ended, and the audit
entry names no one. Wrong password or no confirmation: the message beside the field."""
from __future__ import annotations

from core.db import db
from core.documents import service as documents
from core.models import (AuditEntry, Candidate, CandidateSession, Document, Education, Message, PaymentOrder,
                         Refund, Registration)
from core.notify.outbox import queue
from core.services import passwords
from tests.factories import PASSWORD, jpeg, login, make_catalogue, make_registration, ready_candidate, ready_draft
from tests.support.web import post_page, text


def _close(client, **data):
    return post_page(client, "/account/close", {"password": PASSWORD, "confirm": "yes", **data})


def test_a_live_registration_refuses_with_its_number_and_changes_nothing(client, app_ctx):
    cand = ready_candidate()
    reg = make_registration(cand, make_catalogue())
    db.session.commit()
    login(client, cand)
    page = text(client.get("/account/close"))
    assert "现在不能注销" in page and reg.number in page and 'name="password"' not in page
    response = _close(client, page="/security")
    assert response.status_code == 422 and reg.number in text(response)
    db.session.expire_all()
    assert db.session.get(Candidate, cand.id).closed_at is None


def test_a_pending_refund_refuses(client, app_ctx):
    cand = ready_candidate()
    reg = make_registration(cand, make_catalogue(), status="abandoned", take_seat=False)
    order = PaymentOrder(registration_id=reg.id, out_trade_no=f"T{reg.number}", provider="sandbox", amount_fen=100,
                         items=[], status="paid")
    db.session.add(order)
    db.session.flush()
    db.session.add(Refund(order_id=order.id, amount_fen=100, status="requested"))
    db.session.commit()
    login(client, cand)
    assert "退费正在处理中" in text(client.get("/account/close"))
    assert _close(client, page="/security").status_code == 422
    assert db.session.get(Candidate, cand.id).closed_at is None


def test_wrong_password_and_no_confirmation_are_shown_beside_the_fields(client, app_ctx):
    cand = ready_candidate()
    db.session.commit()
    login(client, cand)
    response = _close(client, password="wrong-Password#1", confirm="")
    html = text(response)
    assert response.status_code == 422 and 'id="e-password"' in html and 'id="e-confirm"' in html
    assert db.session.get(Candidate, cand.id).closed_at is None


def test_closing_deletes_personal_data_keeps_records_and_logs_no_name(client, app_ctx):
    cand = ready_candidate(email="w@example.com", address="北京市东城区1号")
    ended = make_registration(cand, make_catalogue(), status="rejected", take_seat=False)
    draft = ready_draft(cand, make_catalogue())
    other = ready_candidate()
    queue(cand, "registration_rejected", {"number": ended.number, "reason": "学历不符"}, key="closure-test")
    queue(other, "registration_rejected", {"number": "—", "reason": "—"}, key="closure-test-other")
    db.session.commit()
    scan = documents.upload(cand, "id_front", jpeg()).id  # uploaded, used by no registration: goes
    cid, username, doc, ended_id, draft_id = cand.id, cand.username, cand.doc_number, ended.id, draft.id
    login(client, cand)
    response = _close(client)
    assert response.status_code == 302 and "/login" in response.location
    assert "账户已注销" in text(client.get(response.location))
    assert client.get("/profile").status_code == 302  # logged out
    db.session.expire_all()
    closed = db.session.get(Candidate, cid)
    assert closed.closed_at and closed.name == "已注销" and closed.mobile is None and closed.email is None
    assert closed.username != username and closed.doc_number != doc and closed.photo_path is None
    assert not passwords.verify(closed.password_hash, PASSWORD)
    assert db.session.get(Registration, draft_id) is None
    assert db.session.get(Registration, ended_id).snapshot is not None  # kept per the schedule
    assert db.session.scalar(db.select(db.func.count()).select_from(CandidateSession).where(
        CandidateSession.candidate_id == cid, CandidateSession.ended_at.is_(None))) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Education).filter_by(candidate_id=other.id)) == 1
    messages = dict(db.session.execute(db.select(Message.candidate_id, db.func.count()).group_by(Message.candidate_id)
                                       .where(Message.candidate_id.in_((cid, other.id)))).all())
    assert cid not in messages and messages[other.id] >= 1  # the closed account's messages are gone, no one else's
    assert db.session.get(Document, scan) is None
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="candidate.account.closed"))
    assert username not in str(entry.actor_name) + str(entry.after) and doc not in str(entry.after)
    assert entry.after["drafts_deleted"] == 1 and entry.after["registrations_kept"] == 1
    relogin = login(client, closed)  # the old credentials open nothing
    assert relogin.status_code == 401


def test_a_second_tab_after_closing_is_logged_out(client, app_ctx):
    cand = ready_candidate()
    db.session.commit()
    login(client, cand)
    page = client.get("/account/close")  # the second tab's form, loaded before closing
    assert _close(client).status_code == 302
    from tests.support.web import csrf_token_from
    again = client.post("/account/close", data={"password": PASSWORD, "confirm": "yes",
                                                 "csrf_token": csrf_token_from(text(page))})
    assert again.status_code in (302, 400) and db.session.scalar(db.select(db.func.count()).select_from(
        AuditEntry).filter_by(action="candidate.account.closed")) == 1
