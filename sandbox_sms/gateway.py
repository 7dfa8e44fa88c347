"""The sandbox SMS gateway's state: accepted messages and how it misbehaves (in memory, one lock)."""
from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field

from core.notify.aliyun_sms import sign

REQUIRED = ("AccessKeyId", "Action", "Format", "SignatureMethod", "SignatureNonce", "SignatureVersion",
            "Timestamp", "Version", "PhoneNumbers", "SignName", "TemplateCode", "TemplateParam", "Signature")


@dataclass
class Settings:
    error_code: str | None = None  # answer this Code (e.g. isv.BUSINESS_LIMIT_CONTROL) instead of OK
    http_500: int = 0  # the next N requests get HTTP 500 (the service "down")
    delay: float = 0.0  # seconds before answering


@dataclass
class Gateway:
    keys: dict[str, str]
    settings: Settings = field(default_factory=Settings)
    received: list[dict] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send_sms(self, params: dict[str, str]) -> tuple[int, dict]:
        """(HTTP status, JSON answer) for one SendSms request, as Alibaba Cloud answers."""
        request_id = secrets.token_hex(8).upper()
        missing = [name for name in REQUIRED if not params.get(name)]
        if missing:
            return 400, {"Code": "MissingParameter", "Message": f"missing {missing[0]}", "RequestId": request_id}
        secret = self.keys.get(params["AccessKeyId"])
        if secret is None:
            return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "unknown key", "RequestId": request_id}
        unsigned = {k: v for k, v in params.items() if k != "Signature"}
        if sign(unsigned, secret) != params["Signature"]:
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "bad signature", "RequestId": request_id}
        if params["Action"] != "SendSms" or params["Version"] != "2017-05-25":
            return 400, {"Code": "InvalidAction", "Message": "unsupported", "RequestId": request_id}
        with self.lock:
            if params["SignatureNonce"] in self.nonces:
                return 400, {"Code": "SignatureNonceUsed", "Message": "nonce used", "RequestId": request_id}
            self.nonces.add(params["SignatureNonce"])
            if self.settings.http_500 > 0:
                self.settings.http_500 -= 1
                return 500, {"Code": "ServiceUnavailable", "Message": "down", "RequestId": request_id}
            if self.settings.error_code:
                return 200, {"Code": self.settings.error_code, "Message": "sandbox error", "RequestId": request_id}
        phone = params["PhoneNumbers"]
        if not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
            return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "bad number", "RequestId": request_id}
        try:
            values = json.loads(params["TemplateParam"])
        except ValueError:
            return 200, {"Code": "isv.INVALID_JSON_PARAM", "Message": "bad JSON", "RequestId": request_id}
        if not isinstance(values, dict) or any(len(str(v)) > 35 for v in values.values()):
            return 200, {"Code": "isv.PARAM_LENGTH_LIMIT", "Message": "parameter too long", "RequestId": request_id}
        biz_id = f"{secrets.randbelow(10**15):015d}^0"
        with self.lock:
            self.received.append({"phone": phone, "sign_name": params["SignName"],
                                  "template_code": params["TemplateCode"], "params": values,
                                  "out_id": params.get("OutId"), "biz_id": biz_id})
        return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": request_id}

    def messages(self) -> list[dict]:
        with self.lock:
            return list(self.received)

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.nonces.clear()
            self.settings = Settings()
