"""缴费 in a real browser: the platform and the sandbox bank each on a local port, from the 缴费 page through
the bank's page and back, until the registration shows 已缴费."""
import pytest
from sqlalchemy import select

from core.models import PaymentOrder, Registration
from tests.factories import add_fees, login_as, make_catalogue, make_registration

pytestmark = pytest.mark.browser


def logged_in(page, client, candidate, url):
    """The candidate's portal cookie, made by the test client, handed to the browser."""
    login_as(client, candidate)
    cookie = client.get_cookie(client.application.config["SESSION_COOKIE_NAME"])
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": url}])


def test_pay_at_the_bank_and_see_paid(page, client, session, bank, platform_url):
    cat = make_catalogue()
    add_fees(cat)
    reg = make_registration(cat=cat)
    session.commit()
    bank.settings.notify_delay = 1.5  # the bank's confirmation arrives after the candidate is back
    logged_in(page, client, reg.candidate, platform_url)

    page.goto(f"{platform_url}/registration/{reg.id}/pay")
    assert page.locator("#total").inner_text() == "1040.00"
    page.get_by_role("button", name="缴费").click()

    page.wait_for_url(f"{bank.url}/gateway.do*")
    assert page.locator("#amount").inner_text() == "￥1040.00"
    page.get_by_role("button", name="确认付款").click()

    page.wait_for_url(f"{platform_url}/payment/*")
    main = page.locator("main").inner_text()
    assert "失败" not in main
    if page.locator("#paid").count() == 0:  # back before the bank's confirmation: being confirmed
        assert "正在确认支付结果" in main and "请勿重复缴费" in main
        page.get_by_role("link", name="确定").click()
    page.locator("#paid").wait_for(timeout=20_000)  # the page refreshes itself until confirmed
    assert "已缴费" in page.locator("#paid").inner_text()

    session.expire_all()
    assert session.get(Registration, reg.id).payment_status == "paid"
    assert session.scalar(select(PaymentOrder.status)) == "paid"
