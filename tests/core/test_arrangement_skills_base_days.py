"""实践技能 by day at a base, end to end: planned over the base's sessions (one per candidate), published, the
run's report per day and per subject group, the 准考证 with the base's address and the candidate's own day and
time, check-in flagging another day, a re-arrangement keeping days."""
import io
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.arrangement import admission, checkin, report, service
from core.arrangement.plan import NO_SEATS
from core.db import db, utcnow
from core.models import ExamSession, SeatAssignment, Site, TicketWindow
from core.registration.lifecycle import SYSTEM_ACTOR
from reports.admission_documents import ticket_pdf
from tests.factories import arranged_registrations, make_catalogue, make_rooms, make_staff


@pytest.fixture
def base_days(session):
    """Site A names base B; B's two rooms (4 and 3 seats) host two 执业 half-days; 9 candidates at A."""
    cat = make_catalogue(capacity=100)
    day = datetime(2027, 6, 12, 0, 30)  # 08:30 Asia/Shanghai
    sessions = [ExamSession(exam_year_id=cat["year"].id, part="skills", level="执业医师", name=name,
                            starts_at=day + timedelta(hours=h), ends_at=day + timedelta(hours=h + 3))
                for name, h in (("第二天上午", 24), ("第一天上午", 0))]  # ids not in time order
    db.session.add_all(sessions)
    base = Site(region=cat["region"], code=f"B{cat['site'].code[1:]}", name="省实践技能考试基地",
                address="北京市海淀区学院路38号", capacity=100, hosts_skills=True)
    db.session.add(base)
    db.session.flush()
    cat["site"].skills_base_id = base.id
    rooms = make_rooms(base, sessions, 4, 3, start=21)
    regs = arranged_registrations(cat, 9)
    db.session.add(TicketWindow(region_id=cat["region"].id, exam_year_id=cat["year"].id,
                                opens_at=utcnow() - timedelta(days=1), valid_until=utcnow() + timedelta(days=60)))
    db.session.commit()
    return {**cat, "base": base, "day2": sessions[0], "day1": sessions[1], "rooms": rooms, "regs": regs}


def _plan(t, seed=11):
    run = service.plan_site(t["base"].id, t["year"].id, SYSTEM_ACTOR, seed=seed, part="skills")
    db.session.commit()
    return run


def test_candidates_are_spread_over_the_days_and_the_short_day_is_reported(base_days):
    t = base_days
    run = _plan(t)
    assert run.placed_count == 9 and not run.unplaced
    per_day = {s: list(run.sessions.values()).count(s) for s in {t["day1"].id, t["day2"].id}}
    assert per_day == {t["day1"].id: 7, t["day2"].id: 2}  # day 1 filled first (7 seats), the rest on day 2
    assert [(d["name"], d["seats"], d["placed"]) for d in report.days(run)] == [("第一天上午", 7, 7),
                                                                                 ("第二天上午", 7, 2)]
    arranged_registrations(t, 6)  # 15 for 14 seats over both days
    db.session.commit()
    short = _plan(t, seed=12)
    assert short.placed_count == 14 and list(short.unplaced.values()) == [NO_SEATS]
    assert report.shortfall(short) == [{"group": f"{t['subject'].name}（{t['subject'].code}）",
                                        "reason": NO_SEATS, "count": 1}]


def test_the_ticket_shows_the_base_address_and_the_candidate_s_day(base_days, admin_app, tmp_path):
    from flask_appbuilder.security.sqla.models import User
    t = base_days
    run = _plan(t)
    service.publish(run.id, SYSTEM_ACTOR)
    on_day2 = next(int(k) for k, v in run.sessions.items() if v == t["day2"].id)
    reg = next(r for r in t["regs"] if r.id == on_day2)
    seat = db.session.scalar(select(SeatAssignment).where(SeatAssignment.registration_id == reg.id))
    assert seat.site_id == t["base"].id and seat.seat > seat.room.capacity  # seats run on after day 1
    data = admission.ticket_data(reg)
    skills = data["parts"][0]
    assert skills["part"] == "skills" and [s["name"] for s in skills["sessions"]] == ["第二天上午"]
    assert skills["site_address"] == "北京市海淀区学院路38号"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(ticket_pdf(data, tmp_path))).pages)
    for expected in ("北京市海淀区学院路38号", "2027-06-13 08:30-11:30", skills["admission_number"]):
        assert expected in text, expected
    assert "2027-06-12 08:30" not in text  # not the other day
    user = db.session.scalar(select(User).where(User.username == make_staff(admin_app, "国家管理员")[1]))
    assert checkin.check_in(user, skills["qr_payload"], t["base"].id, t["day2"].id).ok
    assert checkin.check_in(user, skills["qr_payload"], t["base"].id, t["day1"].id).problems == [
        checkin.WRONG_SESSION]


def test_a_re_arrangement_keeps_days_and_seats(base_days):
    t = base_days
    first = _plan(t)
    service.publish(first.id, SYSTEM_ACTOR)
    before = {a.registration_id: a.admission_number for a in db.session.scalars(select(SeatAssignment))}
    t["regs"][0].status = "rejected"
    arranged_registrations(t, 1)
    db.session.commit()
    second = _plan(t, seed=99)
    kept = {int(k): v for k, v in second.sessions.items() if int(k) in before}
    assert all(kept[reg] == first.sessions[str(reg)] for reg in kept)
    assert second.moved_count == 1  # only the rejected registration
    service.publish(second.id, SYSTEM_ACTOR)
    after = {a.registration_id: a.admission_number for a in db.session.scalars(select(SeatAssignment))}
    assert all(after[reg] == number for reg, number in before.items() if reg != t["regs"][0].id)


def test_sign_in_sheets_of_a_base_room_per_day(base_days):
    t = base_days
    run = _plan(t)
    service.publish(run.id, SYSTEM_ACTOR)
    sheets = admission.site_sheets(t["base"].id)
    labels = [s["room"] for s in sheets]
    assert labels[0] == "第021考场 · 第一天上午 2027-06-12 08:30-11:30"
    assert any(label.startswith("第021考场 · 第二天上午 2027-06-13") for label in labels)
    assert sum(len(s["rows"]) for s in sheets) == 9
    for s in sheets:  # each sheet holds only that day's candidates
        day = t["day1"] if "第一天" in s["room"] else t["day2"]
        assert {run.sessions[str(r["registration_id"])] for r in s["rows"]} == {day.id}
