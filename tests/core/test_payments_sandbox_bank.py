"""The sandbox bank: never in production, refuses unsigned requests, honours the order's expiry."""
import secrets
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest

from config import ConfigurationError, load_config
from core.db import utcnow
from core.payments import rsa2
from core.payments.alipay import AlipayProvider
from tests.support.payments import APP_ID


@pytest.fixture
def bank_app(payment_keys):
    from sandbox_bank import create_app
    return create_app(key_dir=payment_keys["bank_dir"], merchants={APP_ID: payment_keys["app_public"]},
                      start_notifier=False)


def page_pay_path(keys, amount_fen=74000, expires_in=timedelta(minutes=30), key="app_private"):
    provider = AlipayProvider(name="sandbox", app_id=APP_ID, private_key_path=keys[key],
                              gateway_public_key_path=keys["bank_public"], gateway_url="/gateway.do")
    return provider.create_payment(out_trade_no="MX-SANDBOX-1", amount_fen=amount_fen, subject="报名费",
                                   notify_url="", return_url="http://p/payment/return",
                                   expires_at=utcnow() + expires_in).url


def test_production_refuses_the_sandbox_bank(monkeypatch):
    import config
    for name, value in (("SECRET_KEY", secrets.token_urlsafe(32)), ("ADMIN_SECRET_KEY", secrets.token_urlsafe(32))):
        monkeypatch.setattr(config.ProductionConfig, name, value)
    load_config("production")  # the real gateway by default: starts
    monkeypatch.setattr(config.ProductionConfig, "PAYMENT_PROVIDER", "sandbox")
    with pytest.raises(ConfigurationError, match="sandbox"):
        load_config("production")
    monkeypatch.setattr(config.ProductionConfig, "PAYMENT_PROVIDER", "alipay")
    monkeypatch.setattr(config.ProductionConfig, "PAYMENT_GATEWAY_URL", "http://127.0.0.1:5001/gateway.do")
    with pytest.raises(ConfigurationError):
        load_config("production")


def test_the_sandbox_bank_refuses_to_run_in_production(monkeypatch, payment_keys):
    from sandbox_bank import SandboxRefused, create_app
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(SandboxRefused):
        create_app(key_dir=payment_keys["bank_dir"], start_notifier=False)


def test_the_bank_page_shows_the_order_and_pay_and_cancel(bank_app, payment_keys):
    html = bank_app.test_client().get(page_pay_path(payment_keys)).get_data(as_text=True)
    assert "MX-SANDBOX-1" in html and "￥740.00" in html and "确认付款" in html and "取消付款" in html
    token = html.split('action="/cancel/')[1].split('"')[0]
    cancel = bank_app.test_client().post(f"/cancel/{token}")
    assert cancel.status_code == 303 and cancel.headers["Location"].endswith("out_trade_no=MX-SANDBOX-1")
    assert bank_app.extensions["sandbox_bank"].trade(APP_ID, "MX-SANDBOX-1").status == "WAIT_BUYER_PAY"


def test_the_bank_refuses_a_request_not_signed_by_the_merchant(bank_app, payment_keys):
    response = bank_app.test_client().get(page_pay_path(payment_keys, key="bank_private"))
    assert response.status_code == 400 and "验签失败" in response.get_data(as_text=True)
    answer = bank_app.test_client().post("/gateway.do", data={"app_id": APP_ID, "method": "alipay.trade.query",
                                                              "sign_type": "RSA2", "sign": "AAAA"}).json
    assert answer["error_response"]["sub_code"] == "isv.invalid-signature"


def test_the_bank_will_not_take_money_after_the_orders_expiry(bank_app, payment_keys):
    client = bank_app.test_client()
    html = client.get(page_pay_path(payment_keys)).get_data(as_text=True)
    token = html.split('action="/pay/')[1].split('"')[0]
    trade = bank_app.extensions["sandbox_bank"].trade(APP_ID, "MX-SANDBOX-1")
    trade.time_expire = trade.time_expire - timedelta(hours=1)
    response = client.post(f"/pay/{token}")
    assert "交易已关闭" in response.get_data(as_text=True) and trade.status == "TRADE_CLOSED"


def test_the_return_redirect_is_signed_by_the_bank(bank_app, payment_keys):
    client = bank_app.test_client()
    html = client.get(page_pay_path(payment_keys)).get_data(as_text=True)
    token = html.split('action="/pay/')[1].split('"')[0]
    location = client.post(f"/pay/{token}").headers["Location"]
    params = dict(parse_qsl(location.split("?", 1)[1]))
    assert params["out_trade_no"] == "MX-SANDBOX-1" and params["total_amount"] == "740.00"
    assert rsa2.verify(params, payment_keys["bank_public"].read_bytes())
    again = client.get(page_pay_path(payment_keys)).get_data(as_text=True)
    assert "请勿重复支付" in again


def test_the_test_api_changes_behaviour(bank_app):
    client = bank_app.test_client()
    settings = client.post("/_sandbox/settings", json={"hold": True, "duplicate": 2, "unknown": 1}).json
    assert settings["hold"] is True and settings["duplicate"] == 2 and "unknown" not in settings
    assert client.post("/_sandbox/flush").json == {"sent": 0}
    assert client.post("/_sandbox/reset").json == {"ok": True}
    assert client.get("/_sandbox/state").json["settings"]["hold"] is False


@pytest.mark.parametrize("outcome, paid, delivered_soon, queued", [
    ("now", True, True, True), ("delay", True, False, True), ("lost", True, False, False),
    ("fail", False, False, False)])
def test_the_bank_page_simulates_a_delayed_lost_or_failed_confirmation(bank_app, payment_keys, outcome, paid,
                                                                       delivered_soon, queued):
    """Issue 15: the page itself, not only the test API, can delay, lose or fail the confirmation."""
    import time
    client = bank_app.test_client()
    html = client.get(page_pay_path(payment_keys)).get_data(as_text=True)
    assert 'value="delay"' in html and 'value="lost"' in html and 'value="fail"' in html
    token = html.split('action="/pay/')[1].split('"')[0]
    bank = bank_app.extensions["sandbox_bank"]
    trade = bank.trade(APP_ID, "MX-SANDBOX-1")
    trade.notify_url = "http://127.0.0.1:9/notify"  # never answered: the outbox shows what would be sent
    response = client.post(f"/pay/{token}", data={"outcome": outcome})
    assert (trade.status == "TRADE_SUCCESS") is paid
    assert (len(bank.outbox) > 0) is queued
    assert any(d.next_at <= time.monotonic() + 1 for d in bank.outbox) is delivered_soon
    if outcome == "fail":
        assert response.status_code == 402 and "未扣款" in response.get_data(as_text=True)
        assert f'action="/cancel/{token}"' in response.get_data(as_text=True)  # 返回商户
    else:
        assert response.status_code == 303
