"""Shared pieces of the payment tests: notifications signed as the gateway signs them, the platform or the
bank served on a local port, paying at the sandbox bank, pressing 缴费. The fixtures (keys, settings, the bank,
the platform's URL) are in tests/fixtures/payments.py."""
from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from urllib.parse import urlencode

from sqlalchemy import select
from werkzeug.serving import make_server

from core.db import utcnow
from core.models import PaymentOrder, Registration
from core.payments import rsa2, service
from core.payments.alipay import _beijing
from tests.support.web import csrf_token_from

APP_ID = "2021000000000001"


@contextmanager
def serve(wsgi_app):
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def gateway_notification(payment_keys, out_trade_no: str, amount: str, *, notify_id: str = "n-0001",
                         trade_status: str = "TRADE_SUCCESS", app_id: str = APP_ID, notify_time=None,
                         key=None) -> str:
    """A form-encoded asynchronous notification signed with the bank's private key (or ``key``)."""
    params = {"notify_time": _beijing(notify_time or utcnow()), "notify_type": "trade_status_sync",
              "notify_id": notify_id, "app_id": app_id, "charset": "utf-8", "version": "1.0",
              "trade_no": "2027010122001400000000000001", "out_trade_no": out_trade_no,
              "total_amount": amount, "trade_status": trade_status, "seller_id": "2088000000000001"}
    params["sign"] = rsa2.sign(params, key or payment_keys["bank_private"].read_bytes())
    params["sign_type"] = "RSA2"
    return urlencode(params)


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def go_to_bank(bank, reg, platform_url):
    """What the 缴费 button does: the signed page-pay request, opened on the bank's page."""
    request = service.start_payment(reg, reg.candidate, notify_url=platform_url + "/payment/notify/sandbox",
                                    return_url=platform_url + "/payment/return")
    assert request.url.startswith(bank.url + "/gateway.do?")
    page = bank.app.test_client().get(request.url.removeprefix(bank.url))
    assert page.status_code == 200, page.get_data(as_text=True)
    return page.get_data(as_text=True)


def pay_at_bank(bank, reg, platform_url) -> str:
    """Press 确认付款 on the bank page; returns where the bank sends the browser back to."""
    html = go_to_bank(bank, reg, platform_url)
    token = re.search(r'action="/pay/([^"]+)"', html).group(1)
    response = bank.app.test_client().post(f"/pay/{token}")
    assert response.status_code == 303
    return response.headers["Location"].removeprefix(platform_url)


def order_state(session, reg):
    session.expire_all()
    order = session.scalar(select(PaymentOrder).filter_by(registration_id=reg.id))
    return order.status, session.get(Registration, reg.id).payment_status


def press_pay(client, reg):
    page = client.get(f"/registration/{reg.id}/pay").get_data(as_text=True)
    return client.post(f"/registration/{reg.id}/pay", data={"csrf_token": csrf_token_from(page)})
