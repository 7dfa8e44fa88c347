"""准考证: when it prints, what it says, its signed QR payload (valid, tampered, expired), and 入场核验."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from core.arrangement import admission, checkin, tickets
from core.db import db, utcnow
from core.models import AuditEntry, SeatAssignment
from core.registration import lifecycle
from tests.factories import make_staff


def _seat(reg):
    return db.session.scalar(select(SeatAssignment).where(SeatAssignment.registration_id == reg.id))


def test_qr_payload_valid_tampered_and_expired(app_ctx):
    until = datetime(2027, 9, 1)
    payload = tickets.sign("2027110001001002", "202711000000001", until)
    ok = tickets.verify(payload, datetime(2027, 8, 21))
    assert (ok.admission_number, ok.registration_number, ok.expires_at) == ("2027110001001002", "202711000000001", until)
    tampered = payload.replace("2027110001001002", "2027110001001003")
    with pytest.raises(tickets.PayloadError) as forged:
        tickets.verify(tampered, datetime(2027, 8, 21))
    assert forged.value.message == tickets.FORGED
    later = payload.split("|")
    later[3] = str(int(later[3]) + 86400 * 365)  # a forger extending the expiry breaks the signature
    with pytest.raises(tickets.PayloadError, match="签名无效"):
        tickets.verify("|".join(later), datetime(2027, 8, 21))
    with pytest.raises(tickets.PayloadError) as expired:
        tickets.verify(payload, datetime(2027, 9, 2))
    assert expired.value.message == tickets.EXPIRED
    for junk in ("", "ZK1|x", "hello", payload + "|extra", payload[:-3] + "!!!"):
        with pytest.raises(tickets.PayloadError):
            tickets.verify(junk, datetime(2027, 8, 21))


def test_offline_verification_needs_only_the_public_key(app_ctx):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    public = load_pem_public_key(tickets.public_key_pem().encode())
    payload = tickets.sign("2027110001001002", "202711000000001", datetime(2027, 9, 1))
    assert tickets.verify(payload, datetime(2027, 8, 1), key=public).admission_number == "2027110001001002"


def test_the_public_key_command_prints_a_key_that_verifies(app):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    result = app.test_cli_runner().invoke(args=["tickets", "public-key"])
    assert result.exit_code == 0 and result.output.startswith("-----BEGIN PUBLIC KEY-----")
    with app.app_context():
        payload = tickets.sign("2027110001001002", "202711000000001", datetime(2027, 9, 1))
    assert tickets.verify(payload, datetime(2027, 8, 1), key=load_pem_public_key(result.output.encode()))


def test_ticket_state_before_and_after_the_regions_date(published_site):
    reg = published_site["regs"][0]
    window = published_site["window"]
    assert admission.ticket_state(reg).state == "open"
    state = admission.ticket_state(reg, now=window.opens_at - timedelta(minutes=1))
    assert state.state == "before" and "开放打印" in state.message
    lifecycle.transition(reg, "reject", lifecycle.Actor("staff", None, "审核员"))
    assert admission.ticket_state(reg).state == "none"


def test_ticket_data_masks_the_document_and_lists_sessions(published_site):
    reg = published_site["regs"][0]
    data = admission.ticket_data(reg)
    assert data["doc_number"] != reg.candidate.doc_number and data["doc_number"].count("*") == 8
    assert [s["name"] for s in data["sessions"]] == ["第1单元", "第2单元", "第3单元", "第4单元"]
    assert data["admission_number"] == _seat(reg).admission_number
    assert tickets.verify(data["qr_payload"], utcnow()).registration_number == reg.number


@pytest.fixture
def staff(admin_app, published_site):
    from flask_appbuilder.security.sqla.models import User
    here = make_staff(admin_app, "考点审核员", sites=[published_site["site"]])[0]
    other = make_staff(admin_app, "考点审核员", sites=[])[0]
    return {"here": db.session.get(User, here), "other": db.session.get(User, other)}


def test_checkin_by_qr_shows_the_seat_and_flags_problems(published_site, staff):
    reg = published_site["regs"][0]
    site_id = published_site["site"].id
    payload = admission.ticket_data(reg)["qr_payload"]
    result = checkin.check_in(staff["here"], payload, site_id)
    seat = _seat(reg)
    assert result.ok and result.name == reg.candidate.name and result.seat == f"{seat.seat:02d}"
    typed = checkin.check_in(staff["here"], seat.admission_number, site_id)
    assert typed.ok and checkin.TYPED in typed.notes
    assert checkin.check_in(staff["here"], payload, site_id + 999).problems == [checkin.WRONG_SITE]
    skills = published_site["sessions"]["assistant"][0]  # a session the 执业医师 candidate does not sit
    assert checkin.check_in(staff["here"], payload, site_id, skills.id).problems == [checkin.WRONG_SESSION]
    forged = payload.replace(reg.number, "202799999999999")
    assert checkin.check_in(staff["here"], forged, site_id).problems == [tickets.FORGED]
    outsider = checkin.check_in(staff["other"], payload, site_id)
    assert outsider.problems == [checkin.OUT_OF_SCOPE] and outsider.name is None  # nothing shown out of scope
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "arrangement.checkin")).all()
    assert len(entries) == 6


def test_room_sheet_in_seat_order(published_site):
    room = published_site["rooms"][0]
    sheet = admission.room_sheet(room)
    seats = [r["seat"] for r in sheet["rows"]]
    assert seats == sorted(seats) and sheet["room"] == f"第{room.number:03d}考场"
