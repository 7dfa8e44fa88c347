"""个人信息副本 (PIPL Art. 45): every kind of data the candidate has and nothing of another candidate, as JSON and
PDF, made by a background job, asked twice -> one job, downloadable only by its owner and only in time, audited."""
import io
import json
import zipfile
from datetime import timedelta

import pytest
from pypdf import PdfReader

from core.db import db, utcnow
from core.models import AuditEntry, Certificate, Job, PaymentOrder, Refund, Training
from core.documents import service as documents
from core.notify.outbox import queue
from core.privacy import collectors, copies
from core.services import audit
from tests.factories import dictionaries, jpeg, login_as, make_catalogue, make_registration, ready_candidate


def _everything(cand, cat):
    """Data of every kind for this candidate: entries, a registration with a paid order and a refund."""
    kinds = dictionaries()
    db.session.add(Training(candidate_id=cand.id, training_type_id=kinds["住院医师规范化培训"].id,
                            institution="北京协和医院", start_ym="2016-09", end_ym="2019-07"))
    db.session.add(Certificate(candidate_id=cand.id, certificate_type_id=kinds["执业助理医师"].id,
                               issue_ym="2019-12", cert_number=f"C{cand.id:08d}"))
    reg = make_registration(cand, cat)
    order = PaymentOrder(registration_id=reg.id, out_trade_no=f"T{reg.id:010d}", provider="sandbox",
                         amount_fen=30000, items=[{"name": "报名费", "fen": 30000}], status="paid", paid_at=utcnow())
    db.session.add(order)
    db.session.flush()
    db.session.add(Refund(order_id=order.id, amount_fen=30000, status="requested", reason="放弃报考"))
    queue(cand, "registration_approved", {"number": reg.number}, key=f"copy-test:{reg.id}")  # every channel
    documents.upload(cand, "id_front", jpeg())
    audit.record("registration.submitted", actor_type="candidate", actor_id=cand.id, obj=reg)
    audit.record("candidate.basic_info.corrected", actor_type="staff", actor_id=99, actor_name="reviewer-wang",
                 obj=cand, after={"name": cand.name})
    db.session.flush()
    return reg


@pytest.fixture
def two(app_ctx):
    cat = make_catalogue()
    mine = ready_candidate(email="mine@example.com")
    other = ready_candidate(name="李四", mobile="13911112222", email="other@example.com")
    _everything(mine, cat)
    theirs = _everything(other, make_catalogue())
    db.session.commit()
    return mine, other, theirs


def test_the_copy_holds_every_kind_and_nothing_of_another(two):
    mine, other, theirs = two
    data = collectors.collect(mine.id)
    assert set(data) == set(collectors.COLLECTORS)
    for key in ("account", "consents", "educations", "trainings", "certificates", "registrations", "payments",
                "refunds", "messages", "audit"):
        assert data[key], key
    assert data["account"]["doc_number"] == mine.doc_number and "password_hash" not in data["account"]
    assert data["registrations"][0]["snapshot"]["number"] == data["registrations"][0]["number"]
    # each entry with its state as the portal shows it (derived: not a column), not the query's inner flag
    assert {e["state"] for e in data["educations"] + data["trainings"]} == {"可修改"}
    assert all("in_use" not in e for e in data["educations"] + data["certificates"])
    dumped = json.dumps(data, ensure_ascii=False)
    for foreign in (other.doc_number, other.username, "other@example.com", "13911112222", theirs.number,
                    f"T{theirs.id:010d}", f"C{other.id:08d}"):
        assert foreign not in dumped, foreign
    assert "reviewer-wang" not in dumped  # staff are named by role only
    assert "inbox" in {m["channel"] for m in data["messages"]}  # e-mail and SMS only where configured
    assert [d["slot"] for d in data["documents"]["uploads"]] == ["id_front"]
    assert "key" not in data["documents"]["uploads"][0]  # where the file is stored is ours, not personal data
    assert any(e["action"] == "candidate.basic_info.corrected" and e["actor_type"] == "staff"
               for e in data["audit"])


def test_a_kind_registered_later_is_in_the_copy(two, monkeypatch):
    mine, _, _ = two
    monkeypatch.setitem(collectors.COLLECTORS, "messages", collectors.Collector(
        "messages", "站内消息", lambda cid: [{"candidate": cid, "text": "准考证已可打印"}]))
    assert collectors.collect(mine.id)["messages"] == [{"candidate": mine.id, "text": "准考证已可打印"}]


@pytest.fixture
def inline_jobs(app, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_BACKEND", "inline")


def _post(client, url):
    from tests.support.web import post_page
    return post_page(client, url, {}, page="/privacy/copy")


def test_asked_in_the_portal_made_in_the_background_downloaded_as_json_and_pdf(client, two, inline_jobs):
    mine, _, _ = two
    login_as(client, mine)
    assert _post(client, "/privacy/copy").status_code == 302
    job = db.session.scalar(db.select(Job).filter_by(kind=copies.COPY_JOB, owner_id=mine.id))
    assert job.state == "done"
    page = client.get("/privacy/copy").get_data(as_text=True)
    assert f"/privacy/copy/{job.id}/download" in page
    response = client.get(f"/privacy/copy/{job.id}/download")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))["data"]
    assert data["account"]["username"] == mine.username
    pdf = PdfReader(io.BytesIO(archive.read("个人信息副本.pdf")))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "个人信息副本" in text and mine.username in text and "缴费订单" in text
    actions = [a for (a,) in db.session.execute(db.select(AuditEntry.action).where(
        AuditEntry.action.like("candidate.privacy.copy%")).order_by(AuditEntry.id))]
    assert actions == ["candidate.privacy.copy_requested", "candidate.privacy.copy_downloaded"]


def test_asked_twice_is_one_job(client, two, app):
    mine, _, _ = two
    login_as(client, mine)
    app.config["JOB_BACKEND"], backend = "inline", app.config["JOB_BACKEND"]
    try:
        _post(client, "/privacy/copy")
        second = _post(client, "/privacy/copy")
    finally:
        app.config["JOB_BACKEND"] = backend
    assert "无需重复申请" in client.get(second.location).get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Job).filter_by(kind=copies.COPY_JOB)) == 1


def test_queued_copy_is_not_doubled_either(two):
    mine, _, _ = two
    job = Job(kind=copies.COPY_JOB, owner_type="candidate", owner_id=mine.id, params={}, state="queued")
    db.session.add(job)
    db.session.commit()
    again, new = copies.request_copy(mine)
    assert (again.id, new) == (job.id, False)


def test_only_the_owner_downloads_and_only_in_time(client, two, inline_jobs):
    mine, other, _ = two
    login_as(client, mine)
    _post(client, "/privacy/copy")
    job = db.session.scalar(db.select(Job).filter_by(kind=copies.COPY_JOB, owner_id=mine.id))
    client.post("/logout")
    login_as(client, other)
    assert client.get(f"/privacy/copy/{job.id}/download").status_code == 404
    login_as(client, mine)
    job.finished_at = utcnow() - copies.COPY_VALID - timedelta(minutes=1)
    db.session.commit()
    late = client.get(f"/privacy/copy/{job.id}/download")
    assert late.status_code == 302
    assert "已过下载期限" in client.get(late.location).get_data(as_text=True)
    again = _post(client, "/privacy/copy")  # an expired copy may be asked for again
    assert db.session.scalar(db.select(db.func.count()).select_from(Job).filter_by(kind=copies.COPY_JOB)) == 2
    assert again.status_code == 302


def test_a_staff_job_id_is_not_a_copy(client, two):
    mine, _, _ = two
    job = Job(kind="reports.export", owner_type="staff", owner_id=mine.id, params={}, state="done")
    db.session.add(job)
    db.session.commit()
    login_as(client, mine)
    assert client.get(f"/privacy/copy/{job.id}/download").status_code == 404
