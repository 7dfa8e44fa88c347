"""A candidate's own registrations: every portal page and service finds them here."""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.util import identity_key

from core.db import db
from core.models import Candidate, Registration, Site
from core.registration.states import DRAFT, LIVE
from core.services.errors import NotAllowed
from core.validators import row_id


# Every page about one registration runs it: built once (building a select with its options, and its cache
# key, each time cost half as much again as running it).
_OWN = (select(Registration).options(joinedload(Registration.exam_year), joinedload(Registration.subject))
        .where(Registration.id == bindparam("id")))


def own_registration(candidate: Candidate, registration_id: int) -> Registration:
    """The candidate's own registration, or NotAllowed (shown as 404: nothing said about others).

    Its exam year and subject come in the same query: every page and the submission read both. Already in
    the session (提交 after its step), it is not read again.
    """
    reg = (db.session.identity_map.get(identity_key(Registration, registration_id))
           or db.session.scalar(_OWN, {"id": registration_id}))
    return _mine(candidate, reg)


def own_draft(candidate: Candidate, registration_id: int) -> Registration:
    return _draft(own_registration(candidate, registration_id))


# The 考点 step's POST (and 提交): the registration and the site the form names, with its region, in one statement.
_OWN_AND_SITE = (select(Registration, Site).outerjoin(Site, Site.id == bindparam("site_id"))
                 .options(joinedload(Registration.exam_year), joinedload(Registration.subject),
                          joinedload(Site.region))
                 .where(Registration.id == bindparam("id")))


def own_draft_and_site(candidate: Candidate, registration_id: int, site_id) -> tuple[Registration, Site | None]:
    """``own_draft`` and the site ``site_id`` names (None when none does), read together: the caller keeps the
    site while steps.save_site and 提交 run, whose ``session.get`` of it then finds it in the session."""
    site_id = row_id(site_id)
    if site_id is None:
        return own_draft(candidate, registration_id), None
    reg, site = db.session.execute(_OWN_AND_SITE, {"id": registration_id, "site_id": site_id}).first() or (
        None, None)
    return _draft(_mine(candidate, reg)), site


def _mine(candidate: Candidate, reg: Registration | None) -> Registration:
    if reg is None or reg.candidate_id != candidate.id:
        raise NotAllowed("找不到该报名。")
    return reg


def _draft(reg: Registration) -> Registration:
    if reg.status != DRAFT:
        raise NotAllowed("该报名已提交，报名信息不提供修改功能。")
    return reg


_OF = (select(Registration).where(Registration.candidate_id == bindparam("candidate_id"))
       .options(joinedload(Registration.exam_year), joinedload(Registration.subject),
                joinedload(Registration.region), joinedload(Registration.site))
       .order_by(Registration.created_at.desc(), Registration.id.desc()))


def registrations_of(candidate: Candidate) -> list[Registration]:
    """Every registration the candidate ever made, newest first (考试报名 page, services).

    With the exam year, subject, region and site each page shows, in the same query (not one per row);
    the statement built once, as ``_OWN``.
    """
    return list(db.session.scalars(_OF, {"candidate_id": candidate.id}))


def live_for_year(candidate: Candidate, exam_year_id: int) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.candidate_id == candidate.id, Registration.exam_year_id == exam_year_id,
        Registration.status.in_(LIVE)))
