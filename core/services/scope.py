"""Staff scope (数据范围): which regions, sites, registrations and candidates a staff user may see.

The role says *what* a staff user may do (backoffice/roles.py), the scope *where*. A 国家管理员 sees
everything; every other user sees only what their ``StaffScope`` rows give them: a region row gives the
whole region (考区管理员, 财务 of a province), a site row gives that site (考点审核员). No rows, nothing.

Every back-office list, page, action, dropdown, chart, export and JSON route asks this module, and so do
the reports. The answer is computed once per request (cached on ``flask.g``).

    allowed_region_ids(user)            regions the user may see
    manageable_region_ids(user)         regions the user may administer (region rows only)
    allowed_site_ids(user)              sites the user may see
    in_scope(scope, region_col, site_col)  the SQL condition of a scope (staff or report) on any table
    scope_condition(user, region_col, site_col)  the same, evaluated by the database (one-row lookups)
    registration_clause(user)           SQL condition on Registration
    registration_query_in_scope(user)   select(Registration) limited to the scope
    candidate_clause(user)              SQL condition on Candidate (has a registration in scope)
    can_see_registration / can_see_candidate / can_see_site / can_manage_region
    can_see_full_documents(user)        may reveal a full document number (audited)
    full_contact_fields(user)           the contact fields (手机, 电子邮箱, 通讯地址) the user may reveal (audited)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import g, has_app_context
from sqlalchemy import exists, false, or_, select, true

from core.db import db
from core.db import utcnow
from core.models import Candidate, ExamYear, PaymentOrder, Region, Registration, Site, StaffScope
from core.registration.states import LIVE

# Role names (defined here so core can decide; backoffice/roles.py gives them their permissions).
NATIONAL_ADMIN = "国家管理员"
REGION_ADMIN = "考区管理员"
SITE_REVIEWER = "考点审核员"
FINANCE = "财务"
STAFF_ROLES = (NATIONAL_ADMIN, REGION_ADMIN, SITE_REVIEWER, FINANCE)
# Roles allowed to show a full document number (each showing is audited); 财务 never.
DOCUMENT_ROLES = (NATIONAL_ADMIN, REGION_ADMIN, SITE_REVIEWER)
# The contact fields (手机、电子邮箱、通讯地址) each role may show in full, one candidate at a time, each showing
# audited; everywhere else (lists, notification records, exports of other roles) they are masked. 考点审核员:
# the mobile only (they phone about a 补正 whose notification failed); 财务 nothing: refunds go back the
# way the money came and orders are found by number. Reasons: docs/privacy.md.
CONTACT_FIELDS = ("mobile", "email", "address")
CONTACT_FIELDS_BY_ROLE = {NATIONAL_ADMIN: CONTACT_FIELDS, REGION_ADMIN: CONTACT_FIELDS, SITE_REVIEWER: ("mobile",)}


@dataclass(frozen=True)
class Scope:
    national: bool
    region_ids: frozenset[int]  # whole regions (region rows)
    site_ids: frozenset[int]  # single sites (site rows)

    @property
    def empty(self) -> bool:
        return not (self.national or self.region_ids or self.site_ids)


def role_names(user) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return set()
    return {role.name for role in user.roles}


def scope_of(user) -> Scope:
    """The user's scope, computed once per request."""
    uid = getattr(user, "id", None)
    cache = g.setdefault("_staff_scope", {}) if has_app_context() else {}
    if uid in cache:
        return cache[uid]
    roles = role_names(user)
    if NATIONAL_ADMIN in roles:
        result = Scope(True, frozenset(), frozenset())
    elif not roles or uid is None:
        result = Scope(False, frozenset(), frozenset())
    else:
        rows = db.session.execute(select(StaffScope.region_id, StaffScope.site_id)
                                  .where(StaffScope.user_id == uid)).all()
        result = Scope(False, frozenset(r for r, _ in rows if r), frozenset(s for _, s in rows if s))
    cache[uid] = result
    return result


def is_national(user) -> bool:
    return scope_of(user).national


def can_see_full_documents(user) -> bool:
    return bool(role_names(user) & set(DOCUMENT_ROLES))


def full_contact_fields(user) -> tuple[str, ...]:
    """The contact fields this user may show in full (audited), in ``CONTACT_FIELDS`` order."""
    allowed = {f for role in role_names(user) for f in CONTACT_FIELDS_BY_ROLE.get(role, ())}
    return tuple(f for f in CONTACT_FIELDS if f in allowed)


def in_scope(s, region_column, site_column):
    """The one SQL condition of a scope: the row's region is one of its regions or its site one of its sites.

    ``s`` is anything with ``national``, ``region_ids`` and ``site_ids``: a staff ``Scope`` or a report's
    ``reports.scope.ReportScope``.
    """
    if s.national:
        return true()
    parts = []
    if s.region_ids:
        parts.append(region_column.in_(sorted(s.region_ids)))
    if s.site_ids:
        parts.append(site_column.in_(sorted(s.site_ids)))
    return or_(*parts) if parts else false()


def scope_condition(user, region_column, site_column):
    """``in_scope(scope_of(user), …)`` evaluated by the database: a correlated EXISTS over the user's
    ``staff_scopes`` rows instead of loading them first. For a single-row lookup that is asked for often
    (a document thumbnail): the scope check rides in the row's own query. Same rule, same answer
    (tests/core/test_scope_condition.py holds the two equal for every role and object)."""
    if has_app_context() and getattr(user, "id", None) in g.get("_staff_scope", {}):
        return in_scope(scope_of(user), region_column, site_column)  # loaded already this request
    roles = role_names(user)
    if NATIONAL_ADMIN in roles:
        return true()
    uid = getattr(user, "id", None)
    if not roles or uid is None:
        return false()
    return exists().where(StaffScope.user_id == uid,
                          or_(StaffScope.region_id == region_column, StaffScope.site_id == site_column))


# --- sites and regions -------------------------------------------------------------------------

def site_clause(user):
    return in_scope(scope_of(user), Site.region_id, Site.id)


def allowed_site_ids(user) -> list[int]:
    return list(db.session.scalars(select(Site.id).where(site_clause(user))))


def region_clause(user):
    """Regions the user may see: their regions plus the regions of their sites."""
    s = scope_of(user)
    if s.national:
        return true()
    via_sites = select(Site.region_id).where(Site.id.in_(s.site_ids)) if s.site_ids else None
    parts = []
    if s.region_ids:
        parts.append(Region.id.in_(s.region_ids))
    if via_sites is not None:
        parts.append(Region.id.in_(via_sites))
    return or_(*parts) if parts else false()


def allowed_region_ids(user) -> list[int]:
    return list(db.session.scalars(select(Region.id).where(region_clause(user))))


def manageable_region_clause(user):
    """Regions the user may administer (sites, capacities, fees, online payment): region rows only."""
    s = scope_of(user)
    if s.national:
        return true()
    return Region.id.in_(s.region_ids) if s.region_ids else false()


def manageable_region_ids(user) -> list[int]:
    return list(db.session.scalars(select(Region.id).where(manageable_region_clause(user))))


def can_manage_region(user, region_id: int | None) -> bool:
    s = scope_of(user)
    return s.national or (region_id is not None and region_id in s.region_ids)


def can_see_site(user, site: Site | None) -> bool:
    if site is None:
        return False
    s = scope_of(user)
    return s.national or site.id in s.site_ids or site.region_id in s.region_ids


# --- registrations, candidates, payments -------------------------------------------------------

def registration_clause(user, model=Registration):
    return in_scope(scope_of(user), model.region_id, model.site_id)


def registration_query_in_scope(user, query=None):
    """``select(Registration)`` (or the given select) limited to the user's scope."""
    query = select(Registration) if query is None else query
    return query.where(registration_clause(user))


def can_see_registration(user, registration: Registration | None) -> bool:
    if registration is None:
        return False
    s = scope_of(user)
    return (s.national or registration.region_id in s.region_ids
            or (registration.site_id is not None and registration.site_id in s.site_ids))


def candidate_clause(user):
    """A candidate is in scope when one of their registrations is (a 国家管理员 sees every account)."""
    s = scope_of(user)
    if s.national:
        return true()
    if s.empty:
        return false()
    return exists().where(Registration.candidate_id == Candidate.id, registration_clause(user))


def can_see_candidate(user, candidate_id: int | None) -> bool:
    if candidate_id is None:
        return False
    if is_national(user):
        return db.session.get(Candidate, candidate_id) is not None
    return db.session.scalar(select(exists().where(Registration.candidate_id == candidate_id,
                                                   registration_clause(user)))) or False


CURRENT_YEAR_SPAN = timedelta(days=365)


def can_manage_candidate(user, candidate_id: int | None) -> bool:
    """May the user change a candidate's account (更正, 密码重置, 显示完整证件号)? Outside the national level,
    only through a live registration (填报中, 已提交, 审核通过) of a current exam year (its window closed
    less than CURRENT_YEAR_SPAN ago, or has not closed) in the user's scope. An ended registration (放弃报考, 审核不通过, 逾期未缴费) or an earlier year's keeps the candidate
    visible (``can_see_candidate``, history read-only) but no longer manageable (issue 14, finding 6)."""
    if candidate_id is None:
        return False
    if is_national(user):
        return db.session.get(Candidate, candidate_id) is not None
    current = select(ExamYear.id).where(ExamYear.window_closes_at > utcnow() - CURRENT_YEAR_SPAN)
    return db.session.scalar(select(exists().where(
        Registration.candidate_id == candidate_id, registration_clause(user), Registration.status.in_(LIVE),
        Registration.exam_year_id.in_(current)))) or False


def payment_clause(user):
    if is_national(user):
        return true()
    return PaymentOrder.registration_id.in_(select(Registration.id).where(registration_clause(user)))
