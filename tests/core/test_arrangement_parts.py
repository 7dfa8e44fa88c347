"""考场编排 by exam part: 医学综合 at the registration's site, 实践技能 at its base (sites.skills_base_id);
one seat per part, each with its own 准考证号; the 准考证 lists both; check-in per part; a site moved to another
base has its 实践技能 seats moved there, with a record."""
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.arrangement import admission, checkin, numbers, service
from core.arrangement.rooms_import import MIXED_PARTS, import_rooms, mixed_parts
from core.db import db, utcnow
from core.models import ExamRoom, SeatAssignment, SeatMove, Site, TicketWindow
from core.registration.lifecycle import SYSTEM_ACTOR
from core.services.errors import DomainError
from reports.admission_documents import ticket_pdf
from tests.factories import (arranged_registrations, make_catalogue, make_rooms, make_sessions,
                             make_skills_sessions, make_staff)


@pytest.fixture
def two_parts(session):
    """Site A (医学综合 rooms) whose 实践技能基地 is site B (实践技能 rooms, one accessible); B arranges its
    own candidates' 实践技能 too."""
    from datetime import timedelta
    cat = make_catalogue(capacity=100)
    written, skills = make_sessions(cat), make_skills_sessions(cat)
    base = Site(region=cat["region"], code=f"B{cat['site'].code[1:]}", name="省实践技能考试基地",
                address="北京市海淀区学院路38号", capacity=100)
    db.session.add(base)
    db.session.flush()
    cat["site"].skills_base_id = base.id
    written_rooms = make_rooms(cat["site"], written["physician"] + [written["military"]], 10, 10, accessible=(1,))
    skills_rooms = make_rooms(base, skills["physician"], 6, 6, accessible=(1,), start=21)
    regs = arranged_registrations(cat, 7) + arranged_registrations(cat, 1, needs_accessible_room=True)
    at_base = arranged_registrations({**cat, "site": base}, 2)
    db.session.add(TicketWindow(region_id=cat["region"].id, exam_year_id=cat["year"].id,
                                opens_at=utcnow() - timedelta(days=1), valid_until=utcnow() + timedelta(days=60)))
    db.session.commit()
    return {**cat, "base": base, "written": written, "skills": skills, "written_rooms": written_rooms,
            "skills_rooms": skills_rooms, "regs": regs, "at_base": at_base}


def _publish(site, year, part, seed=7):
    run = service.plan_site(site.id, year.id, SYSTEM_ACTOR, seed=seed, part=part)
    db.session.commit()
    service.publish(run.id, SYSTEM_ACTOR)
    return run


def _seats():
    return {(a.registration_id, a.part): a for a in db.session.scalars(select(SeatAssignment))}


def test_each_candidate_gets_one_seat_per_part(two_parts):
    t = two_parts
    written = _publish(t["site"], t["year"], "written")
    skills = _publish(t["base"], t["year"], "skills")
    assert written.part == "written" and written.placed_count == 8  # B's own two have no 医学综合 rooms here
    assert skills.part == "skills" and skills.placed_count == 10 and not skills.unplaced
    seats = _seats()
    skills_rooms = {r.id for r in t["skills_rooms"]}
    for reg in t["regs"]:
        w, s = seats[(reg.id, "written")], seats[(reg.id, "skills")]
        assert w.site_id == t["site"].id and w.room_id not in skills_rooms
        assert s.site_id == t["base"].id and s.room_id in skills_rooms
        assert numbers.parts(s.admission_number)["site_id"] == t["base"].id
        assert numbers.parts(w.admission_number)["site_id"] == t["site"].id
    for reg in t["at_base"]:
        assert (reg.id, "skills") in seats and (reg.id, "written") not in seats
    assert len({a.admission_number for a in seats.values()}) == len(seats)  # every number once
    accessible = t["regs"][-1]
    assert db.session.get(ExamRoom, seats[(accessible.id, "skills")].room_id).accessible
    # A names B as its base: a 实践技能 run at A has nobody to place; B's 医学综合 run only B's own candidates
    assert service.plan_site(t["site"].id, t["year"].id, SYSTEM_ACTOR, part="skills").placed_count == 0
    db.session.rollback()
    with pytest.raises(DomainError, match="考试部分"):
        service.plan_site(t["site"].id, t["year"].id, SYSTEM_ACTOR, part="oral")


def test_a_part_is_rearranged_alone(two_parts):
    t = two_parts
    _publish(t["site"], t["year"], "written")
    _publish(t["base"], t["year"], "skills")
    before = _seats()
    t["skills_rooms"][0].closed = True
    make_rooms(t["base"], t["skills"]["physician"], 10, start=30)
    db.session.commit()
    run = _publish(t["base"], t["year"], "skills", seed=8)
    after = _seats()
    for key, seat in before.items():
        if key[1] == "written":
            assert after[key].admission_number == seat.admission_number  # the other part is not touched
    moved = {m.registration_id for m in db.session.scalars(select(SeatMove).where(SeatMove.run_id == run.id))}
    assert moved == {reg for (reg, part), a in before.items()
                     if part == "skills" and a.room_id == t["skills_rooms"][0].id}


def test_the_ticket_lists_both_parts_with_their_own_room_and_time(two_parts, tmp_path):
    t = two_parts
    _publish(t["site"], t["year"], "written")
    _publish(t["base"], t["year"], "skills")
    reg = t["regs"][0]
    seats = _seats()
    data = admission.ticket_data(reg)
    assert [p["part"] for p in data["parts"]] == ["skills", "written"]  # June before August
    skills, written = data["parts"]
    assert skills["admission_number"] == seats[(reg.id, "skills")].admission_number
    assert skills["site"] == "省实践技能考试基地" and skills["site_address"] == "北京市海淀区学院路38号"
    assert [s["name"] for s in skills["sessions"]] == ["实践技能（执业）"]
    assert written["site"] == t["site"].name and [s["name"] for s in written["sessions"]][:2] == ["第1单元", "第2单元"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(ticket_pdf(data, tmp_path))).pages)
    for expected in ("实践技能", "医学综合", skills["admission_number"], written["admission_number"],
                     "北京市海淀区学院路38号", skills["room"], written["room"], "2027-06-12 08:30-11:30"):
        assert expected in text, expected
    english = "".join(p.extract_text() for p in PdfReader(io.BytesIO(ticket_pdf(data, tmp_path, "en"))).pages)
    assert "Practical skills examination" in english and "Comprehensive written examination" in english


def test_checkin_at_the_base_checks_the_skills_part(two_parts, admin_app):
    from flask_appbuilder.security.sqla.models import User
    t = two_parts
    _publish(t["site"], t["year"], "written")
    _publish(t["base"], t["year"], "skills")
    user = db.session.get(User, make_staff(admin_app, "考点审核员", sites=[t["base"], t["site"]])[0])
    reg = t["regs"][0]
    skills_payload, written_payload = (p["qr_payload"] for p in admission.ticket_data(reg)["parts"])
    skills_session, written_session = t["skills"]["physician"][0], t["written"]["physician"][0]
    ok = checkin.check_in(user, skills_payload, t["base"].id, skills_session.id)
    assert ok.ok and ok.site == "省实践技能考试基地"
    assert checkin.check_in(user, skills_payload, t["base"].id, written_session.id).problems == [checkin.WRONG_SESSION]
    assert checkin.check_in(user, skills_payload, t["site"].id).problems == [checkin.WRONG_SITE]
    assert checkin.check_in(user, written_payload, t["site"].id, written_session.id).ok


def test_a_site_moved_to_another_base_has_its_skills_seats_moved_with_a_record(two_parts):
    t = two_parts
    _publish(t["base"], t["year"], "skills")
    before = _seats()
    other = Site(region=t["region"], code=f"C{t['site'].code[1:]}", name="第二实践技能基地", capacity=10)
    db.session.add(other)
    db.session.flush()
    make_rooms(other, t["skills"]["physician"], 20, accessible=(0,))
    t["site"].skills_base_id = other.id
    db.session.commit()
    run = _publish(other, t["year"], "skills")
    after = _seats()
    moves = {m.registration_id: m for m in db.session.scalars(select(SeatMove).where(SeatMove.run_id == run.id))}
    for reg in t["regs"]:
        assert after[(reg.id, "skills")].site_id == other.id
        assert moves[reg.id].from_number == before[(reg.id, "skills")].admission_number
        assert moves[reg.id].to_number == after[(reg.id, "skills")].admission_number
    again = _publish(t["base"], t["year"], "skills")  # the former base keeps only its own candidates
    assert set(map(int, again.plan)) == {r.id for r in t["at_base"]}
    assert len([k for k in _seats() if k[1] == "skills"]) == 10


def test_a_room_hosts_one_part(two_parts):
    t = two_parts
    assert mixed_parts(t["skills"]["physician"] + [t["written"]["military"]])
    assert not mixed_parts(t["written"]["physician"] + [t["written"]["military"]])
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    for row in (("考点代码", "考场号", "容量", "军事医学", "考试部分"), (t["base"].code, 40, 8, "否", "实践技能"),
                (t["base"].code, 41, 8, "是", "实践技能"), (t["base"].code, 42, 8, "否", "口试")):
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    report = import_rooms(out.getvalue(), t["region"].id, t["year"].id, SYSTEM_ACTOR)
    assert report.added == 1 and dict(report.refused) == {3: "实践技能考场不承担军事医学场次",
                                                         4: "考试部分须为「医学综合」或「实践技能」"}
    room = db.session.scalar(select(ExamRoom).where(ExamRoom.site_id == t["base"].id, ExamRoom.number == 40))
    assert {s.part for s in room.sessions} == {"skills"}
    assert MIXED_PARTS
