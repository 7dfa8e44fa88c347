"""无障碍考场需求 declared by the candidate (registration card): a registration needs an accessible room.

The planner reads ``registrations.needs_accessible_room`` (core.arrangement.service.site_input): the next
预排 seats the candidate in a 无障碍 room, in every exam part. The candidate may change it while the registration
is live and no seat of it is published; after that only the site can (考场编排 → 无障碍考场需求, by 报名号),
since a change must go through a re-arrangement. Every change is audited.
"""
from __future__ import annotations

from sqlalchemy import exists, select

from core.db import db
from core.messages import Msg
from core.models import Candidate, Registration, SeatAssignment, Site
from core.registration.lifecycle import Actor
from core.registration.states import APPROVED, LIVE, label
from core.services import audit, scope
from core.services.errors import DomainError

LOCKED = Msg("考场编排已发布，不能再修改无障碍考场需求；如需变更，请联系报考考点。")
ENDED = Msg("该报名已结束，不能再修改无障碍考场需求。")
STAFF_LIST_LIMIT = 500


def published(reg: Registration) -> bool:
    """A seat of the registration is published (in any exam part)."""
    return bool(db.session.scalar(select(exists().where(SeatAssignment.registration_id == reg.id))))


def can_change(reg: Registration, seated: set[int] | None = None) -> bool:
    """``seated``: the ids of ``published_among`` for a page of cards (one query, not one per card)."""
    return reg.status in LIVE and not (reg.id in seated if seated is not None else published(reg))


def published_among(regs) -> set[int]:
    """The ids of those registrations with a published seat; only approved ones are ever arranged."""
    ids = [r.id for r in regs if r.status == APPROVED]
    if not ids:
        return set()
    return set(db.session.scalars(select(SeatAssignment.registration_id).distinct()
                                  .where(SeatAssignment.registration_id.in_(ids))))


def declare(candidate: Candidate, reg: Registration, needed: bool) -> bool:
    """The candidate's own registration (the caller has checked ownership). Caller commits.
    Returns whether anything changed."""
    if reg.candidate_id != candidate.id:
        raise DomainError("未找到该报名。")
    if reg.status not in LIVE:
        raise DomainError(ENDED, field="needs_accessible_room")
    if published(reg):
        raise DomainError(LOCKED, field="needs_accessible_room")
    if reg.needs_accessible_room == needed:
        return False
    before = reg.needs_accessible_room
    reg.needs_accessible_room = needed
    audit.record("arrangement.accessible_need.declared", **Actor.candidate(candidate).audit_fields(), obj=reg,
                 before={"needs_accessible_room": before}, after={"needs_accessible_room": needed})
    return True


def staff_list(user, exam_year_id: int | None) -> list[dict]:
    """Live registrations in the user's scope that need a 无障碍 room (at most STAFF_LIST_LIMIT), for the
    考场编排 page."""
    query = (select(Registration.number, Candidate.name, Site.name, Registration.status)
             .join(Candidate, Candidate.id == Registration.candidate_id)
             .outerjoin(Site, Site.id == Registration.site_id)
             .where(Registration.needs_accessible_room.is_(True), Registration.status.in_(LIVE),
                    scope.registration_clause(user))
             .order_by(Registration.number).limit(STAFF_LIST_LIMIT))
    if exam_year_id is not None:
        query = query.where(Registration.exam_year_id == exam_year_id)
    return [{"number": n or "—", "name": name, "site": site or "—", "status": label(status)}
            for n, name, site, status in db.session.execute(query)]
