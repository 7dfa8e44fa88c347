"""网上资格审核 end to end in Chromium: the candidate uploads every document from the wizard and submits; the
reviewer asks 补正 for the diploma with two reasons; the candidate replaces it and resubmits; the reviewer
approves; the entry's verification tick appears on the candidate's profile."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.models import Education, Registration
from core.services.scope import SITE_REVIEWER
from tests.factories import (STAFF_PASSWORD, jpeg, make_catalogue, make_review_mode, make_staff, pdf,
                             ready_candidate, ready_draft)
from tests.support.browser import browser_login

pytestmark = pytest.mark.browser


def _upload_all(page, files):
    """Upload a photo in every card still missing its document (each upload reloads the page)."""
    for _ in range(10):
        missing = page.locator(".doc-card", has=page.locator(".doc-missing"))
        if not missing.count():
            return
        card = missing.first
        card.locator("input[type=file]").set_input_files(str(files["photo"]))
        card.get_by_role("button", name="上传").click()
        expect(page.get_by_text("材料已上传。")).to_be_visible()
    raise AssertionError("documents still missing after 10 uploads")


def _staff_page(browser, live_server, name):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server}/admin/login/")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("link", name="资格审核", exact=True)).to_be_visible()
    return page


def test_upload_correction_resubmit_approve(app, admin_app, live_server, browser, page, tmp_path):
    files = {"photo": tmp_path / "phone.jpg", "scan": tmp_path / "diploma.pdf"}
    files["photo"].write_bytes(jpeg(1200, 900))
    files["scan"].write_bytes(pdf(pages=2))
    with app.app_context():
        cat = make_catalogue()
        make_review_mode(cat)
        cand = ready_candidate()
        reg = ready_draft(cand, cat)
        db.session.commit()
        reg_id, edu_id = reg.id, cand.educations[0].id
        _, reviewer = make_staff(admin_app, SITE_REVIEWER, sites=[cat["site"]])
        browser_login(page, live_server, app, cand)

    # the candidate: from the wizard's last step to the documents, upload each, submit
    page.goto(f"{live_server}/registration/{reg_id}/step/site")
    expect(page.locator("#documents-state")).to_contain_text("尚缺审核材料")
    page.get_by_role("link", name="上传或查看审核材料").click()
    expect(page.locator("h1")).to_have_text("审核材料")
    _upload_all(page, files)
    page.get_by_role("link", name="返回报名（选择考区及考点）").click()
    expect(page.locator("#documents-state")).to_contain_text("所需审核材料已全部上传")
    page.locator("#submit-registration").click()
    expect(page.locator(".reg-status").first).to_have_text("已提交")

    # the reviewer: every document passes but the diploma (two reasons), then 需补正
    staff = _staff_page(browser, live_server, reviewer)
    staff.goto(f"{live_server}/admin/online-review/list/")
    staff.locator("a[href*='/online-review/show/']").first.click()
    expect(staff.locator(".doc-panel")).to_have_count(5)
    for i in range(staff.locator(".doc-panel").count()):
        panel = staff.locator(".doc-panel").nth(i)
        if "毕业证书" in panel.locator("h4").inner_text():
            panel.get_by_label("需补正").check()
            panel.get_by_label("模糊不清").check()
            panel.get_by_label("缺页或不完整").check()
            panel.get_by_label("说明（考生将看到）").fill("请上传毕业证书完整的两页")
        else:
            panel.get_by_label("通过").check()
        with staff.expect_navigation():
            panel.get_by_role("button", name="保存本材料审核").click()
        assert "待审核" not in staff.locator(".doc-panel").nth(i).locator("h4").inner_text(), staff.content()[:3000]
    staff.get_by_label("需补正（截止日期按本考区规则）").check()
    staff.get_by_role("button", name="提交审核结论").click()
    expect(staff.get_by_text("已要求补正")).to_be_visible()

    # the candidate: 首页 says what and by when; replace the diploma with a PDF; 提交补正
    page.goto(f"{live_server}/")
    expect(page.get_by_text("缺页或不完整")).to_be_visible()
    page.get_by_role("link", name="去补正").click()
    expect(page.locator("h1")).to_have_text("审核材料")
    card = page.locator(".doc-card.doc-fix")
    expect(card).to_have_count(1)
    card.locator("input[type=file]").set_input_files(str(files["scan"]))
    card.get_by_role("button", name="上传").click()
    expect(page.get_by_text("材料已上传。")).to_be_visible()
    page.get_by_role("button", name="提交补正").click()
    expect(page.locator(".reg-status").first).to_have_text("已补正待复审")

    # the reviewer: the new diploma (two pages) passes; 通过
    staff.goto(f"{live_server}/admin/online-review/show/{reg_id}")
    expect(staff.locator(".doc-panel")).to_have_count(5)
    diploma = staff.locator(".doc-panel", has_text="毕业证书").first
    expect(diploma.locator(".page-no")).to_have_text("1 / 2")
    diploma.get_by_role("button", name="下一页").click()
    expect(diploma.locator(".page-no")).to_have_text("2 / 2")
    diploma.get_by_label("通过").check()
    with staff.expect_navigation():
        diploma.get_by_role("button", name="保存本材料审核").click()
    staff.locator("#d-approve").check()  # enabled now that every document passed
    staff.get_by_role("button", name="提交审核结论").click()
    expect(staff.get_by_text("审核通过，所用经历已核验。")).to_be_visible()
    staff.context.close()

    with app.app_context():
        assert db.session.get(Registration, reg_id).status == "approved"
        assert db.session.get(Education, edu_id).state == "verified"
    page.goto(f"{live_server}/profile")
    expect(page.locator(".mark-tick").first).to_be_visible()
