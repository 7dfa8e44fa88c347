"""入场核验: staff at a site type an admission number or paste/scan the QR payload; the answer shows who
sits where and flags a forged or expired code, another site, or a session the candidate does not sit.
Scoped (the seat's site must be in the staff member's scope) and audited."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from core.arrangement import admission, numbers, tickets
from core.db import db, utcnow
from core.models import ExamSession, Registration, SeatAssignment, Site
from core.registration.lifecycle import Actor
from core.registration.states import APPROVED
from core.services import audit, scope

NOT_FOUND = "未找到该准考证号的考场安排。"
OUT_OF_SCOPE = "该考生不在您负责的考点。"
WRONG_SITE = "考生不属于本考点：请引导至其准考证上的考点。"
WRONG_SESSION = "考生未报考本场次。"
VOID = "该准考证已作废（考场已调整或报名已失效），请考生重新打印。"
TYPED = "手工输入的准考证号：未核验二维码签名，请仔细核对证件与照片。"
NOT_LIVE = "该报名已不在审核通过状态，不得入场。"


@dataclass
class CheckIn:
    ok: bool
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    name: str | None = None
    photo: str | None = None  # path relative to PHOTO_DIR
    site: str | None = None
    room: str | None = None
    seat: str | None = None
    admission_number: str | None = None


def check_in(user, text: str, site_id: int, session_id: int | None = None) -> CheckIn:
    text = (text or "").strip()
    result = _check(user, text, site_id, session_id)
    audit.record("arrangement.checkin", **Actor.staff(user).audit_fields(), object_type="sites", object_id=site_id,
                 after={"admission_number": result.admission_number, "ok": result.ok,
                        "problems": result.problems, "session_id": session_id})
    db.session.commit()
    return result


def _check(user, text: str, site_id: int, session_id: int | None) -> CheckIn:
    notes = []
    if text.startswith(tickets.PREFIX + "|"):
        try:
            verified = tickets.verify(text, utcnow())
        except tickets.PayloadError as exc:
            return CheckIn(False, [exc.message])
        number, reg_number = verified.admission_number, verified.registration_number
    elif numbers.parts(text):
        number, reg_number = text, None
        notes.append(TYPED)
    else:
        return CheckIn(False, [tickets.MALFORMED])
    seat = db.session.scalar(select(SeatAssignment).where(SeatAssignment.admission_number == number))
    if seat is None:
        return CheckIn(False, [NOT_FOUND], admission_number=number)
    site = db.session.get(Site, seat.site_id)
    if not scope.can_see_site(user, site):
        return CheckIn(False, [OUT_OF_SCOPE], admission_number=number)
    reg = db.session.get(Registration, seat.registration_id)
    problems = []
    if reg_number is not None and reg_number != reg.number:
        problems.append(VOID)
    if reg.status != APPROVED:
        problems.append(NOT_LIVE)
    if seat.site_id != site_id:
        problems.append(WRONG_SITE)
    if session_id is not None:
        session = db.session.get(ExamSession, session_id)
        if session is None or session.id not in {s.id for s in admission.seat_sessions(reg, seat)}:
            problems.append(WRONG_SESSION)
    return CheckIn(not problems, problems, notes, reg.candidate.name, (reg.snapshot or {}).get("photo"),
                   site.name, f"第{seat.room.number:03d}考场", f"{seat.seat:02d}", number)
