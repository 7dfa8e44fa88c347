"""The strict script policy (no 'unsafe-inline', a nonce per response) breaks nothing in Chromium: the main
portal and back-office pages are walked, their scripts seen working, and the browser reports no CSP violation."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.db import db
from core.models import Registration
from tests.factories import (PASSWORD, add_fees, make_catalogue, make_dictionaries, make_registration,
                             ready_candidate, ready_draft)

pytestmark = pytest.mark.browser

# Reported by Chromium itself ("Refused to execute inline script because it violates the following Content
# Security Policy directive …") and by the page's securitypolicyviolation event (added before any page script).
REPORT_VIOLATIONS = """document.addEventListener('securitypolicyviolation', function (e) {
  console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});"""


def watch(page) -> list[str]:
    problems: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda m: problems.append(m.text) if (
        "Content Security Policy" in m.text or m.text.startswith("CSP violation")) else None)
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    return problems


def test_main_portal_pages_run_their_scripts_without_csp_violations(app_ctx, live_server, page, pay_config):
    make_dictionaries()
    cand = ready_candidate()
    submitted = make_registration(cand, make_catalogue())
    add_fees({"region": submitted.region, "subject": submitted.subject})
    draft = ready_draft(cand, make_catalogue())
    db.session.commit()
    problems = watch(page)
    base = live_server

    # 登录 and 首页
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(cand.username)
    page.locator("#f-password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    page.goto(f"{base}/")
    expect(page.get_by_role("link", name="考试报名")).to_be_visible()

    # 个人信息: the school search (static/profile.js) and the work-unit picker page (its nonced script)
    page.goto(f"{base}/profile")
    school = page.locator("#f-education-0-school_name")
    school.fill("")
    school.press_sequentially("bjdx", delay=40)
    expect(page.get_by_role("option", name=re.compile("^北京大学"))).to_be_visible()
    school.press("Enter")
    expect(school).to_have_value("北京大学")
    page.get_by_role("button", name="打开工作单位选择页").click()
    query = page.get_by_label("单位名称、拼音首字母或执业许可证登记号")
    expect(query).to_be_focused()
    query.fill("bjxh")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("button", name="北京协和医院").click()
    expect(page.locator("#f-work_unit_name")).to_have_value("北京协和医院")

    # 选择报考类别: the filter narrows the list at once (an inline, nonced script)
    page.goto(f"{base}/registration/subjects")
    page.wait_for_load_state("load")
    page.fill("#q", "no-such-subject")
    expect(page.locator("#no-subjects")).to_be_visible()

    # a wizard step with “+”, and 选择考区及考点 whose 考区 change loads its 考点
    page.goto(f"{base}/registration/{draft.id}/step/entries")
    page.get_by_role("button", name="添加教育经历").first.click()
    expect(page.get_by_role("combobox", name="毕业学校")).to_be_focused()
    page.goto(f"{base}/registration/{draft.id}/step/site")
    expect(page.locator("#choose-region")).to_be_hidden()

    # 缴费
    page.goto(f"{base}/registration/{submitted.id}/pay")
    expect(page.locator("#total")).to_have_text("1040.00")

    # 考试报名: 放弃报考 asks first (data-confirm, static/portal.js); 取消 keeps the registration
    page.goto(f"{base}/registration")
    messages = []

    def answer(accept):
        def handler(dialog):
            messages.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()
        return handler

    page.evaluate("() => { window.stayed = true; }")
    page.once("dialog", answer(False))
    page.locator(f"#registration-{submitted.id} button.abandon").click()
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.stayed") is True  # no form sent, no new page
    assert messages == ["确定放弃报考临床执业医师吗？放弃后可重新开始新的报名。"]
    db.session.expire_all()
    assert db.session.get(Registration, submitted.id).status == "submitted"
    page.once("dialog", answer(True))
    page.locator(f"#registration-{submitted.id} button.abandon").click()
    expect(page.locator(f"#registration-{submitted.id}")).to_contain_text("已放弃")
    db.session.expire_all()
    assert db.session.get(Registration, submitted.id).status == "abandoned" and len(messages) == 2

    # in English the question is English too (dismissed here; accepting discards the draft)
    page.get_by_role("link", name="English").click()
    page.once("dialog", answer(False))
    page.locator(f"#registration-{draft.id} button.abandon").click()
    expect(page.locator(f"#registration-{draft.id} button.abandon")).to_be_visible()
    assert messages[2].startswith("Abandon the registration for ")

    assert problems == []

    # the watch itself works: a script without the nonce, added to the page, is refused and reported
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.injected = 1'; document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert any("script-src" in p for p in problems), problems


def test_back_office_pages_run_flask_appbuilders_scripts_without_csp_violations(app, admin_app, live_server, page):
    """FAB's templates write nonce="{{ csp_nonce() }}" on their scripts: select2, the date picker, the search
    filters (ab_filters.js) and our own pages work under the same policy as the portal."""
    from core.services.scope import NATIONAL_ADMIN
    from tests.factories import STAFF_PASSWORD, make_staff
    with app.app_context():
        cat = make_catalogue()
        reg = make_registration(cat=cat)
        db.session.commit()
        reg_id, year_id = reg.id, cat["year"].id
    name = make_staff(admin_app, NATIONAL_ADMIN)[1]
    problems = watch(page)
    base = f"{live_server}/admin"
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("link", name="资格审核", exact=True)).to_be_visible()

    for path in ("/", "/review/list/", f"/review/show/{reg_id}", f"/registrations/show/{reg_id}",
                 "/candidates/", "/reports/statistics/", "/reports/exports/", "/schools/import", "/users/list/",
                 "/roles/list/", "/audit-log/list/", "/sites/add", "/userstatschartview/chart/"):
        assert page.goto(f"{base}{path}").status == 200, path

    page.goto(f"{base}/exam-years/edit/{year_id}")
    expect(page.locator(".select2-container").first).to_be_visible()  # select2 ran
    page.locator(".appbuilder_datetime input, .appbuilder_date input").first.click()
    expect(page.locator(".datepicker, .bootstrap-datetimepicker-widget").first).to_be_visible()

    page.goto(f"{base}/exam-years/list/")
    toggle = page.locator("a.accordion-toggle").first  # the search panel opens (bootstrap's collapse)
    if not page.locator("#filter_form button.dropdown-toggle").is_visible():
        toggle.click()
    page.locator("#filter_form button.dropdown-toggle").click()
    page.locator("#filter_form a.filter").first.click()
    expect(page.locator("table.filters tr")).not_to_have_count(0)  # ab_filters.js added a filter row
    assert problems == []
