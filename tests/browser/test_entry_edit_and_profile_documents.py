"""In Chromium at 375 px (a phone): a certificate missing its 注册年月, flagged by the wizard's check, is fixed
from inside the wizard (修改, a refused month first, then the right one) and the candidate proceeds (issue 15);
个人信息's 审核材料 takes a diploma from the phone, shows its thumbnail and deletes it (issue 16). Both pages
axe-core clean, no horizontal scrolling."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.models import Certificate
from core.registration.draft import Draft
from tests.factories import dictionaries, jpeg, make_catalogue, make_review_mode, ready_candidate, ready_draft
from tests.support.a11y import AXE, axe_violations, overflow_px, shot, small_targets
from tests.support.browser import browser_login

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (scripts/setup.sh: npm ci)")]


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _clean(page, name):
    shot(page, name)
    found = axe_violations(page)
    assert found == [], found
    assert overflow_px(page) == 0
    assert small_targets(page) == []


def test_a_missing_registration_month_is_fixed_inside_the_wizard(app, live_server, phone):
    with app.app_context():
        cat = make_catalogue()
        types = dictionaries()
        cand = ready_candidate()
        cand.educations[0].level = "中专"  # 中专 → 执业医师: the 执业助理医师 certificate with its 注册 data
        cert = Certificate(candidate_id=cand.id, certificate_type_id=types["执业助理医师"].id, issue_ym="2015-05",
                           cert_number="110000000001")
        db.session.add(cert)
        db.session.flush()
        reg = ready_draft(cand, cat)
        draft = Draft.of(reg)
        draft.set_ids("certificate", [cert.id])
        draft.store(reg)
        db.session.commit()
        reg_id, cert_id = reg.id, cert.id
        browser_login(phone, live_server, app, cand)

    page = phone
    page.goto(f"{live_server}/registration/{reg_id}/step/certificates")
    findings = page.locator(".findings")
    expect(findings).to_contain_text("注册年月")
    page.get_by_role("button", name="修改执业助理医师 110000000001").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("修改证书情况")
    expect(page.get_by_label("发证年月")).to_have_value("2015-05")
    _clean(page, "wizard-entry-edit-375")

    page.get_by_label("注册年月").fill("2016/3")
    page.get_by_label("注册编号").fill("210000000001")
    page.get_by_role("button", name="保存修改").click()
    error = page.locator("#e-reg_ym")
    expect(error).to_be_visible()
    expect(page.get_by_label("注册编号")).to_have_value("210000000001")  # nothing typed is lost
    _clean(page, "wizard-entry-edit-refused-375")

    page.get_by_label("注册年月").fill("2016-03")
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_text("证书情况已修改并保存到个人信息。")).to_be_visible()
    assert "/step/certificates" in page.url
    expect(page.locator(f"#certificate-{cert_id}")).to_be_checked()
    expect(page.locator("main")).not_to_contain_text("请补全执业助理医师证书")
    page.locator(".bottom-nav").get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", name="选择考区及考点")).to_be_visible()


def test_profile_documents_upload_thumbnail_and_delete(app, live_server, phone, document_store, tmp_path):
    photo = tmp_path / "diploma.jpg"
    photo.write_bytes(jpeg(1200, 900))
    with app.app_context():
        cat = make_catalogue()
        make_review_mode(cat)
        cand = ready_candidate()
        reg = ready_draft(cand, cat)
        db.session.commit()
        edu_id, subject = cand.educations[0].id, reg.subject.name
        browser_login(phone, live_server, app, cand)

    page = phone
    page.goto(f"{live_server}/profile#documents")
    card = page.locator(f"#doc-diploma-education-{edu_id}")
    expect(card).to_contain_text("毕业证书")
    expect(card).to_contain_text(f"报名“{subject}”需要")
    expect(card.locator(".doc-missing")).to_have_text("尚未上传")
    _clean(page, "profile-documents-375")

    card.get_by_label("选择文件或拍照").set_input_files(str(photo))
    card.get_by_role("button", name="上传").click()
    expect(page.get_by_text("材料已上传。")).to_be_visible()
    card = page.locator(f"#doc-diploma-education-{edu_id}")
    thumb = card.locator("img.doc-thumb")
    expect(thumb).to_be_visible()
    assert thumb.evaluate("img => img.complete && img.naturalWidth > 0")
    _clean(page, "profile-documents-uploaded-375")

    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="删除").click()
    expect(page.get_by_text("材料已删除。")).to_be_visible()
    expect(page.locator(f"#doc-diploma-education-{edu_id} .doc-missing")).to_be_visible()
