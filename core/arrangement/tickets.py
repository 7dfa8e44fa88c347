"""The 准考证's QR payload: admission number, registration number and expiry, signed with Ed25519.

    ZK1|2027110001003017|202711000000123|1882310400|<signature, base64url>

Anyone with the public key (``public_key_pem``) verifies it offline; the private key never leaves the
platform (``TICKET_SIGNING_KEY_PATH``; unset: derived from ADMIN_SECRET_KEY, which production requires to be strong).
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

PREFIX = "ZK1"
FORGED = "二维码签名无效：准考证可能被伪造或篡改。"
EXPIRED = "二维码已过有效期。"
MALFORMED = "无法识别的准考证号或二维码内容。"


@dataclass(frozen=True)
class Verified:
    admission_number: str
    registration_number: str
    expires_at: datetime  # UTC, naive


def private_key() -> Ed25519PrivateKey:
    path = current_app.config["TICKET_SIGNING_KEY_PATH"]
    if path:
        return serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    # both apps carry ADMIN_SECRET_KEY (the back office's SECRET_KEY is it), so both derive the same key
    seed = hashlib.sha256(("ticket-signing:" + current_app.config["ADMIN_SECRET_KEY"]).encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_pem() -> str:
    return private_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(admission_number: str, registration_number: str, expires_at: datetime) -> str:
    expiry = int(expires_at.replace(tzinfo=timezone.utc).timestamp())
    body = f"{PREFIX}|{admission_number}|{registration_number}|{expiry}"
    return body + "|" + _b64(private_key().sign(body.encode()))


class PayloadError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def verify(payload: str, now: datetime, key: Ed25519PublicKey | None = None) -> Verified:
    """The payload's fields if its signature is ours and it has not expired, else ``PayloadError``."""
    parts = (payload or "").strip().split("|")
    if len(parts) != 5 or parts[0] != PREFIX or not (parts[3].isdecimal() and len(parts[3]) <= 12):
        raise PayloadError(MALFORMED)
    body = "|".join(parts[:4])
    try:
        signature = base64.urlsafe_b64decode(parts[4] + "=" * (-len(parts[4]) % 4))
        (key or private_key().public_key()).verify(signature, body.encode())
    except (InvalidSignature, ValueError):
        raise PayloadError(FORGED) from None
    expires = datetime.fromtimestamp(int(parts[3]), timezone.utc).replace(tzinfo=None)
    if now > expires:
        raise PayloadError(EXPIRED)
    return Verified(parts[1], parts[2], expires)
