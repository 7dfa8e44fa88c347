"""缴费金额: the itemised fees of one registration, from its region's fee schedule (integer fen)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam

from core.db import db
from core.models import ExamSubject, Fee, Registration
from core.models.catalogue import FEE_ITEM_LABELS
from core.services.errors import DomainError


@dataclass(frozen=True)
class FeeLine:
    item: str  # registration / skills / written
    label: str
    amount_fen: int
    units: int | None = None
    unit_fen: int | None = None

    def as_dict(self) -> dict:
        return {"item": self.item, "label": self.label, "amount_fen": self.amount_fen,
                "units": self.units, "unit_fen": self.unit_fen}


def written_units(registration: Registration, subject: ExamSubject) -> int:
    """医学综合 units: the subject's (执业 4, 助理 2), plus the 军事医学 unit for 现役军人."""
    return subject.written_units + (1 if registration.military_unit else 0)


def fee_lines(registration: Registration) -> list[FeeLine]:
    """报名费, 实践技能考试费 and 医学综合笔试费 (units x unit price) for the registration's region and subject.

    Raises DomainError when the region has not published its fee schedule for the subject.
    """
    return lines_of(schedules([registration]).get((registration.region_id, registration.subject_id), {}),
                    registration)


_SCHEDULES = db.select(Fee).where(Fee.region_id.in_(bindparam("regions", expanding=True)),
                                   Fee.subject_id.in_(bindparam("subjects", expanding=True)))  # built once


def schedules(registrations) -> dict[tuple[int, int], dict[str, int]]:
    """The fee schedules of these registrations' (region, subject) pairs, in one query: {pair: {item: fen}}."""
    pairs = {(r.region_id, r.subject_id) for r in registrations if r.region_id and r.subject_id}
    if not pairs:
        return {}
    found: dict[tuple[int, int], dict[str, int]] = {}
    for fee in db.session.scalars(_SCHEDULES, {"regions": sorted({p[0] for p in pairs}),
                                               "subjects": sorted({p[1] for p in pairs})}):
        found.setdefault((fee.region_id, fee.subject_id), {})[fee.item] = fee.amount_fen
    return found


def lines_of(schedule: dict[str, int], registration: Registration) -> list[FeeLine]:
    """The fee lines from one published schedule (DomainError when it is incomplete)."""
    if set(schedule) != {"registration", "skills", "written_unit"}:
        raise DomainError("本考区尚未公布该报考类别的收费标准，暂不能缴费。")
    subject = db.session.get(ExamSubject, registration.subject_id)
    units = written_units(registration, subject)
    return [
        FeeLine("registration", FEE_ITEM_LABELS["registration"], schedule["registration"]),
        FeeLine("skills", FEE_ITEM_LABELS["skills"], schedule["skills"]),
        FeeLine("written", "医学综合笔试费", units * schedule["written_unit"], units, schedule["written_unit"]),
    ]


def total_fen(lines: list[FeeLine]) -> int:
    return sum(line.amount_fen for line in lines)
