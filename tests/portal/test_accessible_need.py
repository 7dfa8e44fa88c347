"""需要无障碍考场 on the registration card: a labelled checkbox with its explanation, saved (audited) until the
arrangement is published, then read-only with a message; the planner uses it; never another's registration."""
import re

from sqlalchemy import select

from core.arrangement import service
from core.db import db
from core.models import AuditEntry, ExamRoom, Registration, SeatAssignment
from core.registration.lifecycle import SYSTEM_ACTOR
from tests.factories import (arranged_registrations, login_as, make_catalogue, make_registration, make_rooms,
                             make_sessions)
from tests.support.web import csrf_token_from


def _post(client, reg, checked: bool):
    token = csrf_token_from(client.get("/registration").get_data(as_text=True))
    data = {"csrf_token": token}
    if checked:
        data["needs_accessible_room"] = "1"
    return client.post(f"/registration/{reg.id}/accessible-need", data=data)


def test_the_candidate_declares_and_withdraws_the_need_before_the_arrangement(client, session):
    cat = make_catalogue()
    reg = make_registration(cat=cat)
    db.session.commit()
    login_as(client, reg.candidate)
    page = client.get("/registration").get_data(as_text=True)
    field = f'id="need-{reg.id}"'
    assert field in page and f'<label for="need-{reg.id}">' in page and "无障碍考场" in page
    assert re.search(rf'id="need-{reg.id}"[^>]*aria-describedby="need-{reg.id}-hint"', page)
    assert "发布前可随时修改" in page
    assert not re.search(rf'{field}[^>]*checked', page)
    saved = _post(client, reg, True)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"#registration-{reg.id}")
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).needs_accessible_room
    page = client.get("/registration").get_data(as_text=True)
    assert "已保存：需要无障碍考场" in page and re.search(rf'{field}[^>]*checked', page)
    _post(client, reg, False)
    db.session.expire_all()
    assert not db.session.get(Registration, reg.id).needs_accessible_room
    audits = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "arrangement.accessible_need.declared")).all()
    assert [(a.actor_type, a.actor_id, a.after) for a in audits] == [
        ("candidate", reg.candidate_id, {"needs_accessible_room": True}),
        ("candidate", reg.candidate_id, {"needs_accessible_room": False})]


def test_without_the_csrf_token_nothing_changes(client, session):
    reg = make_registration(cat=make_catalogue())
    db.session.commit()
    login_as(client, reg.candidate)
    assert client.post(f"/registration/{reg.id}/accessible-need",
                       data={"needs_accessible_room": "1"}).status_code == 400
    db.session.expire_all()
    assert not db.session.get(Registration, reg.id).needs_accessible_room


def test_another_candidates_registration_is_404(client, session):
    cat = make_catalogue()
    mine, theirs = make_registration(cat=cat), make_registration(cat=cat)
    db.session.commit()
    login_as(client, mine.candidate)
    token = csrf_token_from(client.get("/registration").get_data(as_text=True))
    response = client.post(f"/registration/{theirs.id}/accessible-need",
                           data={"csrf_token": token, "needs_accessible_room": "1"})
    assert response.status_code == 404
    db.session.expire_all()
    assert not db.session.get(Registration, theirs.id).needs_accessible_room


def test_the_planner_seats_the_declared_need_in_an_accessible_room_and_then_it_is_locked(client, session):
    cat = make_catalogue(capacity=100)
    s = make_sessions(cat)
    rooms = make_rooms(cat["site"], s["physician"], 10, 10, accessible=(1,))
    regs = arranged_registrations(cat, 12)
    reg = regs[5]
    db.session.commit()
    login_as(client, reg.candidate)
    assert _post(client, reg, True).status_code == 302
    run = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=11)
    db.session.commit()
    assert run.plan[str(reg.id)][0] == rooms[1].id  # the planner read the candidate's declaration
    service.publish(run.id, SYSTEM_ACTOR)
    seat = db.session.scalar(select(SeatAssignment).where(SeatAssignment.registration_id == reg.id))
    assert db.session.get(ExamRoom, seat.room_id).accessible
    page = client.get("/registration").get_data(as_text=True)
    assert f'id="need-{reg.id}"' not in page and "考场编排已发布，如需变更请联系报考考点" in page
    refused = client.post(f"/registration/{reg.id}/accessible-need",
                          data={"csrf_token": csrf_token_from(page)})  # a stale form: unticked after publication
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert f'id="need-{reg.id}-error"' in body and "不能再修改无障碍考场需求" in body
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).needs_accessible_room  # unchanged


def test_english_card(client, session):
    reg = make_registration(cat=make_catalogue())
    db.session.commit()
    login_as(client, reg.candidate)
    client.set_cookie("lang", "en")
    page = client.get("/registration").get_data(as_text=True)
    assert "I need an accessible exam room" in page and "我需要安排在无障碍考场" not in page
