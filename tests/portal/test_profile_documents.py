"""审核材料 under 个人信息 (issue 16 item 2): the candidate's own documents and each entry's proof, what the rules
require and which 网上审核 registration needs it, thumbnails, upload, replace and delete while not under review,
refusals beside the field — the same service as a registration's 审核材料 page."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from core.db import db
from core.documents import service
from core.models import AuditEntry, Document, Registration
from core.registration import submission
from tests.factories import jpeg, login_as, ready_candidate, upload_required
from tests.support.web import csrf_token_from, post_page, text


def _upload(client, slot, data, name="scan.jpg"):
    return post_page(client, "/profile/documents", {"slot": slot, "document": (io.BytesIO(data), name)},
                     page="/profile", content_type="multipart/form-data")


def _section(html: str) -> str:
    return html[html.index('id="documents"'):]


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Document))


def _setup(client, online):
    reg = db.session.get(Registration, online["reg_id"])
    login_as(client, reg.candidate)
    return reg, reg.candidate, reg.candidate.educations[0]


def test_profile_shows_each_entrys_documents_and_which_registration_needs_them(client, online):
    reg, cand, edu = _setup(client, online)
    html = text(client.get("/profile"))
    assert '<a href="#documents">审核材料</a>' in html
    docs = _section(html)
    assert "本人证件及证明" in docs and "身份证件（人像面）" in docs and "身份证件（国徽面）" in docs
    group = docs[docs.index(f'id="docs-education-{edu.id}"'):]
    assert "教育经历：北京大学 本科 临床医学" in group and "毕业证书" in group and "教育部学历证书电子注册备案表" in group
    assert f'id="doc-diploma-education-{edu.id}"' in docs
    assert f"报名“{reg.subject.name}”需要" in docs  # the draft in a 网上审核 region
    assert "试用期考核证明" in docs  # R1 (years of practice) applies to the draft's subject
    assert docs.count('type="file"') == 5 and docs.count("尚未上传") == 5
    assert docs.count('<label for="f-doc-') == 5


def test_upload_from_the_profile_serves_the_registration_too(client, online):
    reg, cand, edu = _setup(client, online)
    slot = f"diploma:education:{edu.id}"
    resp = _upload(client, slot, jpeg(900, 600))
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/profile#doc-diploma-education-{edu.id}")
    doc = db.session.scalars(select(Document)).one()
    assert doc.slot == slot and doc.candidate_id == cand.id
    assert db.session.scalar(select(AuditEntry).filter_by(action="document.uploaded")).object_id == doc.id
    card = _section(text(client.get("/profile")))
    card = card[card.index(f'id="doc-diploma-education-{edu.id}"'):]
    card = card[:card.index("</form>", card.index("删除"))]
    assert f'src="/documents/{doc.id}/thumb"' in card and 'alt="毕业证书的缩略图"' in card
    assert "更换文件" in card and f'action="/profile/documents/{doc.id}/delete"' in card
    assert slot not in [r.slot for r in service.missing(reg)]  # the registration has it now
    assert client.get(f"/documents/{doc.id}/thumb").status_code == 200
    again = _upload(client, slot, jpeg(700, 500))  # 更换
    assert again.status_code == 303 and _count() == 1
    assert db.session.scalars(select(Document)).one().id != doc.id


def test_a_bad_file_is_refused_beside_its_field_and_nothing_is_saved(client, online):
    reg, cand, edu = _setup(client, online)
    resp = _upload(client, f"chsi:education:{edu.id}", b"<html>x</html>")
    body = text(resp)
    assert resp.status_code == 422 and "按文件内容判断" in body
    card = body[body.index(f'id="doc-chsi-education-{edu.id}"'):]
    card = card[:card.index("</form>")]
    assert 'aria-invalid="true"' in card and 'class="error" id="f-doc-' in card
    assert 'name="mobile"' in body and f'value="{cand.mobile}"' in body  # the profile itself still shown
    assert _count() == 0


def test_delete_and_anothers_document_or_entry(client, online):
    reg, cand, edu = _setup(client, online)
    assert _upload(client, "id_front", jpeg()).status_code == 303
    doc = db.session.scalars(select(Document)).one()
    other = ready_candidate()
    db.session.commit()
    theirs = service.upload(other, f"diploma:education:{other.educations[0].id}", jpeg())
    assert _upload(client, f"diploma:education:{other.educations[0].id}", jpeg()).status_code == 404
    assert post_page(client, f"/profile/documents/{theirs.id}/delete", {}, page="/profile").status_code == 404
    done = post_page(client, f"/profile/documents/{doc.id}/delete", {}, page="/profile")
    assert done.status_code == 303 and done.headers["Location"].endswith("/profile#doc-id_front")
    assert db.session.get(Document, doc.id) is None and db.session.get(Document, theirs.id) is not None
    assert db.session.scalar(select(AuditEntry).filter_by(action="document.deleted")).object_id == doc.id


def test_documents_under_review_are_read_only(client, online):
    reg, cand, edu = _setup(client, online)
    upload_required(reg)
    submission.submit_registration(cand, reg.id, "tok-profile")
    db.session.commit()
    docs = _section(text(client.get("/profile")))
    frozen = docs[docs.index(f'id="doc-diploma-education-{edu.id}"'):]
    frozen = frozen[:frozen.index('class="doc-card"', 10)] if 'class="doc-card"' in frozen[10:] else frozen
    assert "审核期间不能更换或删除" in frozen and 'type="file"' not in frozen and "/delete" not in frozen
    doc = service.current(cand.id)[f"diploma:education:{edu.id}"]
    refused = post_page(client, f"/profile/documents/{doc.id}/delete", {}, page="/profile")
    assert refused.status_code == 422 and "审核期间不能更换或删除" in text(refused)
    assert _upload(client, f"diploma:education:{edu.id}", jpeg()).status_code == 422
    db.session.expire_all()
    assert db.session.get(Document, doc.id).retired_at is None


def test_uploads_and_deletes_need_the_csrf_token(client, online):
    reg, cand, edu = _setup(client, online)
    resp = client.post("/profile/documents", data={"slot": "id_front", "document": (io.BytesIO(jpeg()), "a.jpg")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and _count() == 0
    doc = service.upload(cand, "id_front", jpeg())
    assert client.post(f"/profile/documents/{doc.id}/delete").status_code == 400
    assert db.session.get(Document, doc.id) is not None
    assert csrf_token_from(text(client.get("/profile")))


def test_the_wizard_shows_beside_each_entry_its_documents_in_an_online_region(client, online):
    reg, cand, edu = _setup(client, online)
    step = f"/registration/{reg.id}/step/entries"
    html = text(client.get(step))
    entry = html[html.index(f'id="education-{edu.id}-entry"'):]
    entry = entry[:entry.index("</div>")]
    assert "审核材料：毕业证书（未上传）、教育部学历证书电子注册备案表（未上传）" in entry
    assert f'href="/registration/{reg.id}/documents"' in html
    assert _upload(client, f"diploma:education:{edu.id}", jpeg()).status_code == 303
    assert "审核材料：毕业证书（已上传）、教育部学历证书电子注册备案表（未上传）" in text(client.get(step))
