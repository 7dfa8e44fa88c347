"""Issue 14, findings 10, 12 and 15: production secrets, notification field splitting, https to the gateway."""
from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

import pytest

import config
from config import ConfigurationError, load_config
from core.db import utcnow
from core.payments import rsa2
from core.payments.alipay import AlipayProvider, _beijing
from core.payments.provider import GatewayError
from tests.support.payments import gateway_notification

NOTIFY = "/payment/notify/sandbox"
FORM = "application/x-www-form-urlencoded"


# --- 10. production secrets ----------------------------------------------------------------------------

@pytest.mark.parametrize("secret, admin, reason", [
    ("a", None, "shorter than 32"),
    ("a" * 64, None, "shorter than 32"),  # long but not random
    (config.DEFAULT_SECRET, None, "known default"),
    (None, config.DEFAULT_SECRET + "-admin", "known default"),
    ("same", "same", "the same"),
])
def test_production_refuses_weak_or_default_secrets(monkeypatch, secret, admin, reason):
    good = secrets.token_urlsafe(32)
    secret = good if secret is None else secret
    admin = secrets.token_urlsafe(32) if admin is None else admin
    if secret == admin == "same":
        secret = admin = good
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", secret)
    monkeypatch.setattr(config.ProductionConfig, "ADMIN_SECRET_KEY", admin)
    with pytest.raises(ConfigurationError, match=reason):
        load_config("production")


def test_production_starts_with_random_secrets(monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setattr(config.ProductionConfig, "ADMIN_SECRET_KEY", secrets.token_urlsafe(32))
    assert load_config("production") is config.ProductionConfig


# --- 12. a value carrying "&notify_time=..." --------------------------------------------------------

def test_stale_notification_resplit_into_another_field_is_refused(client, session, order, payment_keys):
    """A genuine but three-day-old notification: its notify_time moved into notify_id's value gives the same
    signing string, so the signature still verifies, and without notify_time the 48-hour check was skipped."""
    old = parse_qsl(gateway_notification(payment_keys, order.out_trade_no, "1040.00",
                                         notify_time=utcnow() - timedelta(days=3)))
    params = dict(old)
    forged = {k: v for k, v in params.items() if k != "notify_time"}
    forged["notify_id"] = f"{params['notify_id']}&notify_time={params['notify_time']}"
    assert rsa2.signing_string(forged, ("sign", "sign_type")) == rsa2.signing_string(params, ("sign", "sign_type"))
    resp = client.post(NOTIFY, data=urlencode(forged), content_type=FORM)
    assert resp.get_data(as_text=True) != "success"
    session.expire_all()
    assert order.status != "paid"


def test_notification_without_notify_time_is_refused(client, session, order, payment_keys):
    params = {"notify_type": "trade_status_sync", "notify_id": "n-x", "app_id": "2021000000000001",
              "out_trade_no": order.out_trade_no, "total_amount": "1040.00", "trade_status": "TRADE_SUCCESS"}
    params["sign"] = rsa2.sign(params, payment_keys["bank_private"].read_bytes())
    resp = client.post(NOTIFY, data=urlencode(params), content_type=FORM)
    assert resp.get_data(as_text=True) != "success"
    session.expire_all()
    assert order.status != "paid"
    assert _beijing(utcnow())  # the helper the genuine notifications use still formats


# --- 15. the gateway over https only -------------------------------------------------------------------

def test_gateway_calls_refuse_plain_http_outside_development(payment_keys):
    provider = AlipayProvider(name="alipay", app_id="2021000000000001", private_key_path=payment_keys["app_private"],
                              gateway_public_key_path=payment_keys["bank_public"],
                              gateway_url="http://gateway.example/gateway.do", allow_http=False)
    with pytest.raises(GatewayError, match="https"):
        provider.query("MX-1")
    for scheme in ("file:///etc/passwd", "ftp://gateway.example/x"):
        provider.gateway_url = scheme
        with pytest.raises(GatewayError):
            provider.query("MX-1")


def test_production_refuses_a_plain_http_gateway_url(monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setattr(config.ProductionConfig, "ADMIN_SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setattr(config.ProductionConfig, "PAYMENT_GATEWAY_URL", "http://openapi.alipay.com/gateway.do")
    with pytest.raises(ConfigurationError, match="https"):
        load_config("production")


# --- 13. X-Forwarded-For from a client that reached an app server directly ---------------------------------

def test_forwarded_for_is_ignored_unless_from_a_trusted_proxy(app, monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setattr(config.ProductionConfig, "ADMIN_SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setattr(config.ProductionConfig, "REDIS_URL", None)
    monkeypatch.setattr(config.ProductionConfig, "TRUSTED_PROXY_ADDRESSES", "10.0.0.5")
    from factory import create_app
    from tests.support.environment import DB_URL
    from tests.support.web import csrf_token_from
    prod = create_app("production", SQLALCHEMY_DATABASE_URI=DB_URL, LOGIN_RATE_LIMIT="3 per minute")
    client = prod.test_client()
    base = "https://baoming.example"

    def attempt(remote: str, forwarded: str) -> str:
        env = {"REMOTE_ADDR": remote}
        headers = {"X-Forwarded-For": forwarded, "X-Forwarded-Proto": "https", "Referer": f"{base}/login"}
        page = client.get("/login", base_url=base, headers=headers, environ_base=env)
        return client.post("/login", base_url=base, headers=headers, environ_base=env,
                           data={"username": "nobody", "password": "wrong-Password1",
                                 "csrf_token": csrf_token_from(page.get_data(as_text=True))}).get_data(as_text=True)

    # a direct client (198.51.100.7) inventing a new address each time is still one address
    answers = [attempt("198.51.100.7", f"203.0.113.{n}") for n in range(4)]
    assert "过于频繁" not in "".join(answers[:3]) and "过于频繁" in answers[3]
    # through the balancer (10.0.0.5), each forwarded client counts separately
    assert all("过于频繁" not in attempt("10.0.0.5", f"203.0.113.{n}") for n in range(10, 14))
