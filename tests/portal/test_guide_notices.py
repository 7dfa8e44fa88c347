"""Notices the user guide gives, in its words: the browser on the home page, refunds on the payment pages."""
from __future__ import annotations

from sqlalchemy import select

from core.models import PaymentOrder
from tests.factories import login_as, setup_reg
from tests.support.payments import press_pay
from tests.support.web import text

REFUND = "关于退费的处理请关注相关考区关于医师资格网上缴费的公告说明"


def test_the_home_page_recommends_chrome_as_the_guide_does(client):
    page = text(client.get("/"))
    assert "推荐使用Chrome浏览器以达到最佳体验" in page and "现代浏览器" not in page


def test_the_pay_page_and_the_payment_result_point_to_the_region_for_refunds(client, session, pay_config,
                                                                           payment_keys):
    reg = setup_reg(session)
    login_as(client, reg.candidate)
    assert REFUND in text(client.get(f"/registration/{reg.id}/pay"))
    press_pay(client, reg)
    order = session.scalar(select(PaymentOrder))
    assert REFUND in text(client.get(f"/payment/{order.out_trade_no}"))
