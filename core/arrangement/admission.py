"""准考证 for one registration: whether it can be printed yet, and what it shows.

The portal asks ``ticket_state`` for the card (打印准考证 after the region's date, the date before it) and
``ticket_data`` for the PDF; the back office asks ``room_sheet`` for the 签到表 and 门贴.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.arrangement import service, tickets
from core.db import db, to_shanghai, utcnow
from core.messages import Msg
from core.models import ArrangementRun, ExamRoom, ExamSession, Registration, SeatAssignment, TicketWindow
from core.models.arrangement import ARRANGED_PART_LABELS

PART_ORDER = ("skills", "written")  # 实践技能 (June-July) comes before 医学综合 (August)
from core.registration.states import APPROVED
from core.services.audit import mask_document

DEFAULT_RULES = (
    "考生凭准考证和有效身份证件（与报名时一致）参加考试，二者缺一不可。",
    "考生须在开考前30分钟到达考场，开考15分钟后不得入场。",
    "除规定文具外，不得携带手机、智能手表等任何电子设备及书籍资料进入考场。",
    "考试期间服从监考人员管理，独立作答，不得交头接耳、抄袭或协助他人作弊。",
    "考试结束前不得离开考场，离场后不得在考场附近逗留、喧哗。",
)


@dataclass(frozen=True)
class TicketState:
    state: str  # "none": not arranged yet · "before": prints from opens_at · "open": printable
    opens_at: datetime | None = None  # UTC

    @property
    def message(self) -> str | None:
        if self.state == "before":
            return Msg("准考证将于%(date)s起开放打印。", date=to_shanghai(self.opens_at).strftime("%Y-%m-%d %H:%M"))
        return None


def seats_of(registration_id: int) -> list[SeatAssignment]:
    """The registration's published seats, one per exam part (实践技能 before 医学综合, as in the year)."""
    seats = db.session.scalars(select(SeatAssignment).where(SeatAssignment.registration_id == registration_id))
    return sorted(seats, key=lambda a: PART_ORDER.index(a.part))


def seat_of(registration_id: int) -> SeatAssignment | None:
    seats = seats_of(registration_id)
    return seats[0] if seats else None


def window_of(reg: Registration) -> TicketWindow | None:
    return db.session.scalar(select(TicketWindow).where(TicketWindow.region_id == reg.region_id,
                                                        TicketWindow.exam_year_id == reg.exam_year_id))


def ticket_state(reg: Registration, now: datetime | None = None) -> TicketState:
    """A ticket exists once the registration is approved, paid and its seat published, and the region has set
    its date; it prints from that date on."""
    if reg.status != APPROVED or reg.payment_status != "paid":
        return TicketState("none")
    window = window_of(reg)
    if window is None or seat_of(reg.id) is None:
        return TicketState("none")
    if (now or utcnow()) < window.opens_at:
        return TicketState("before", window.opens_at)
    return TicketState("open", window.opens_at)


def sessions_of(reg: Registration, part: str = "written") -> list[ExamSession]:
    """The sessions the registration sits in one exam part (医学综合 with 军事医学, or 实践技能)."""
    year_sessions = list(db.session.scalars(select(ExamSession).where(ExamSession.exam_year_id == reg.exam_year_id)
                                            .order_by(ExamSession.starts_at)))
    ids = service.sessions_for(reg.subject, year_sessions, reg.military_unit, part)
    return [s for s in year_sessions if s.id in ids]


def seat_sessions(reg: Registration, seat: SeatAssignment) -> list[ExamSession]:
    """The sessions a published seat is for: 医学综合 every session of the part; 实践技能 the one day or
    half-day the base's published run gave the candidate (``arrangement_runs.sessions``; a run planned before
    that was recorded: every 实践技能 session of their level and category)."""
    sessions = sessions_of(reg, seat.part)
    if seat.part != "skills":
        return sessions
    run = service.published_run(seat.site_id, reg.exam_year_id, "skills")
    chosen = (run.sessions or {}).get(str(reg.id)) if run is not None else None
    return [s for s in sessions if s.id == chosen] if chosen is not None else sessions


def _times(session: ExamSession) -> str:
    start, end = to_shanghai(session.starts_at), to_shanghai(session.ends_at)
    return f"{start:%Y-%m-%d} {start:%H:%M}-{end:%H:%M}"


def _part_data(reg: Registration, seat: SeatAssignment, window: TicketWindow) -> dict:
    """One exam part on the ticket: its 准考证号, site (the base for 实践技能), room, seat, sessions, QR code."""
    room, site = seat.room, seat.room.site
    return {
        "part": seat.part, "part_label": ARRANGED_PART_LABELS[seat.part],
        "admission_number": seat.admission_number,
        "sessions": [{"part": s.part_label, "name": s.name, "time": _times(s)} for s in seat_sessions(reg, seat)],
        "site": site.name, "site_address": site.address or "",
        "room": f"第{room.number:03d}考场", "room_place": " ".join(filter(None, [room.address, room.floor])),
        "seat": f"{seat.seat:02d}",
        "qr_payload": tickets.sign(seat.admission_number, reg.number, window.valid_until),
    }


def ticket_data(reg: Registration) -> dict:
    """What the 准考证 shows (document number masked): the candidate, then each arranged exam part with its
    own number, room, seat, times and signed QR payload (``parts``). The top-level seat fields are the first
    part's."""
    window = window_of(reg)
    cand = reg.candidate
    snapshot = reg.snapshot or {}
    parts = [_part_data(reg, seat, window) for seat in seats_of(reg.id)]
    first = parts[0]
    return {
        **{k: first[k] for k in ("admission_number", "sessions", "site", "site_address", "room", "room_place",
                                 "seat", "qr_payload")},
        "parts": parts, "registration_number": reg.number,
        "name": cand.name, "doc_type": (snapshot.get("candidate") or {}).get("doc_type_label", ""),
        "doc_number": mask_document(cand.doc_number), "photo": snapshot.get("photo"),
        "exam": reg.exam_year.name, "subject": f"{reg.subject.name}（{reg.subject.code}）",
        "rules": [r for r in (window.rules or "").splitlines() if r.strip()] or list(DEFAULT_RULES),
        "valid_until": to_shanghai(window.valid_until).strftime("%Y-%m-%d"),
    }


def room_sheet(room: ExamRoom) -> dict:
    """签到表 and 门贴 of a room: its published seats in seat order."""
    rows = db.session.execute(
        select(SeatAssignment, Registration).join(Registration, Registration.id == SeatAssignment.registration_id)
        .options(joinedload(Registration.candidate), joinedload(Registration.subject))
        .where(SeatAssignment.room_id == room.id).order_by(SeatAssignment.seat)).all()
    return {"site": room.site.name, "site_address": room.site.address or "", "room": f"第{room.number:03d}考场",
            "room_place": " ".join(filter(None, [room.address, room.floor])),
            "rows": [{"seat": f"{a.seat:02d}", "name": r.candidate.name, "admission_number": a.admission_number,
                      "subject": r.subject.name, "photo": (r.snapshot or {}).get("photo"), "registration_id": r.id}
                     for a, r in rows]}


def room_sheets(room: ExamRoom, skills_days: dict[int, int]) -> list[dict]:
    """The room's 签到表 and 门贴; a 实践技能 room hosting several sessions gets one per session (day or
    half-day), its name and time after the room's (``skills_days``: registration id -> session id)."""
    sheet = room_sheet(room)
    if not any(r["registration_id"] in skills_days for r in sheet["rows"]):
        return [sheet]
    by_session: dict[int | None, list[dict]] = {}
    for row in sheet["rows"]:
        by_session.setdefault(skills_days.get(row["registration_id"]), []).append(row)
    sessions = {s.id: s for s in db.session.scalars(select(ExamSession).where(
        ExamSession.id.in_([k for k in by_session if k is not None])))}
    ordered = sorted(by_session, key=lambda k: (sessions[k].starts_at, k) if k in sessions else (datetime.max, 0))
    return [{**sheet, "rows": by_session[k],
             "room": f"{sheet['room']} · {sessions[k].name} {_times(sessions[k])}" if k in sessions else sheet["room"]}
            for k in ordered]


def site_sheets(site_id: int) -> list[dict]:
    """Every open or used room of the site with its seats (签到表, 门贴, the site's Excel)."""
    rooms = db.session.scalars(select(ExamRoom).where(ExamRoom.site_id == site_id).order_by(ExamRoom.number))
    days: dict[int, int] = {}
    for run in db.session.scalars(select(ArrangementRun).where(  # 实践技能: the day of each seat
            ArrangementRun.site_id == site_id, ArrangementRun.part == "skills",
            ArrangementRun.state == "published")):
        days.update({int(k): v for k, v in (run.sessions or {}).items()})
    return [sheet for room in rooms for sheet in room_sheets(room, days) if sheet["rows"]]


def registration_numbers(site_id: int) -> dict[str, str]:
    """准考证号 -> 报名号 of the site's published seats."""
    return dict(db.session.execute(select(SeatAssignment.admission_number, Registration.number)
                                   .join(Registration, Registration.id == SeatAssignment.registration_id)
                                   .where(SeatAssignment.site_id == site_id)).all())
