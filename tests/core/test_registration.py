"""Drafts, submission and 放弃报考 (core.registration) on the real database."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app

from core.db import db, utcnow
from core.models import (AuditEntry, Education, PaymentOrder, Refund, Registration, RegistrationEntry, Site,
                         Training)
from core.registration import draft, errors, steps, submission, withdrawal
from core.services.errors import NotAllowed
from tests.factories import (dictionaries, make_candidate, make_catalogue, ready_candidate, ready_draft,
                             sample_snapshot)


# --- starting ------------------------------------------------------------------------------------

def test_start_creates_a_draft_and_resumes_it(session):
    cat, cand = make_catalogue(), make_candidate()
    reg = draft.start_registration(cand, cat["subject"].id)
    assert (reg.status, reg.draft_step) == ("draft", "basic")
    draft.go_to_step(reg, "entries")
    again = draft.start_registration(cand, cat["subject"].id)
    assert again.id == reg.id and again.draft_step == "entries"


def test_choosing_another_subject_of_the_same_year_changes_the_draft(session):
    cat, cand = make_catalogue(), make_candidate()
    reg = draft.start_registration(cand, cat["subject"].id)
    other = draft.start_registration(cand, cat["assistant_subject"].id)
    assert other.id == reg.id and other.subject_id == cat["assistant_subject"].id
    assert session.scalar(db.select(db.func.count(Registration.id))) == 1


@pytest.mark.parametrize("shift, words", [(timedelta(days=5), "尚未开始"), (timedelta(days=-30), "已于")])
def test_start_outside_the_window_says_when(session, shift, words):
    cat, cand = make_catalogue(), make_candidate()
    year = cat["year"]
    if shift.days > 0:
        year.window_opens_at, year.window_closes_at = utcnow() + shift, utcnow() + shift * 3
    else:
        year.window_opens_at, year.window_closes_at = utcnow() + shift * 2, utcnow() + shift
    session.flush()
    with pytest.raises(errors.WindowClosed) as exc:
        draft.start_registration(cand, cat["subject"].id)
    assert words in exc.value.message and "北京时间" in exc.value.message


# --- submitting ----------------------------------------------------------------------------------

def test_submit_takes_a_seat_locks_entries_freezes_the_snapshot(session):
    cat = make_catalogue(capacity=3)
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    done = submission.submit_registration(cand, reg.id, "token-1")
    assert done.status == "submitted" and done.submit_token == "token-1"
    assert done.number == f"2027{cat['region'].code}{reg.id:08d}"
    assert session.get(Site, cat["site"].id).taken == 1
    edu = cand.educations[0]
    session.refresh(edu)
    assert edu.state == "locked"
    assert [e.education_id for e in session.scalars(db.select(RegistrationEntry))] == [edu.id]
    snap = done.snapshot
    assert set(snap) == set(sample_snapshot(cand, cat, done.number))
    assert set(snap["candidate"]) == set(sample_snapshot(cand, cat, done.number)["candidate"])
    assert snap["educations"][0]["diploma_number"] == "100011201505000123"
    assert snap["site"]["code"] == cat["site"].code and snap["extra_units"] == []
    frozen = Path(current_app.config["PHOTO_DIR"]) / snap["photo"]
    assert frozen.is_file() and snap["photo"].startswith("frozen/")
    audit = session.scalar(db.select(AuditEntry).filter_by(action="registration.submitted"))
    assert audit.object_id == reg.id and audit.after["number"] == done.number


def test_military_candidate_gets_the_extra_unit(session):
    cat = make_catalogue()
    cand = ready_candidate(military_identity="active")
    done = submission.submit_registration(cand, ready_draft(cand, cat).id, "t")
    assert done.military_unit is True and done.snapshot["extra_units"] == ["军事医学"]


def test_the_same_request_twice_gives_one_registration(session):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    first = submission.submit_registration(cand, reg.id, "same")
    second = submission.submit_registration(cand, reg.id, "same")
    third = submission.submit_registration(cand, reg.id, "other-tab")
    assert first.id == second.id == third.id and third.number == first.number
    assert session.get(Site, cat["site"].id).taken == 1
    assert session.scalar(db.select(db.func.count(Registration.id))) == 1


def test_full_site_at_the_last_moment_keeps_the_draft(session):
    cat = make_catalogue(capacity=1)
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    cat["site"].taken = 1
    session.commit()
    frozen = Path(current_app.config["PHOTO_DIR"]) / "frozen"
    files_before = set(frozen.glob("*")) if frozen.exists() else set()
    with pytest.raises(errors.SiteFull) as exc:
        submission.submit_registration(cand, reg.id, "t")
    assert "已报满" in exc.value.message and exc.value.field == "site_id"
    session.refresh(reg)
    assert (reg.status, reg.number, reg.draft_data["site_id"]) == ("draft", None, cat["site"].id)
    assert session.get(Site, cat["site"].id).taken == 1
    assert session.scalar(db.select(db.func.count(RegistrationEntry.id))) == 0
    assert (set(frozen.glob("*")) if frozen.exists() else set()) == files_before  # the copy is removed


def test_ineligible_submission_lists_every_reason_and_keeps_the_draft(session):
    cat = make_catalogue()
    cand = ready_candidate(practice_start=None)
    types = dictionaries()
    other = Training(candidate_id=cand.id, training_type_id=types["进修"].id, institution="某医院",
                     start_ym="2016-09")
    session.add(other)
    session.flush()
    reg = ready_draft(cand, cat)
    reg.draft_data = {**reg.draft_data, "training_ids": [other.id]}
    with pytest.raises(errors.NotEligible) as exc:
        submission.submit_registration(cand, reg.id, "t")
    assert [f.rule for f in exc.value.findings] == ["R1", "R10"]
    assert "试用期" in exc.value.message and "某医院 进修" in exc.value.message
    session.refresh(reg)
    assert reg.status == "draft" and session.get(Site, cat["site"].id).taken == 0


def test_incomplete_draft_names_the_step(session):
    cat = make_catalogue()
    cand = ready_candidate(photo_path=None)
    with pytest.raises(errors.Incomplete) as exc:
        submission.submit_registration(cand, ready_draft(cand, cat).id, "t")
    assert exc.value.step == "basic" and "照片" in exc.value.message


def test_submit_after_the_window_closed_is_refused(session):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    cat["year"].window_closes_at = utcnow() - timedelta(minutes=1)
    cat["year"].window_opens_at = utcnow() - timedelta(days=10)
    session.commit()
    with pytest.raises(errors.WindowClosed):
        submission.submit_registration(cand, reg.id, "t")


def test_another_candidates_draft_cannot_be_submitted(session):
    cat = make_catalogue()
    owner, other = ready_candidate(), ready_candidate()
    reg = ready_draft(owner, cat)
    with pytest.raises(NotAllowed):
        submission.submit_registration(other, reg.id, "t")
    with pytest.raises(NotAllowed):
        withdrawal.abandon_registration(other, reg.id)


# --- abandoning ----------------------------------------------------------------------------------

def test_abandon_releases_the_seat_once_and_unlocks_entries(session):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = submission.submit_registration(cand, ready_draft(cand, cat).id, "t")
    done = withdrawal.abandon_registration(cand, reg.id)
    assert done.status == "abandoned" and done.abandoned_by == f"考生 {cand.username}" and done.abandoned_at
    assert session.get(Site, cat["site"].id).taken == 0
    assert session.get(Education, cand.educations[0].id).state == "editable"
    with pytest.raises(errors.RegistrationError):
        withdrawal.abandon_registration(cand, reg.id)
    assert session.get(Site, cat["site"].id).taken == 0
    again = draft.start_registration(cand, cat["subject"].id)
    assert again.id != reg.id and again.status == "draft"


def test_abandon_keeps_entries_used_by_another_live_registration_locked(session):
    cat, next_year = make_catalogue(), make_catalogue()
    cand = ready_candidate()
    first = submission.submit_registration(cand, ready_draft(cand, cat).id, "a")
    submission.submit_registration(cand, ready_draft(cand, next_year).id, "b")
    withdrawal.abandon_registration(cand, first.id)
    assert session.get(Education, cand.educations[0].id).state == "locked"


def test_verified_entry_stays_verified_after_abandon(session):
    cat = make_catalogue()
    cand = ready_candidate()
    cand.educations[0].verified_at = utcnow()  # a reviewer's tick
    reg = submission.submit_registration(cand, ready_draft(cand, cat).id, "t")
    withdrawal.abandon_registration(cand, reg.id)
    assert session.get(Education, cand.educations[0].id).state == "verified"


def test_abandon_a_paid_registration_requests_a_refund(session):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = submission.submit_registration(cand, ready_draft(cand, cat).id, "t")
    order = PaymentOrder(registration_id=reg.id, out_trade_no="T1", provider="sandbox", amount_fen=12000,
                         items=[], status="paid", paid_at=utcnow())
    reg.payment_status = "paid"
    session.add(order)
    session.commit()
    done = withdrawal.abandon_registration(cand, reg.id)
    assert done.payment_status == "refund_pending" and done.payment_label == "退费处理中"
    refund = session.scalar(db.select(Refund))
    assert (refund.order_id, refund.amount_fen, refund.status) == (order.id, 12000, "requested")


def test_abandon_after_the_window_closed_is_refused(session):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = submission.submit_registration(cand, ready_draft(cand, cat).id, "t")
    cat["year"].window_closes_at = utcnow() - timedelta(minutes=1)
    cat["year"].window_opens_at = utcnow() - timedelta(days=10)
    session.commit()
    with pytest.raises(errors.WindowClosed):
        withdrawal.abandon_registration(cand, reg.id)
    assert session.get(Site, cat["site"].id).taken == 1


def test_training_and_certificate_entries_are_locked_too(session):
    cat = make_catalogue()
    cand = ready_candidate()
    types = dictionaries()
    training = Training(candidate_id=cand.id, training_type_id=types["住院医师规范化培训"].id,
                        institution="协和医院", start_ym="2016-09", end_ym="2019-07")
    session.add(training)
    session.flush()
    reg = ready_draft(cand, cat)
    reg.draft_data = {**reg.draft_data, "training_ids": [training.id]}
    submission.submit_registration(cand, reg.id, "t")
    assert session.get(Training, training.id).state == "locked"


def test_residency_training_left_unticked_is_flagged_at_the_steps_and_refused_at_submission(session):
    cat = make_catalogue()
    cand = ready_candidate()
    types = dictionaries()
    residency = Training(candidate_id=cand.id, training_type_id=types["住院医师规范化培训"].id,
                         institution="协和医院", start_ym="2016-09", end_ym="2019-07")
    other = Training(candidate_id=cand.id, training_type_id=types["进修"].id, institution="某医院",
                     start_ym="2019-09", end_ym="2020-07")
    session.add_all([residency, other])
    session.flush()
    reg = ready_draft(cand, cat)  # nothing ticked among the trainings
    message = ("医师资格考试报名须勾选“住院医师规范化培训”类型的培训经历："
               "请在“教育经历和培训经历”一步勾选“协和医院 住院医师规范化培训”。")
    assert [(f.rule, f.message) for f in steps.findings_for_step(reg, "site")] == [("R10", message)]
    assert steps.findings_for_step(reg, "work") == []  # shown from its own step on
    with pytest.raises(errors.NotEligible) as refused:
        submission.submit_registration(cand, reg.id, "t")
    assert refused.value.findings[0].message == message
    assert session.get(Site, cat["site"].id).taken == 0

    steps.save_entries(reg, [e.id for e in cand.educations], [residency.id])  # the other one stays unticked
    assert steps.findings_for_step(reg, "site") == []
    assert submission.submit_registration(cand, reg.id, "t").status == "submitted"


def test_abandon_a_draft_deletes_it_and_a_stale_second_abandon_is_refused(session):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    session.commit()
    reg_id = reg.id
    done = withdrawal.abandon_registration(cand, reg_id)
    assert done.subject.name == cat["subject"].name  # detached, still readable for the page's message
    assert session.get(Registration, reg_id) is None
    assert session.scalar(db.select(AuditEntry).filter_by(action="registration.draft_discarded")).object_id == reg_id
    with pytest.raises(NotAllowed):  # no longer the candidate's (nor anybody's)
        withdrawal.abandon_registration(cand, reg_id)
