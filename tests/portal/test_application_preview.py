"""预览申请表 before the irreversible 提交 (issue 15): the draft's form as 提交 would freeze it, with the photo,
marked as a preview, nothing written; and the 选择考区及考点 check in English has no Chinese fragments."""
import io
import re

from pypdf import PdfReader

from core.db import db
from core.models import Registration
from core.registration.draft import Draft
from tests.factories import login_as, make_catalogue, make_registration, ready_candidate, ready_draft
from tests.support.web import text


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_site_step_offers_a_preview_of_the_form_with_nothing_saved(client, session):
    cand = ready_candidate()
    reg = ready_draft(cand, make_catalogue())
    db.session.commit()
    login_as(client, cand)
    page = text(client.get(f"/registration/{reg.id}/step/site"))
    url = f"/registration/{reg.id}/preview.pdf"
    assert f'href="{url}" target="_blank"' in page
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    body = "".join(_pdf_text(response.data).split())
    assert "预览" in body and cand.name in body and "尚未提交" in body
    db.session.expire_all()
    reg = db.session.get(Registration, reg.id)
    assert reg.status == "draft" and reg.number is None and reg.snapshot is None  # nothing frozen


def test_no_preview_before_a_site_nor_of_a_submitted_or_another_candidates_registration(client, session):
    cand = ready_candidate()
    reg = ready_draft(cand, make_catalogue())
    Draft.of(reg).__class__  # the draft's data is a value: rewrite it without a 考点
    data = Draft.of(reg)
    data.site_id = None
    data.store(reg)
    submitted = make_registration(cand, make_catalogue())
    other = ready_draft(ready_candidate(), make_catalogue())
    db.session.commit()
    login_as(client, cand)
    assert "选择考点后可预览申请表" in text(client.get(f"/registration/{reg.id}/step/site"))
    for registration_id in (reg.id, submitted.id, other.id, 999999):
        assert client.get(f"/registration/{registration_id}/preview.pdf").status_code == 404, registration_id


def test_the_english_check_has_no_chinese_fragments_that_are_not_data(client, session):
    cand = ready_candidate()
    cand.employment_status = "在岗"
    reg = ready_draft(cand, make_catalogue())
    db.session.commit()
    login_as(client, cand)
    client.set_cookie("lang", "en")
    page = text(client.get(f"/registration/{reg.id}/step/site"))
    review = page[page.index('class="review"'):page.index("</section>", page.index('class="review"'))]
    assert "Licensed physician" in review and "Employed" in review
    assert not re.search(r"[（）；]|在岗|预览", review), review  # 临床执业医师 and 北京大学 are data
