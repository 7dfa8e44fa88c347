"""Alibaba Cloud SMS ``SendSms`` (API version 2017-05-25): an RPC-style request signed with the AccessKey.

The signature (Alibaba Cloud's "signature mechanism" for RPC APIs, SignatureVersion 1.0):
parameters (common + operation, without Signature) sorted by name, each name and value percent-encoded as
RFC 3986 (space %20, ``*`` %2A, ``~`` kept), joined ``k=v&...``; StringToSign = ``GET&%2F&`` + the
percent-encoded joined string; Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)).
The answer is JSON: ``Code`` "OK" with a ``BizId``, or an error code (``isv.MOBILE_NUMBER_ILLEGAL`` ...).
The sandbox SMS gateway (sandbox_sms/) checks the same signature with ``sign``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from urllib.parse import quote

from core.notify.errors import Refused, Retry

# error codes meaning "this number or template will never work as it is"; anything else is retried
PERMANENT = {"isv.MOBILE_NUMBER_ILLEGAL", "isv.INVALID_PARAMETERS", "isv.SMS_TEMPLATE_ILLEGAL",
             "isv.SMS_SIGNATURE_ILLEGAL", "isv.TEMPLATE_MISSING_PARAMETERS", "isv.PARAM_LENGTH_LIMIT",
             "isv.BLACK_KEY_CONTROL_LIMIT", "isv.MOBILE_COUNT_OVER_LIMIT", "isv.INVALID_JSON_PARAM"}


def percent_encode(value: str) -> str:
    return quote(str(value), safe="-_.~")


def sign(params: dict[str, str], secret: str, method: str = "GET") -> str:
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def request_params(*, access_key_id: str, phone: str, sign_name: str, template_code: str, params: dict,
                   out_id: str | None = None) -> dict[str, str]:
    values = {
        "AccessKeyId": access_key_id, "Action": "SendSms", "Format": "JSON", "RegionId": "cn-hangzhou",
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": uuid.uuid4().hex, "SignatureVersion": "1.0",
        "Timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        "PhoneNumbers": phone, "SignName": sign_name, "TemplateCode": template_code,
        "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
    }
    if out_id:
        values["OutId"] = out_id
    return values


def send_sms(*, endpoint: str, access_key_id: str, access_key_secret: str, phone: str, sign_name: str,
             template_code: str, params: dict, out_id: str | None = None, timeout: float = 10.0) -> str:
    """Send one SMS; the provider's BizId, or Retry / Refused."""
    if not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
        raise Refused("手机号码无效")
    values = request_params(access_key_id=access_key_id, phone=phone, sign_name=sign_name,
                            template_code=template_code, params=params, out_id=out_id)
    values["Signature"] = sign(values, access_key_secret)
    query = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in values.items())
    url = f"{endpoint.rstrip('/')}/?{query}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (configured https URL)
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        answer = _json_or_none(exc)
        if answer is None:
            raise Retry(f"短信服务返回 HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise Retry(f"短信服务无法连接（{type(exc).__name__}）") from None
    code = answer.get("Code")
    if code == "OK":
        return str(answer.get("BizId") or "")
    message = f"短信服务拒绝：{code}"
    raise (Refused if code in PERMANENT else Retry)(message)


def _json_or_none(exc: urllib.error.HTTPError) -> dict | None:
    try:
        return json.loads(exc.read().decode("utf-8"))
    except (ValueError, OSError):
        return None
