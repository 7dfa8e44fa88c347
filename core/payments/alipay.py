"""The Alipay page-pay protocol (电脑网站支付, alipay.trade.page.pay), as a ``PaymentProvider``.

The candidate's browser is sent to the gateway with signed parameters; the gateway later POSTs a signed
asynchronous notification to our notify URL and expects the body ``success``. Queries, closes and refunds
are signed server-to-server calls whose JSON answers carry the gateway's signature over the raw
``<method>_response`` object. The sandbox bank (sandbox_bank/) speaks exactly this protocol.
"""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from core.db import SHANGHAI, shanghai_to_utc
from core.payments import rsa2
from core.money import fen_to_yuan, yuan_to_fen
from core.payments.provider import GatewayError, Notification, PaymentRequest, RefundResult, TradeState

log = logging.getLogger(__name__)

PAID_STATUSES = ("TRADE_SUCCESS", "TRADE_FINISHED")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # the gateway's wall clock is Beijing time


def _beijing(value: datetime) -> str:
    return value.replace(tzinfo=timezone.utc).astimezone(SHANGHAI).strftime(TIME_FORMAT)


def _parse_beijing(text: str | None) -> datetime | None:
    try:
        return shanghai_to_utc(datetime.strptime(text or "", TIME_FORMAT))
    except ValueError:
        return None


# A notification lacking one of these is refused (notify_time: without it the staleness check is skipped).
NOTIFY_REQUIRED = ("notify_id", "notify_time", "app_id", "out_trade_no", "trade_status", "total_amount")
# Fields the protocol fills with ids, codes, times and amounts: never "&" or "=". The signing string joins
# k=v with unescaped "&", so such a character in a value could re-split into other fields and still verify.
NOTIFY_PLAIN = NOTIFY_REQUIRED + (
    "notify_type", "charset", "version", "sign_type", "trade_no", "out_biz_no", "buyer_id", "seller_id",
    "receipt_amount", "invoice_amount", "buyer_pay_amount", "point_amount", "refund_fee", "gmt_create",
    "gmt_payment", "gmt_refund", "gmt_close", "auth_app_id")


def well_formed_notification(params: dict) -> bool:
    return all(params.get(k) for k in NOTIFY_REQUIRED) and not any(
        "&" in params[k] or "=" in params[k] for k in NOTIFY_PLAIN if k in params)


class AlipayProvider:
    def __init__(self, *, name: str, app_id: str, private_key_path: Path, gateway_public_key_path: Path,
                 gateway_url: str, timeout: float = 10.0, make_dev_keys: bool = False,
                 allow_http: bool = False):
        self.name = name
        self.app_id = app_id
        self.gateway_url = gateway_url
        self.timeout = timeout
        self._private_key_path = Path(private_key_path)
        self._gateway_key_path = Path(gateway_public_key_path)
        self._make_dev_keys = make_dev_keys
        self.allow_http = allow_http  # the sandbox bank on loopback, in development and tests only

    @classmethod
    def from_config(cls, config, name: str = "alipay") -> "AlipayProvider":
        return cls(name=name, app_id=config["PAYMENT_APP_ID"],
                   private_key_path=config["PAYMENT_APP_PRIVATE_KEY_PATH"],
                   gateway_public_key_path=config["PAYMENT_GATEWAY_PUBLIC_KEY_PATH"],
                   gateway_url=config["PAYMENT_GATEWAY_URL"], timeout=config["PAYMENT_GATEWAY_TIMEOUT"],
                   make_dev_keys=bool(config.get("SANDBOX_BANK_ENABLED")),
                   allow_http=config.get("ENV_NAME") in ("development", "test"))

    # keys -------------------------------------------------------------------------------------------
    def _private_key(self) -> bytes:
        if not self._private_key_path.exists():
            if not self._make_dev_keys:
                raise GatewayError("the merchant private key (PAYMENT_APP_PRIVATE_KEY_PATH) is missing")
            rsa2.generate_key_pair(self._private_key_path, self._private_key_path.with_name("app_public.pem"))
        return self._private_key_path.read_bytes()

    def _gateway_key(self) -> bytes:
        try:
            return self._gateway_key_path.read_bytes()
        except OSError:
            raise GatewayError("the gateway public key (PAYMENT_GATEWAY_PUBLIC_KEY_PATH) is missing") from None

    def _signed(self, method: str, biz: dict, **extra) -> dict:
        params = {"app_id": self.app_id, "method": method, "format": "JSON", "charset": "utf-8",
                  "sign_type": "RSA2", "timestamp": _beijing(datetime.now(timezone.utc).replace(tzinfo=None)),
                  "version": "1.0", "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
                  **{k: v for k, v in extra.items() if v}}
        params["sign"] = rsa2.sign(params, self._private_key())
        return params

    # the page the candidate is sent to ----------------------------------------------------------------
    def create_payment(self, *, out_trade_no: str, amount_fen: int, subject: str, notify_url: str,
                       return_url: str, expires_at: datetime) -> PaymentRequest:
        biz = {"out_trade_no": out_trade_no, "product_code": "FAST_INSTANT_TRADE_PAY",
               "total_amount": str(fen_to_yuan(amount_fen)), "subject": subject,
               "time_expire": _beijing(expires_at)}
        params = self._signed("alipay.trade.page.pay", biz, notify_url=notify_url, return_url=return_url)
        return PaymentRequest(url=f"{self.gateway_url}?{urlencode(params)}")

    # what the gateway sends us ------------------------------------------------------------------------
    def verify_notification(self, raw_body: str) -> Notification | None:
        params = dict(parse_qsl(raw_body, keep_blank_values=True))
        if not well_formed_notification(params) or params.get("sign_type", "RSA2") != "RSA2" \
                or not rsa2.verify(params, self._gateway_key()):
            return None
        status = params.get("trade_status", "")
        return Notification(
            notify_id=params.get("notify_id", ""), out_trade_no=params.get("out_trade_no", ""),
            trade_no=params.get("trade_no"), app_id=params.get("app_id", ""),
            amount_fen=yuan_to_fen(params.get("total_amount")), trade_status=status,
            notify_time=_parse_beijing(params.get("notify_time")),
            paid=status in PAID_STATUSES, closed=status == "TRADE_CLOSED", raw=params)

    def verify_return(self, params: dict) -> bool:
        return rsa2.verify(dict(params), self._gateway_key())

    def acknowledgement(self, accepted: bool) -> tuple[str, int]:
        return ("success", 200) if accepted else ("failure", 400)

    # server-to-server calls ---------------------------------------------------------------------------
    def _opener(self) -> urllib.request.OpenerDirector:
        """HTTPS only (no file:, ftp: or plain http:), except with the development sandbox bank."""
        opener = urllib.request.OpenerDirector()
        for handler in (urllib.request.HTTPSHandler(), urllib.request.HTTPErrorProcessor(),
                        urllib.request.HTTPDefaultErrorHandler()):
            opener.add_handler(handler)
        if self.allow_http:
            opener.add_handler(urllib.request.HTTPHandler())
        elif urlsplit(self.gateway_url).scheme != "https":
            raise GatewayError("PAYMENT_GATEWAY_URL must be an https:// URL outside development")
        return opener

    def _call(self, method: str, biz: dict) -> dict:
        body = urlencode(self._signed(method, biz)).encode()
        request = urllib.request.Request(self.gateway_url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded;charset=utf-8"})
        try:
            with self._opener().open(request, timeout=self.timeout) as response:
                raw = response.read().decode()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GatewayError(f"{method}: gateway unreachable ({type(exc).__name__})") from None
        return self._verified_response(raw, method.replace(".", "_") + "_response")

    def _verified_response(self, raw: str, key: str) -> dict:
        """The ``key`` object of the answer, if the gateway's signature over its exact text is valid."""
        try:
            start = raw.index("{", raw.index(f'"{key}"') + len(key) + 2)
            answer, end = json.JSONDecoder().raw_decode(raw, start)
            signature = json.loads(raw).get("sign", "")
        except ValueError:
            raise GatewayError(f"{key}: unreadable answer") from None
        if not rsa2.verify_text(raw[start:end], signature, self._gateway_key()):
            raise GatewayError(f"{key}: answer not signed by the gateway")
        return answer

    def query(self, out_trade_no: str) -> TradeState:
        answer = self._call("alipay.trade.query", {"out_trade_no": out_trade_no})
        return self._trade_state(answer, "alipay.trade.query")

    def close(self, out_trade_no: str) -> TradeState:
        answer = self._call("alipay.trade.close", {"out_trade_no": out_trade_no})
        if answer.get("code") == "10000":
            return TradeState(exists=True, closed=True, trade_no=answer.get("trade_no"),
                              trade_status="TRADE_CLOSED")
        if answer.get("sub_code") == "ACQ.TRADE_STATUS_ERROR":  # already paid or closed: ask what it is
            return self.query(out_trade_no)
        return self._trade_state(answer, "alipay.trade.close")

    def _trade_state(self, answer: dict, method: str) -> TradeState:
        if answer.get("code") == "10000":
            status = answer.get("trade_status", "")
            return TradeState(exists=True, paid=status in PAID_STATUSES, closed=status == "TRADE_CLOSED",
                              trade_no=answer.get("trade_no"),
                              amount_fen=yuan_to_fen(answer.get("total_amount")), trade_status=status)
        if answer.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return TradeState(exists=False)
        raise GatewayError(f"{method}: {answer.get('code')} {answer.get('sub_code', '')}".strip())

    def refund(self, *, out_trade_no: str, amount_fen: int, out_request_no: str,
               reason: str) -> RefundResult:
        answer = self._call("alipay.trade.refund", {
            "out_trade_no": out_trade_no, "refund_amount": str(fen_to_yuan(amount_fen)),
            "out_request_no": out_request_no, "refund_reason": reason[:256]})
        if answer.get("code") == "10000":
            return RefundResult(ok=True)
        return RefundResult(ok=False, message=answer.get("sub_msg") or answer.get("msg") or "退款失败")
