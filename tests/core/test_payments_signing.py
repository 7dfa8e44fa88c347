"""RSA2 signatures with real keys made in the test, checked against python-alipay-sdk (an independent
implementation of the same protocol)."""
import json
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from alipay import AliPay

from core.db import utcnow
from core.payments import rsa2
from core.payments.alipay import AlipayProvider
from tests.support.payments import APP_ID, gateway_notification


def sdk(keys, private="app_private", public="bank_public"):
    return AliPay(appid=APP_ID, app_private_key_string=keys[private].read_text(),
                  alipay_public_key_string=keys[public].read_text(), sign_type="RSA2")


def provider(keys):
    return AlipayProvider(name="sandbox", app_id=APP_ID, private_key_path=keys["app_private"],
                          gateway_public_key_path=keys["bank_public"], gateway_url="https://gw.example/gateway.do")


def test_our_signature_verifies_with_the_sdk_and_the_sdk_signature_with_ours(payment_keys):
    params = {"app_id": APP_ID, "method": "alipay.trade.query", "charset": "utf-8", "sign_type": "RSA2",
              "biz_content": json.dumps({"out_trade_no": "MX1", "subject": "医学考试报名费"}, ensure_ascii=False)}
    ours = rsa2.sign(params, payment_keys["app_private"].read_bytes())
    # the SDK verifies with the merchant's public key when we hand it that key as "alipay public key"
    checker = sdk(payment_keys, private="bank_private", public="app_public")
    assert checker._verify(rsa2.signing_string(params), ours)
    signed_by_sdk = dict(parse_qsl(sdk(payment_keys).sign_data(dict(params))))
    assert rsa2.verify(signed_by_sdk, payment_keys["app_public"].read_bytes(), exclude=("sign",))


def test_a_changed_value_or_another_key_fails_verification(payment_keys):
    params = {"out_trade_no": "MX1", "total_amount": "740.00", "trade_status": "TRADE_SUCCESS"}
    params["sign"] = rsa2.sign(params, payment_keys["bank_private"].read_bytes())
    public = payment_keys["bank_public"].read_bytes()
    assert rsa2.verify(params, public)
    assert not rsa2.verify({**params, "total_amount": "0.01"}, public)
    assert not rsa2.verify(params, payment_keys["app_public"].read_bytes())
    assert not rsa2.verify({**params, "sign": "bm90IGEgc2lnbmF0dXJl"}, public)
    assert not rsa2.verify({**params, "sign": "%%%"}, public)


def test_the_page_pay_request_is_signed_and_carries_order_amount_and_expiry(payment_keys):
    expires = utcnow() + timedelta(minutes=30)
    request = provider(payment_keys).create_payment(
        out_trade_no="MX2027", amount_fen=74050, subject="医学考试报名费", notify_url="https://p/n",
        return_url="https://p/r", expires_at=expires)
    parts = urlsplit(request.url)
    params = dict(parse_qsl(parts.query))
    assert parts.netloc == "gw.example" and params["method"] == "alipay.trade.page.pay"
    assert rsa2.verify(params, payment_keys["app_public"].read_bytes(), exclude=("sign",))
    biz = json.loads(params["biz_content"])
    assert biz["out_trade_no"] == "MX2027" and biz["total_amount"] == "740.50"
    assert biz["product_code"] == "FAST_INSTANT_TRADE_PAY" and biz["time_expire"]
    sorted_params = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign")
    assert sdk(payment_keys, private="bank_private", public="app_public")._verify(sorted_params, params["sign"])


def test_notifications_are_believed_only_with_the_gateway_signature(payment_keys):
    from core.payments import rsa2 as r
    good = provider(payment_keys).verify_notification(gateway_notification(payment_keys, "MX1", "740.00"))
    assert good is not None and good.paid and good.amount_fen == 74000 and good.out_trade_no == "MX1"
    forged = gateway_notification(payment_keys, "MX1", "740.00", key=payment_keys["app_private"].read_bytes())
    assert provider(payment_keys).verify_notification(forged) is None
    tampered = gateway_notification(payment_keys, "MX1", "740.00").replace("740.00", "0.01")
    assert provider(payment_keys).verify_notification(tampered) is None
    assert provider(payment_keys).verify_notification("out_trade_no=MX1&trade_status=TRADE_SUCCESS") is None
    assert r.signing_string({"b": "2", "a": "1", "sign": "x", "empty": ""}) == "a=1&b=2"


@pytest.mark.parametrize("text,fen", [("740.00", 74000), ("0.01", 1), ("12", 1200), ("1.5", 150),
                                      ("1.005", None), ("abc", None), (None, None), ("-1", None),
                                      ("Infinity", None), ("NaN", None)])
def test_amounts_convert_exactly_or_not_at_all(text, fen):
    from core.money import yuan_to_fen
    assert yuan_to_fen(text) == fen
