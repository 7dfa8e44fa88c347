"""A year's eligibility settings are read once and kept under the year's settings_key, which every change of its
rules, routes or review modes renews in the same transaction (core/eligibility/year_settings.py)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import event, text

from core.db import db
from core.eligibility import settings_and_review_mode, settings_for
from core.models import EligibilityRouteSetting, EligibilityRuleSetting, ExamYear, ReviewMode
from tests.factories import make_catalogue


def reads(fn):
    """(fn's result, the statements it ran)."""
    seen = []
    listen = (db.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    event.listen(*listen)
    try:
        return fn(), seen
    finally:
        event.remove(*listen)


def test_the_settings_are_read_once_then_kept(session):
    year = make_catalogue()["year"]
    session.add(EligibilityRuleSetting(exam_year=year, rule="R3", enabled=False, params={}))
    session.commit()
    first, seen = reads(lambda: settings_for(year))
    assert not first.on("R3") and len(seen) == 2  # the year's key (expired by the commit), then its settings
    again, seen = reads(lambda: settings_for(year))
    assert again is first and seen == []


def test_a_change_through_the_orm_renews_the_key_in_its_transaction(session):
    cat = make_catalogue()
    year, region = cat["year"], cat["region"]
    assert settings_and_review_mode(year, region.id)[1] is None
    key = year.settings_key
    session.add(ReviewMode(region_id=region.id, exam_year_id=year.id, mode="online", review_start=date(2027, 1, 5),
                           review_end=date(2027, 2, 5), correction_days=5))
    session.add(EligibilityRouteSetting(exam_year_id=year.id, route="physician_secondary", open=False))
    session.flush()
    assert year.settings_key != key  # the session's own year shows it at once
    rules, mode = settings_and_review_mode(year, region.id)
    assert mode == "online" and not rules.route_open("physician_secondary")
    session.commit()
    assert db.session.scalar(text("SELECT settings_key FROM exam_years WHERE id = :id"), {"id": year.id}) \
        == year.settings_key  # committed with the change


def test_another_process_s_change_is_seen_at_the_next_read_of_the_year(session):
    year = make_catalogue()["year"]
    session.commit()
    assert settings_for(year).on("R3")
    year_id = year.id
    with db.engine.begin() as other:  # another process: the row and, as its flush does, a new key
        other.execute(text("INSERT INTO eligibility_rule_settings (exam_year_id, rule, enabled, params) "
                           "VALUES (:y, 'R3', false, '{}')"), {"y": year_id})
        other.execute(text("UPDATE exam_years SET settings_key = 'renewed' WHERE id = :y"), {"y": year_id})
    assert settings_for(year).on("R3")  # this request's year, read before: what it read then
    session.expire_all()
    assert not settings_for(session.get(ExamYear, year_id)).on("R3")


def test_a_change_of_one_year_leaves_another_year_s_key(session):
    first = make_catalogue()["year"]
    other = make_catalogue()["year"]  # another family's year
    kept = other.settings_key
    session.add(EligibilityRuleSetting(exam_year_id=first.id, rule="R3", enabled=False, params={}))
    session.commit()
    assert session.get(ExamYear, other.id).settings_key == kept
