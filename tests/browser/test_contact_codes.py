"""Codes in Chromium at 375 and 1280 px, read from the sandbox SMS gateway as a phone would receive them: verifying a
mobile number from 个人信息 (a wrong code first, shown beside the field), then 找回密码 by a code to it."""
import pytest

from core.db import db
from core.notify import delivery
from core.services import passwords
from tests.factories import make_candidate
from tests.support.a11y import shot
from tests.support.browser import browser_login

pytestmark = pytest.mark.browser
NEW = "Yisheng#2028new"


@pytest.fixture(params=[375, 1280])
def phone(browser, request):
    context = browser.new_context(locale="zh-CN", viewport={"width": request.param, "height": 800})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def _received_code(gateway) -> str:
    delivery.deliver_due()
    return gateway.messages()[-1]["params"]["code"]


def test_verify_a_mobile_then_recover_the_password_by_code(phone, live_server, app_ctx, notify_on):
    gateway = notify_on["sms"]
    cand = make_candidate(verified=False)
    db.session.commit()
    browser_login(phone, live_server, app_ctx, cand)
    phone.goto(f"{live_server}/profile")
    phone.locator("#contact").get_by_role("link", name="去验证").click()
    phone.get_by_role("button", name="获取验证码").click()
    assert "验证码已发送至 138****8000" in phone.locator("main").inner_text()
    code = _received_code(gateway)
    assert gateway.messages()[-1]["phone"] == "13800138000"
    phone.locator("#f-code").fill("000000" if code != "000000" else "111111")
    phone.get_by_role("button", name="验证", exact=True).click()
    assert "验证码不正确" in phone.locator("#e-code").inner_text()
    shot(phone, f"verify-wrong-code-{phone.viewport_size['width']}")
    phone.locator("#f-code").fill(code)
    phone.get_by_role("button", name="验证", exact=True).click()
    assert "手机号码已验证" in phone.locator("main").inner_text()
    db.session.refresh(cand)
    assert cand.mobile_verified_at is not None

    phone.context.clear_cookies()
    phone.goto(f"{live_server}/forgot-password")
    phone.get_by_label("用户名").fill(cand.username)
    phone.get_by_label("证件号码").fill(cand.doc_number)
    phone.get_by_role("button", name="下一步").click()
    phone.get_by_role("button", name="发送验证码到手机 138****8000").click()
    phone.locator("#f-code").fill(_received_code(gateway))
    shot(phone, f"recover-by-code-{phone.viewport_size['width']}")
    phone.locator("#f-code_new_password").fill(NEW)
    phone.locator("#f-code_new_password2").fill(NEW)
    phone.get_by_role("button", name="重设密码").click()
    phone.wait_for_url(f"{live_server}/login*")
    assert "密码已重置" in phone.locator("main").inner_text()
    db.session.refresh(cand)
    assert passwords.verify(cand.password_hash, NEW)
