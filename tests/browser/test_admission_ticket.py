"""The candidate's 准考证 in Chromium: the card says when before the date, 打印准考证 after, and the PDF it opens
carries the seat (text extracted); the staff check-in page on a phone."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.arrangement import admission
from core.db import db, utcnow
from core.models import SeatAssignment
from core.services.scope import SITE_REVIEWER
from tests.factories import STAFF_PASSWORD, make_staff
from tests.support.a11y import AXE, axe_violations, overflow_px, shot
from tests.support.browser import browser_login

pytestmark = [pytest.mark.browser]


def _phone(browser, width=375):
    return browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800}, bypass_csp=True)


def test_ticket_before_and_after_the_date(app, app_ctx, browser, live_server, ticket_opens_later):
    reg = ticket_opens_later["regs"][0]
    context = _phone(browser)
    page = context.new_page()
    browser_login(page, live_server, app, reg.candidate)
    page.goto(f"{live_server}/registration")
    card = page.locator(f"#registration-{reg.id}")
    assert "准考证将于" in card.inner_text() and card.get_by_role("link", name="打印准考证").count() == 0
    shot(page, "portal_registration_ticket_before-375")
    ticket_opens_later["window"].opens_at = utcnow()
    db.session.commit()
    page.reload()
    link = card.get_by_role("link", name="打印准考证")
    assert link.is_visible()
    shot(page, "portal_registration_ticket_open-375")
    if AXE.exists():
        assert axe_violations(page) == []
    assert overflow_px(page) == 0
    response = page.request.get(live_server + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    seat = db.session.scalar(select(SeatAssignment).where(SeatAssignment.registration_id == reg.id))
    assert seat.admission_number in text and reg.candidate.name in text and f"{seat.seat:02d}" in text
    assert reg.candidate.doc_number not in text
    other = ticket_opens_later["regs"][1]
    assert page.request.get(f"{live_server}/registrations/{other.id}/admission-ticket.pdf").status == 404
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_checkin_page_on_a_phone(app, app_ctx, admin_app, browser, live_server, published_site, width):
    _, username = make_staff(admin_app, SITE_REVIEWER, sites=[published_site["site"]])
    reg = published_site["regs"][0]
    payload = admission.ticket_data(reg)["qr_payload"]
    context = _phone(browser, width)
    page = context.new_page()
    page.goto(f"{live_server}/admin/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/")
    page.goto(f"{live_server}/admin/arrangement/checkin")
    page.get_by_label("本考点").select_option(str(published_site["site"].id))
    page.get_by_label("准考证号或二维码内容").fill(payload)
    page.get_by_role("button", name="核验").click()
    result = page.locator("#checkin-result")
    assert "核验通过" in result.inner_text() and reg.candidate.name in result.inner_text()
    assert page.locator("#checkin-result img").evaluate("img => img.naturalWidth") > 0  # the photo loads
    shot(page, f"admin_checkin-{width}")
    if AXE.exists():
        assert axe_violations(page) == []
    assert overflow_px(page) == 0
    context.close()
