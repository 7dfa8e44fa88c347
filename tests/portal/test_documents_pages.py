"""审核材料 pages of the portal (网上资格审核): upload, refusals beside the field, thumbnails only for their
owner, submission refused naming the missing documents, the 补正 shown on 首页 and the card, resubmission."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from core.db import db
from core.documents import review, service
from core.documents.required import required_for
from core.models import Document, Registration
from core.registration import submission
from tests.factories import jpeg, login_as, make_candidate, pdf, staff_user, upload_required
from tests.support.web import post_page, text


def _url(reg_id: int) -> str:
    return f"/registration/{reg_id}/documents"


def _upload(client, reg_id, slot, data, name="scan.jpg"):
    return post_page(client, _url(reg_id), {"slot": slot, "document": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")


def test_page_lists_what_is_required_with_labels(client, online):
    reg = db.session.get(Registration, online["reg_id"])
    login_as(client, reg.candidate)
    body = text(client.get(_url(reg.id)))
    for r in required_for(reg):
        assert r.full_label in body
    assert body.count('type="file"') == len(required_for(reg)) and body.count("<label for=\"f-doc-") == 5


def test_upload_shows_a_thumbnail_only_to_its_owner(client, online):
    reg = db.session.get(Registration, online["reg_id"])
    login_as(client, reg.candidate)
    resp = _upload(client, reg.id, "id_front", jpeg(900, 600))
    assert resp.status_code == 303
    doc = db.session.scalars(select(Document)).one()
    thumb = client.get(f"/documents/{doc.id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg" and thumb.data.startswith(b"\xff\xd8")
    assert "no-store" in thumb.headers["Cache-Control"]
    other = make_candidate()
    db.session.commit()
    login_as(client, other)
    assert client.get(f"/documents/{doc.id}/thumb").status_code == 404
    assert client.get(f"/documents/{doc.id}/page?n=0").status_code == 404
    assert client.get(_url(reg.id)).status_code == 404


def test_bad_files_get_a_chinese_message_beside_the_field(client, online):
    reg = db.session.get(Registration, online["reg_id"])
    login_as(client, reg.candidate)
    for data, name, words in [(b"<html>x</html>", "scan.jpg", "按文件内容判断"), (b"", "empty.jpg", "0字节"),
                              (pdf(javascript=True), "a.pdf", "脚本")]:
        resp = _upload(client, reg.id, "id_back", data, name)
        body = text(resp)
        assert resp.status_code == 422 and words in body
        assert 'aria-invalid="true"' in body and 'class="error" id="f-doc-2-error"' in body
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_size_limits_of_document_uploads(client, online, app, monkeypatch):
    reg = db.session.get(Registration, online["reg_id"])
    login_as(client, reg.candidate)
    big_photo = jpeg(2400, 1800, quality=100) + b"\0" * (3 * 1024 * 1024)  # above the app's 2 MB, below 8 MB
    assert _upload(client, reg.id, "id_front", big_photo).status_code == 303
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 200_000)
    resp = _upload(client, reg.id, "id_back", jpeg() + b"\0" * 400_000)
    assert resp.status_code == 413 and "文件过大" in text(resp) and "超过 0.2 MB" in text(resp)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 1


def test_the_too_large_page_names_the_limit_of_the_route_that_refused(client, online, app):
    """A document upload (8 MB) over its limit says 8 MB; the photo (the app's 2 MB) says 2 MB."""
    reg = db.session.get(Registration, online["reg_id"])
    login_as(client, reg.candidate)
    assert app.config["DOCUMENT_MAX_BYTES"] == 8 * 1024 * 1024 and app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    resp = _upload(client, reg.id, "id_back", jpeg() + b"\0" * (9 * 1024 * 1024))
    assert resp.status_code == 413 and "超过 8 MB" in text(resp) and "2 MB" not in text(resp)
    resp = post_page(client, "/profile/photo", {"photo": (io.BytesIO(jpeg() + b"\0" * (3 * 1024 * 1024)), "me.jpg")},
                     page="/profile", content_type="multipart/form-data")
    assert resp.status_code == 413 and "超过 2 MB" in text(resp) and "8 MB" not in text(resp)
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_another_candidates_entry_slot_is_404(client, online):
    reg = db.session.get(Registration, online["reg_id"])
    other = make_candidate()
    db.session.commit()
    login_as(client, reg.candidate)
    assert _upload(client, reg.id, f"diploma:education:{99999}", jpeg()).status_code == 404
    assert other.id


def test_submit_refused_until_documents_are_there(client, online):
    reg = db.session.get(Registration, online["reg_id"])
    login_as(client, reg.candidate)
    step = f"/registration/{reg.id}/step/site"
    body = text(client.get(step))
    assert "尚缺审核材料" in body and "毕业证书（北京大学 本科 临床医学）" in body
    resp = post_page(client, f"/registration/{reg.id}/submit", {"submit_token": "tok-web"}, page=step)
    assert resp.status_code == 303 and resp.headers["Location"].endswith(_url(reg.id))
    assert "提交前请上传以下材料" in text(client.get(_url(reg.id)))
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).status == "draft"


def test_correction_shown_on_home_and_card_and_resubmitted(client, online):
    reg = db.session.get(Registration, online["reg_id"])
    upload_required(reg)
    reg = submission.submit_registration(reg.candidate, reg.id, "tok")
    reviewer = staff_user(online["staff"]["a"])
    links = service.links_of(reg.id)
    for lk in links:
        review.judge_document(reviewer, reg.id, lk.id, *(("correction", ["blurred", "mismatch"], "请重拍")
                                                       if lk.slot == "id_back" else ("passed", [], None)))
    review.decide(reviewer, reg.id, "request_correction", 0)
    db.session.commit()
    login_as(client, reg.candidate)
    home = text(client.get("/"))
    assert "需补正" in home and str(reg.correction_deadline) in home and "模糊不清" in home and "信息与填报不符" in home
    card = text(client.get("/registration"))
    assert "待补正" in card and "身份证件（国徽面）" in card and str(reg.correction_deadline) in card
    page = text(client.get(_url(reg.id)))
    assert page.count('type="file"') == 1  # only the document to fix can be replaced
    resp = post_page(client, f"/registration/{reg.id}/resubmit", {}, page=_url(reg.id))
    assert resp.status_code == 422 and "请先更换以下需补正的材料" in text(resp)
    assert _upload(client, reg.id, "id_back", jpeg(700, 500)).status_code == 303
    resp = post_page(client, f"/registration/{reg.id}/resubmit", {}, page=_url(reg.id))
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).status == "corrected"
    assert "已补正待复审" in text(client.get("/registration"))


def test_uploads_in_a_row_are_limited_per_candidate(client, online, app, limits_on, monkeypatch):
    """100 uploads in a row: after DOCUMENT_UPLOAD_RATE_LIMIT the answer is a Chinese message beside the field,
    nothing is stored, the documents already there stay; another candidate is not affected."""
    monkeypatch.setitem(app.config, "DOCUMENT_UPLOAD_RATE_LIMIT", "5 per hour")
    reg = db.session.get(Registration, online["reg_id"])
    login_as(client, reg.candidate)
    codes = [_upload(client, reg.id, "id_front", jpeg(300 + i, 200)).status_code for i in range(5)]
    assert codes == [303] * 5
    kept = db.session.scalars(select(Document.key).where(Document.retired_at.is_(None))).one()
    for _ in range(3):
        resp = _upload(client, reg.id, "id_back", jpeg())
        body = text(resp)
        assert resp.status_code == 422 and "上传次数过多：每60分钟最多上传5次材料" in body
        assert 'class="error" id="f-doc-2-error"' in body
    db.session.expire_all()
    assert db.session.scalars(select(Document.key)).all() == [kept]  # nothing half-saved, nothing lost
    other = make_candidate()
    db.session.commit()
    with app.test_request_context():
        assert service._count_upload(other) is None  # a different candidate's counter
