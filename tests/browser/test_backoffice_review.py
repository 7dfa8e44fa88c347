"""A site reviewer logs in with two-factor, reviews a submitted registration, ticks an entry, approves."""
from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from core.db import db
from core.models import Education, Registration, RegistrationEntry
from core.services.scope import SITE_REVIEWER
from tests.factories import STAFF_PASSWORD, make_catalogue, make_registration, make_staff

pytestmark = pytest.mark.browser


def test_site_reviewer_approves_with_two_factor(app, admin_app, live_server, page):
    secret = pyotp.random_base32()
    with app.app_context():
        cat = make_catalogue()
        reg = make_registration(cat=cat)
        edu = Education(candidate_id=reg.candidate_id, school_name="北京大学", level="本科", major="临床医学",
                        start_ym="2010-09", end_ym="2015-07", diploma_number="100011201505000123")
        db.session.add(edu)
        db.session.flush()
        db.session.add(RegistrationEntry(registration_id=reg.id, education_id=edu.id))
        db.session.commit()
        reg_id, number, edu_id, site = reg.id, reg.number, edu.id, cat["site"]
        _, name = make_staff(admin_app, SITE_REVIEWER, sites=[site], totp_secret=secret)
    admin_app.config["STAFF_TOTP_REQUIRED"] = True
    try:
        page.goto(f"{live_server}/admin/login/")
        page.get_by_label("用户名").fill(name)
        page.get_by_label("密码").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_label("动态验证码").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="验证并登录").click()
        expect(page.get_by_role("link", name="资格审核", exact=True)).to_be_visible()  # menu: logged in after both steps
        page.goto(f"{live_server}/admin/review/list/")
        expect(page.get_by_text(number)).to_be_visible()
        page.goto(f"{live_server}/admin/review/show/{reg_id}")
        expect(page.get_by_text("报名申请表（提交时冻结）")).to_be_visible()
        page.get_by_role("button", name="核验通过 ✓").click()
        expect(page.get_by_text("✓ 已验证")).to_be_visible()
        page.get_by_role("button", name="审核通过", exact=True).click()
        expect(page.locator("#reg-status")).to_have_text("审核通过")
    finally:
        admin_app.config["STAFF_TOTP_REQUIRED"] = False
    with app.app_context():
        assert db.session.get(Registration, reg_id).status == "approved"
        assert db.session.get(Education, edu_id).state == "verified"
