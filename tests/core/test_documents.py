"""网上资格审核 documents on the candidate side (core.documents.service): required from the rules, upload,
replace, delete, limits, the store failing, submission refused while one is missing, frozen at submission."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import db
from core.documents import service
from core.documents.required import required_for
from core.models import AuditEntry, Certificate, CertificateType, Document, Registration, \
    RegistrationDocument
from core.registration import submission
from core.registration.errors import DocumentsMissing
from core.services.errors import DomainError, NotAllowed
from core.storage import StorageUnavailable, storage
from tests.factories import jpeg, make_candidate, pdf, upload_required


def _reg(online) -> Registration:
    return db.session.get(Registration, online["reg_id"])


def test_required_documents_follow_the_candidate_and_the_rules(online):
    reg = _reg(online)
    slots = [r.slot for r in required_for(reg)]
    edu = reg.candidate.educations[0].id
    # 身份证 both sides; R1 applies to 本科 → 执业医师 (试用期); the diploma and its CHSI record
    assert slots == ["id_front", "id_back", "practice", f"diploma:education:{edu}", f"chsi:education:{edu}"]
    reg.candidate.military_identity = "active"
    reg.candidate.employment_status = "当年毕业研究生"
    assert "military" in [r.slot for r in required_for(reg)]
    labels = {r.slot: r.full_label for r in required_for(reg)}
    assert labels[f"diploma:education:{edu}"] == "毕业证书（北京大学 本科 临床医学）"


def test_a_ticked_certificate_needs_its_document(online):
    reg = _reg(online)
    ctype = CertificateType(code="c01", name="执业助理医师资格证书", qualifies_assistant=True)
    db.session.add(ctype)
    db.session.flush()
    cert = Certificate(candidate_id=reg.candidate_id, certificate_type_id=ctype.id, issue_ym="2018-01",
                       cert_number="201811000000001")
    db.session.add(cert)
    db.session.flush()
    chosen = {"education": {reg.candidate.educations[0].id}, "training": set(), "certificate": {cert.id}}
    assert f"certificate:certificate:{cert.id}" in [r.slot for r in required_for(reg, chosen)]


def test_upload_replace_delete_and_audit(online):
    reg = _reg(online)
    cand = reg.candidate
    first = service.upload(cand, "id_front", jpeg(800, 600))
    assert storage().get(first.key) and storage().get(first.thumb_key)
    second = service.upload(cand, "id_front", pdf(pages=2))
    assert second.pages == 2 and len(second.page_keys) == 2
    assert db.session.get(Document, first.id) is None and storage().get(first.key) is None  # unused: gone
    assert service.read(second, "page", 1)[1] == "image/jpeg"
    service.delete(cand, second.id)
    assert service.current(cand.id) == {}
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "documents")).all()
    assert actions == ["document.uploaded", "document.replaced", "document.deleted"]


def test_another_candidates_entry_or_document_is_refused(online):
    reg = _reg(online)
    other = make_candidate()
    db.session.commit()
    edu = reg.candidate.educations[0].id
    with pytest.raises(NotAllowed):
        service.upload(other, f"diploma:education:{edu}", jpeg())
    doc = service.upload(reg.candidate, "id_front", jpeg())
    with pytest.raises(NotAllowed):
        service.delete(other, doc.id)
    for bad in ("../x", "diploma:education:abc", "diploma:training:1", "anything"):
        with pytest.raises(NotAllowed):
            service.upload(reg.candidate, bad, jpeg())


def test_per_candidate_limit(online, app):
    reg = _reg(online)
    app.config["DOCUMENT_CANDIDATE_MAX_BYTES"] = 60_000
    try:
        service.upload(reg.candidate, "id_front", jpeg(800, 600))
        with pytest.raises(DomainError, match="合计不能超过"):
            for _ in range(5):
                service.upload(reg.candidate, "id_back", pdf(pages=3))
                service.upload(reg.candidate, "practice", pdf(pages=3))
    finally:
        app.config["DOCUMENT_CANDIDATE_MAX_BYTES"] = 60 * 1024 * 1024


def test_store_unreachable_saves_nothing(online, monkeypatch):
    reg = _reg(online)
    calls = []

    def broken_put(key, data, ctype):
        calls.append(key)
        if len(calls) == 2:  # the original is written, the thumbnail fails
            raise StorageUnavailable("connection refused")
    backend = storage()
    real_put = backend.put
    monkeypatch.setattr(backend, "put", lambda k, d, c: (broken_put(k, d, c), real_put(k, d, c)))
    with pytest.raises(DomainError, match="存储服务暂时不可用"):
        service.upload(reg.candidate, "id_front", jpeg())
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert backend.get(calls[0]) is None  # the half-written upload was removed


def test_a_killed_commit_leaves_no_row_and_no_file(online, monkeypatch):
    reg = _reg(online)
    written = []
    backend = storage()
    real_put = backend.put
    monkeypatch.setattr(backend, "put", lambda k, d, c: (written.append(k), real_put(k, d, c)))
    monkeypatch.setattr(db.session, "commit", lambda: (_ for _ in ()).throw(RuntimeError("killed")))
    with pytest.raises(RuntimeError):
        service.upload(reg.candidate, "id_front", jpeg())
    monkeypatch.undo()
    db.session.rollback()
    assert written and all(backend.get(k) is None for k in written)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_orphans_are_pruned(online):
    from datetime import timedelta
    from core.storage import new_key
    reg = _reg(online)
    kept = service.upload(reg.candidate, "id_front", pdf(pages=2))
    orphan = new_key("jpg")
    storage().put(orphan, b"x", "image/jpeg")
    assert service.prune_orphans(timedelta(seconds=-5)) == 1
    assert storage().get(orphan) is None
    assert all(storage().get(k) for k in [kept.key, kept.thumb_key, *kept.page_keys])


def test_submission_refused_naming_the_missing_document(online):
    reg = _reg(online)
    service.upload(reg.candidate, "id_front", jpeg())
    with pytest.raises(DocumentsMissing) as err:
        submission.submit_registration(reg.candidate, reg.id, "tok-1")
    assert "身份证件（国徽面）" in err.value.message and "毕业证书（北京大学 本科 临床医学）" in err.value.message
    assert "身份证件（人像面）" not in err.value.message
    db.session.rollback()
    assert _reg(online).status == "draft"


def test_submission_in_an_onsite_region_needs_no_document(online):
    from core.models import ReviewMode
    db.session.execute(ReviewMode.__table__.update().values(mode="onsite"))
    db.session.commit()
    reg = _reg(online)
    done = submission.submit_registration(reg.candidate, reg.id, "tok-2")
    assert done.status == "submitted" and not done.online_review


def test_documents_are_frozen_with_the_submission(online):
    reg = _reg(online)
    docs = upload_required(reg)
    done = submission.submit_registration(reg.candidate, reg.id, "tok-3")
    assert done.status == "submitted" and done.online_review
    links = service.links_of(done.id)
    assert sorted(lk.document_id for lk in links) == sorted(d.id for d in docs)
    assert all(lk.verdict == "pending" for lk in links)
    with pytest.raises(DomainError, match="已随报名提交"):
        service.upload(done.candidate, "id_front", jpeg())
    with pytest.raises(DomainError, match="已随报名提交"):
        service.delete(done.candidate, docs[0].id)
    assert db.session.scalar(select(func.count()).select_from(RegistrationDocument)) == len(docs)
