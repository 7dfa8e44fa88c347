"""Shared pieces of the payment tests (no tests here): real RSA keys made in the test run, the sandbox
bank and the platform each served on a local port, and notifications signed as the gateway signs them."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server

from core.db import db, utcnow
from core.models import Fee
from core.payments import rsa2
from core.payments.alipay import _beijing

APP_ID = "2021000000000001"


@pytest.fixture(scope="session")
def payment_keys(tmp_path_factory):
    """Two real 2048-bit key pairs: the platform's (merchant) and the sandbox bank's (gateway)."""
    folder = tmp_path_factory.mktemp("payment-keys")
    keys = {"app_private": folder / "app" / "app_private.pem", "app_public": folder / "app" / "app_public.pem",
            "bank_dir": folder / "bank"}
    rsa2.generate_key_pair(keys["app_private"], keys["app_public"])
    rsa2.generate_key_pair(keys["bank_dir"] / "bank_private.pem", keys["bank_dir"] / "bank_public.pem")
    keys["bank_private"] = keys["bank_dir"] / "bank_private.pem"
    keys["bank_public"] = keys["bank_dir"] / "bank_public.pem"
    return keys


@pytest.fixture
def pay_config(app, payment_keys, monkeypatch):
    """The platform's PAYMENT_* settings pointed at the test keys (restored after the test)."""
    for name, value in (("PAYMENT_PROVIDER", "sandbox"), ("PAYMENT_APP_ID", APP_ID),
                        ("PAYMENT_APP_PRIVATE_KEY_PATH", payment_keys["app_private"]),
                        ("PAYMENT_GATEWAY_PUBLIC_KEY_PATH", payment_keys["bank_public"]),
                        ("PAYMENT_GATEWAY_URL", "http://127.0.0.1:9/gateway.do"),
                        ("PAYMENT_GATEWAY_TIMEOUT", 5.0)):
        monkeypatch.setitem(app.config, name, value)
    return app.config


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


@pytest.fixture
def platform_url(app, pay_config, monkeypatch):
    """The platform served on a local port: where the bank sends notifications and the browser returns."""
    with serve(app) as url:
        monkeypatch.setitem(app.config, "PAYMENT_PUBLIC_BASE_URL", url)
        yield url


@pytest.fixture
def bank(app, pay_config, payment_keys, monkeypatch):
    """The real sandbox bank app, on its own local port, with its notifier thread running."""
    from sandbox_bank import create_app
    bank_app = create_app(key_dir=payment_keys["bank_dir"], merchants={APP_ID: payment_keys["app_public"]})
    state = bank_app.extensions["sandbox_bank"]
    state.settings.retry_after = (0.2, 0.5, 1, 2)
    with serve(bank_app) as url:
        monkeypatch.setitem(app.config, "PAYMENT_GATEWAY_URL", f"{url}/gateway.do")
        state.url = url
        state.app = bank_app
        yield state
    state.stop()


def add_fees(cat, registration=30000, skills=50000, written_unit=6000):
    for item, amount in (("registration", registration), ("skills", skills), ("written_unit", written_unit)):
        db.session.add(Fee(region_id=cat["region"].id, subject_id=cat["subject"].id, item=item, amount_fen=amount))
    db.session.flush()


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
