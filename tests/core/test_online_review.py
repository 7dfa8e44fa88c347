"""网上资格审核, the reviewer's side and the 补正 loop (core.documents.review): per-document verdicts, the
whole-case decision guarded by the version the reviewer saw, scope, the candidate's 补正, the deadline job."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import db
from core.documents import modes, review, service
from core.models import AuditEntry, Education, Message, Registration
from core.registration import submission
from core.registration.errors import StaleState
from core.services.errors import DomainError, NotAllowed
from tests.factories import jpeg, pdf, ready_candidate, ready_draft, staff_user, upload_required
from tests.support.concurrency import decide_online
from tests.support.environment import IS_SQLITE


@pytest.fixture
def case(online):
    reg = db.session.get(Registration, online["reg_id"])
    upload_required(reg)
    reg = submission.submit_registration(reg.candidate, reg.id, "tok")
    return {**online, "reg": reg, "links": service.links_of(reg.id),
            "reviewer": staff_user(online["staff"]["a"]), "outsider": staff_user(online["staff"]["b"])}


def _pass_all(case, but=()):
    for link in case["links"]:
        if link.slot not in but:
            review.judge_document(case["reviewer"], case["reg"].id, link.id, "passed", [], None)


def test_full_loop_correction_replace_resubmit_approve(case):
    reg, reviewer = case["reg"], case["reviewer"]
    diploma = next(lk for lk in case["links"] if lk.slot.startswith("diploma"))
    _pass_all(case, but=(diploma.slot,))
    review.judge_document(reviewer, reg.id, diploma.id, "correction", ["blurred", "incomplete"], "第二页缺失")
    review.decide(reviewer, reg.id, "request_correction", 0)
    db.session.commit()
    assert reg.status == "correction" and reg.correction_deadline == modes.today() + timedelta(days=5)
    assert [lk.slot for lk in review.to_correct(reg)] == [diploma.slot]
    assert diploma.reason_labels == ["模糊不清", "缺页或不完整"]
    cand = reg.candidate
    with pytest.raises(DomainError, match="毕业证书"):  # not replaced yet
        review.resubmit(cand, reg.id)
    with pytest.raises(DomainError, match="已随报名提交"):  # a passed document stays frozen
        service.upload(cand, "id_front", jpeg())
    new = service.upload(cand, diploma.slot, pdf(pages=2))
    review.resubmit(cand, reg.id)
    assert reg.status == "corrected" and reg.number and reg.site_id  # seat and number kept
    links = {lk.slot: lk for lk in service.links_of(reg.id)}
    assert links[diploma.slot].document_id == new.id and links[diploma.slot].verdict == "pending"
    assert all(lk.verdict == "passed" for s, lk in links.items() if s != diploma.slot)  # approvals kept
    with pytest.raises(DomainError, match="尚未审核通过"):
        review.decide(reviewer, reg.id, "approve", reg.review_version)
    review.judge_document(reviewer, reg.id, links[diploma.slot].id, "passed", [], None)
    review.decide(reviewer, reg.id, "approve", reg.review_version)
    db.session.commit()
    assert reg.status == "approved"
    assert db.session.get(Education, cand.educations[0].id).state == "verified"  # the tick, as on site
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == reg.id,
                                                                 AuditEntry.object_type == "registrations")).all()
    assert actions == ["registration.submitted", "registration.correction_requested", "registration.corrected",
                       "registration.approved"]


def test_a_decision_on_a_case_that_changed_meanwhile_is_refused(case):
    reg, reviewer = case["reg"], case["reviewer"]
    _pass_all(case)
    seen = reg.review_version
    review.decide(staff_user(case["staff"]["national"]), reg.id, "request_correction", seen, "请补充学位证")
    db.session.commit()
    with pytest.raises(StaleState):
        review.decide(reviewer, reg.id, "approve", seen)
    db.session.rollback()
    assert db.session.get(Registration, reg.id).status == "correction"


def test_reviewer_outside_the_scope_sees_and_decides_nothing(case):
    reg, outsider = case["reg"], case["outsider"]
    link = case["links"][0]
    for call in (lambda: review.judge_document(outsider, reg.id, link.id, "passed", [], None),
                 lambda: review.decide(outsider, reg.id, "reject", 0, "不符合"),
                 lambda: review.view_original(outsider, reg.id, link.id),
                 lambda: review.document_for_staff(outsider, reg.id, link.id)):
        with pytest.raises(NotAllowed):
            call()


def test_a_document_of_another_case_is_not_reachable_through_this_one(case):
    other = ready_draft(ready_candidate(), case["cat"])
    db.session.commit()
    upload_required(other)
    other = submission.submit_registration(other.candidate, other.id, "tok-other")
    foreign = service.links_of(other.id)[0]
    for call in (lambda: review.document_for_staff(case["reviewer"], case["reg"].id, foreign.id),
                 lambda: review.view_original(case["reviewer"], case["reg"].id, foreign.id),
                 lambda: review.judge_document(case["reviewer"], case["reg"].id, foreign.id, "passed", [], None)):
        with pytest.raises(NotAllowed):
            call()


@pytest.mark.parametrize("verdict,reasons,note,field", [
    ("correction", [], None, "reasons"), ("correction", ["nonsense"], None, "reasons"),
    ("correction", ["other"], "", "note"), ("maybe", [], None, "verdict"), ("passed", [], "x" * 501, "note")])
def test_bad_document_verdicts_are_refused_beside_their_field(case, verdict, reasons, note, field):
    with pytest.raises(DomainError) as err:
        review.judge_document(case["reviewer"], case["reg"].id, case["links"][0].id, verdict, reasons, note)
    assert err.value.field == field


def test_rejection_needs_a_reason_and_ends_the_registration(case):
    reg = case["reg"]
    with pytest.raises(DomainError, match="原因"):
        review.decide(case["reviewer"], reg.id, "reject", 0, "")
    review.decide(case["reviewer"], reg.id, "reject", 0, "证件非本人")
    db.session.commit()
    assert reg.status == "rejected" and reg.reject_reason == "证件非本人"


def test_viewing_a_full_size_document_is_audited(case):
    link = case["links"][0]
    review.view_original(case["reviewer"], case["reg"].id, link.id)
    db.session.commit()
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document.viewed")).one()
    assert entry.actor_name == case["staff"]["a"][1] and entry.after["slot"] == link.slot


def test_deadline_passed_goes_back_as_not_corrected(case):
    reg = case["reg"]
    review.decide(case["reviewer"], reg.id, "request_correction", 0, "请重新上传清晰的身份证")
    db.session.commit()
    assert review.lapse_overdue() == 0  # not yet
    reg.correction_deadline = modes.today() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(DomainError, match="补正期限已过"):
        review.resubmit(reg.candidate, reg.id)
    assert review.lapse_overdue() == 1
    db.session.expire_all()
    reg = db.session.get(Registration, reg.id)
    assert reg.status == "lapsed" and reg.number and reg.site_id
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.correction_lapsed")).one()
    assert entry.actor_type == "system"


def test_deadline_never_past_the_review_end(online):
    from core.models import ReviewMode
    mode = db.session.scalars(select(ReviewMode)).first()
    mode.review_end = modes.today() + timedelta(days=2)
    assert modes.correction_deadline(mode) == modes.today() + timedelta(days=2)
    mode.review_end = modes.today() + timedelta(days=30)
    assert modes.correction_deadline(mode) == modes.today() + timedelta(days=mode.correction_days)


def test_progress_counts_per_site(case):
    rows = review.progress(case["reviewer"])
    assert len(rows) == 1 and rows[0].counts == {"submitted": 1} and rows[0].oldest_waiting is not None
    assert review.progress(case["outsider"]) == []


@pytest.mark.skipif(IS_SQLITE, reason="real concurrency needs PostgreSQL")
def test_two_reviewers_deciding_one_case_at_once_one_wins(app, case):
    _pass_all(case)
    db.session.commit()
    reg_id, version = case["reg"].id, case["reg"].review_version
    users = [case["staff"]["a"][0], case["staff"]["national"][0]] * 4
    jobs = [(u, "approve" if i % 2 else "request_correction") for i, u in enumerate(users)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda j: decide_online(app, j[0], reg_id, j[1], version, "请补充材料"), jobs))
    winners = [a for a in answers if a != "stale"]
    assert len(winners) == 1 and answers.count("stale") == 7, answers
    db.session.expire_all()
    reg = db.session.get(Registration, reg_id)
    assert reg.status == {"approve": "approved", "request_correction": "correction"}[winners[0]]
    assert reg.review_version == version + 1


def _told(candidate_id: int) -> list[tuple[str, dict]]:
    return [(m.template, m.params) for m in db.session.scalars(select(Message).where(
        Message.candidate_id == candidate_id, Message.channel == "inbox").order_by(Message.id))]


def test_the_candidate_is_told_of_each_correction_request_its_deadline_and_the_lapse(case):
    reg = case["reg"]
    review.decide(case["reviewer"], reg.id, "request_correction", 0, "请重新上传清晰的身份证")
    db.session.commit()
    requested = [p for t, p in _told(reg.candidate_id) if t == "correction_requested"]
    assert requested == [{"number": reg.number, "reason": "请重新上传清晰的身份证",
                          "deadline": reg.correction_deadline.isoformat()}]
    assert review.remind_due() == 0  # five days left: no reminder yet
    reg.correction_deadline = modes.today() + timedelta(days=1)
    db.session.commit()
    assert review.remind_due() == 1 and review.remind_due() == 1  # the job runs hourly ...
    assert [t for t, _ in _told(reg.candidate_id)].count("correction_reminder") == 1  # ... one reminder
    reg.correction_deadline = modes.today() - timedelta(days=1)
    db.session.commit()
    assert review.lapse_overdue() == 1
    assert [t for t, _ in _told(reg.candidate_id)][-1] == "correction_lapsed"
