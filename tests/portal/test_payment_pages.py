"""The 缴费 page, the return from the bank and the payment status as the candidate sees them."""
import json
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import flask_babel
import pytest
from sqlalchemy import func, select

from core.db import db, utcnow
from core.models import PaymentAttempt, PaymentOrder, Refund
from core.models.payment import REFUND_LABELS, REFUND_STATUSES
from core.payments import rsa2, service
from tests.factories import login_as, make_candidate, setup_reg
from tests.support.payments import gateway_notification, press_pay


def test_the_pay_page_itemises_the_fees_and_allows_the_bank_as_form_target(client, session, pay_config):
    reg = setup_reg(session)
    login_as(client, reg.candidate)
    response = client.get(f"/registration/{reg.id}/pay")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("报名费", "300.00", "实践技能考试费", "500.00", "医学综合笔试费", "4 单元 × 60.00 元", "240.00",
                 "1040.00", 'id="pay-button"', "等待几分钟之后刷新页面"):
        assert text in html
    assert "form-action 'self' http://127.0.0.1:9" in response.headers["Content-Security-Policy"]


def test_pressing_pay_sends_the_browser_to_the_gateway_with_a_signed_request(client, session, pay_config,
                                                                             payment_keys):
    reg = setup_reg(session)
    login_as(client, reg.candidate)
    response = press_pay(client, reg)
    assert response.status_code == 303
    target = urlsplit(response.headers["Location"])
    params = dict(parse_qsl(target.query))
    assert f"{target.scheme}://{target.netloc}{target.path}" == "http://127.0.0.1:9/gateway.do"
    assert rsa2.verify(params, payment_keys["app_public"].read_bytes(), exclude=("sign",))
    assert json.loads(params["biz_content"])["total_amount"] == "1040.00"
    assert params["notify_url"].endswith("/payment/notify/sandbox") and params["return_url"].endswith("/payment/return")
    # pressing again reuses the same order: the gateway never takes one order twice
    again = dict(parse_qsl(urlsplit(press_pay(client, reg).headers["Location"]).query))
    assert json.loads(again["biz_content"])["out_trade_no"] == json.loads(params["biz_content"])["out_trade_no"]
    assert session.scalar(select(func.count()).select_from(PaymentOrder)) == 1
    assert session.scalar(select(func.count()).select_from(PaymentAttempt)) == 2
    page = client.get(f"/registration/{reg.id}/pay").get_data(as_text=True)
    assert "请勿重复缴费" in page and 'id="pending-notice"' in page


def test_a_region_without_online_payment_says_how_it_collects_fees(client, session, pay_config):
    reg = setup_reg(session, online_payment_open=False, fee_collection_note="请在现场确认时到考点缴费。")
    login_as(client, reg.candidate)
    html = client.get(f"/registration/{reg.id}/pay").get_data(as_text=True)
    assert "请在现场确认时到考点缴费。" in html and 'id="pay-button"' not in html
    response = press_pay(client, reg)
    assert response.status_code == 409 and "请在现场确认时到考点缴费。" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(PaymentOrder)) == 0


def test_after_the_deadline_there_is_no_pay_button(client, session, pay_config):
    reg = setup_reg(session, payment_deadline=utcnow() - timedelta(hours=1))
    login_as(client, reg.candidate)
    html = client.get(f"/registration/{reg.id}/pay").get_data(as_text=True)
    assert "网上缴费已截止" in html and 'id="pay-button"' not in html


def test_another_candidates_registration_and_order_do_not_exist(client, session, pay_config):
    reg = setup_reg(session)
    login_as(client, reg.candidate)
    press_pay(client, reg)
    order = session.scalar(select(PaymentOrder))
    other = make_candidate()
    session.commit()
    login_as(client, other)
    assert client.get(f"/registration/{reg.id}/pay").status_code == 404
    assert client.post(f"/registration/{reg.id}/pay", data={}).status_code in (400, 404)
    assert client.get(f"/payment/{order.out_trade_no}").status_code == 404
    assert client.get(f"/payment/return?out_trade_no={order.out_trade_no}").status_code == 404


def test_the_pages_need_a_logged_in_candidate(client, session, pay_config):
    reg = setup_reg(session)
    assert client.get(f"/registration/{reg.id}/pay").status_code == 302


def test_the_return_page_confirms_and_never_says_failed_then_shows_paid(client, session, pay_config, payment_keys):
    reg = setup_reg(session)
    login_as(client, reg.candidate)
    press_pay(client, reg)
    order = session.scalar(select(PaymentOrder))
    response = client.get(f"/payment/return?out_trade_no={order.out_trade_no}&trade_no=x&sign=forged",
                          follow_redirects=True)
    html = response.get_data(as_text=True)
    main = html.split('id="main"')[1].split("<footer")[0]
    assert "正在确认支付结果" in main and "请勿重复缴费" in main and 'id="confirm-paid"' in main
    assert 'http-equiv="refresh"' in html and "失败" not in main and 'id="paid"' not in main
    client.post("/payment/notify/sandbox", data=gateway_notification(payment_keys, order.out_trade_no, "1040.00"),
                content_type="application/x-www-form-urlencoded")
    html = client.get(f"/payment/{order.out_trade_no}").get_data(as_text=True)
    assert 'id="paid"' in html and "http-equiv" not in html
    pay_page = client.get(f"/registration/{reg.id}/pay").get_data(as_text=True)
    assert "已缴费" in pay_page and 'id="pay-button"' not in pay_page
    assert press_pay(client, reg).status_code == 409  # no second payment


def test_the_candidate_sees_the_refund_state(client, session, pay_config, payment_keys):
    reg = setup_reg(session)
    login_as(client, reg.candidate)
    press_pay(client, reg)
    order = session.scalar(select(PaymentOrder))
    client.post("/payment/notify/sandbox", data=gateway_notification(payment_keys, order.out_trade_no, "1040.00"),
                content_type="application/x-www-form-urlencoded")
    session.expire_all()
    service.request_refund(db.session.get(PaymentOrder, order.id), "放弃报考")
    session.commit()
    html = client.get(f"/payment/{order.out_trade_no}").get_data(as_text=True)
    assert "退费处理中" in html and "退费申请已提交" in html
    assert "退费申请已提交" in client.get(f"/registration/{reg.id}/pay").get_data(as_text=True)


@pytest.mark.parametrize("status", REFUND_STATUSES)
def test_one_wording_of_each_refund_state_for_the_candidate_the_back_office_and_the_export(client, session, status):
    """The three wordings of refund states that had drifted apart are one map (core.models.payment)."""
    from backoffice.payments import RefundView
    from reports.exports import EXPORTS
    reg = setup_reg(session)
    order = PaymentOrder(registration_id=reg.id, out_trade_no=f"MXR{reg.id:08d}", provider="sandbox",
                         amount_fen=104000, items=[], status="refund_pending", paid_at=utcnow())
    session.add(order)
    session.flush()
    session.add(Refund(order_id=order.id, amount_fen=104000, status=status, reason="放弃报考"))
    session.commit()
    label = REFUND_LABELS[status]
    login_as(client, reg.candidate)
    assert label in client.get(f"/payment/{order.out_trade_no}").get_data(as_text=True)
    assert RefundView.formatters_columns["status"](status) == label
    export_column = next(c for c in EXPORTS["payments"].columns if c.header == "退费状态")
    assert export_column.labels[status] == label
    client.get("/lang/en")  # the language switch
    flask_babel.refresh()  # the locale cached on g by the first page (the test's app context is shared)
    english = client.get(f"/payment/{order.out_trade_no}").get_data(as_text=True)
    assert label not in english and "Refund" in english


def test_the_notify_url_needs_no_csrf_token_but_a_signature(client, session, pay_config):
    response = client.post("/payment/notify/sandbox", data="out_trade_no=MX1&trade_status=TRADE_SUCCESS",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.get_data(as_text=True) == "failure"
    assert client.post("/payment/notify/paypal", data="x=1").status_code == 404
