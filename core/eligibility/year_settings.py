"""A year's eligibility settings and its regions' review modes, read once and kept in the process.

Every wizard page and 提交 needs them; they change a few times a year. They are kept under the exam year's
``settings_key``, which the page has just read with the registration (``own_registration`` loads its year), and
every ORM write of a rule, a route or a review mode gives its year a new key in the same transaction
(``_renew_keys``, after each flush). So a process never uses settings older than the exam-year row it has just
read: the first request after a change, in any process, reads them again (one statement, as before). A write that
bypasses the unit of work (raw SQL, a bulk ``insert``/``update`` statement) must set a new ``settings_key`` itself.
What is kept is shared: read it, never change it.
"""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Integer, bindparam, cast, event, inspect, literal, null, select, union_all, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from core.db import db
from core.eligibility.table import DEFAULTS, RuleSettings
from core.models import EligibilityRouteSetting, EligibilityRuleSetting, ExamYear, ReviewMode
from core.models.catalogue import new_settings_key

_RULE, _ROUTE = EligibilityRuleSetting, EligibilityRouteSetting
# The year's rules, routes and regions' review modes in one round trip; built once, at import.
_YEAR_SETTINGS = union_all(
    select(literal("rule").label("kind"), _RULE.rule.label("code"), _RULE.enabled.label("on"), _RULE.params,
           cast(null(), Integer).label("region_id")).where(_RULE.exam_year_id == bindparam("year")),
    select(literal("route"), _ROUTE.route, _ROUTE.open, null(), null()).where(_ROUTE.exam_year_id == bindparam("year")),
    select(literal("mode"), ReviewMode.mode, null(), null(), ReviewMode.region_id)
    .where(ReviewMode.exam_year_id == bindparam("year")))
_WATCHED = (EligibilityRuleSetting, EligibilityRouteSetting, ReviewMode)


class YearSettings(NamedTuple):
    rules: RuleSettings
    review_modes: dict[int, str]  # region id -> ReviewMode.mode (no entry: no row, 现场审核)


_kept: dict[int, tuple[str, YearSettings]] = {}  # exam year id -> (its settings_key, its settings)


def year_settings(year: ExamYear) -> YearSettings:
    kept = _kept.get(year.id)
    if kept is None or kept[0] != year.settings_key:
        kept = _kept[year.id] = (year.settings_key, _read(year.id))
    return kept[1]


def settings_for(year: ExamYear) -> RuleSettings:
    """The exam year's rule and route settings (rows override the defaults)."""
    return year_settings(year).rules


def settings_and_review_mode(year: ExamYear, region_id: int) -> tuple[RuleSettings, str | None]:
    """``settings_for`` and the region's review mode that year (``ReviewMode.mode``; None: no row, 现场审核)."""
    kept = year_settings(year)
    return kept.rules, kept.review_modes.get(region_id)


def review_modes(year: ExamYear) -> dict[int, str]:
    """The year's review modes by region id (no entry: no row, 现场审核)."""
    return year_settings(year).review_modes


def _read(year_id: int) -> YearSettings:
    rules, modes = RuleSettings(), {}
    for kind, code, on, params, region_id in db.session.execute(_YEAR_SETTINGS, {"year": year_id}):
        if kind == "route":
            rules.routes[code] = on
        elif kind == "mode":
            modes[region_id] = code
        else:
            rules.enabled[code] = on
            rules.params[code] = {**DEFAULTS.get(code, {}), **(params or {})}
    return YearSettings(rules, modes)


@event.listens_for(Session, "after_flush")
def _renew_keys(session: Session, _context) -> None:
    """A flush that wrote a rule, a route or a review mode gives their exam years a new key (its transaction's)."""
    years = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _WATCHED):
            years.add(obj.exam_year_id)
            years.update(inspect(obj).attrs.exam_year_id.history.deleted)  # moved to another year: both change
    years.discard(None)
    if not years:
        return
    key = new_settings_key()
    table = ExamYear.__table__
    session.connection().execute(update(table).where(table.c.id.in_(years)).values(settings_key=key))
    for year_id in years:  # the years this session holds show the new key without reading it back
        year = session.identity_map.get(identity_key(ExamYear, year_id))
        if year is not None:
            set_committed_value(year, "settings_key", key)
