"""注销 in Chromium at 375 px: from 安全设置 to the closure page; a wrong password is shown beside the field and
nothing is lost; then the account is closed and the browser is back at the login page, logged out. A
candidate with a registration in progress sees why it cannot be closed, and no form."""
import pytest

from core.db import db
from core.models import Candidate
from tests.factories import PASSWORD, make_catalogue, make_registration, ready_candidate
from tests.support.browser import browser_login

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def test_close_the_account_in_the_browser(phone, live_server, app_ctx):
    cand = ready_candidate()
    db.session.commit()
    browser_login(phone, live_server, app_ctx, cand)
    phone.goto(f"{live_server}/security")
    phone.get_by_role("link", name="了解并注销账户").click()
    phone.get_by_label("当前密码").fill("Wrong#password1")
    phone.get_by_label("我已了解：注销后无法登录，也无法恢复").check()
    phone.get_by_role("button", name="注销账户").click()
    assert "当前密码不正确" in phone.locator("#e-password").inner_text()
    assert phone.get_by_label("我已了解：注销后无法登录，也无法恢复").is_visible()
    phone.get_by_label("当前密码").fill(PASSWORD)
    phone.get_by_label("我已了解：注销后无法登录，也无法恢复").check()
    phone.get_by_role("button", name="注销账户").click()
    phone.wait_for_url(f"{live_server}/login*")
    assert "您的账户已注销" in phone.locator("main").inner_text()
    phone.goto(f"{live_server}/profile")
    assert "/login" in phone.url
    db.session.expire_all()
    assert db.session.get(Candidate, cand.id).closed_at is not None


def test_a_live_registration_shows_the_reason(phone, live_server, app_ctx):
    cand = ready_candidate()
    reg = make_registration(cand, make_catalogue())
    db.session.commit()
    browser_login(phone, live_server, app_ctx, cand)
    phone.goto(f"{live_server}/account/close")
    assert reg.number in phone.locator("#close-refused").inner_text()
    assert phone.get_by_role("button", name="注销账户").count() == 0
