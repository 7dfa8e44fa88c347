"""RSA2 signatures as the Alipay open platform defines them (SHA256withRSA, PKCS#1 v1.5, base64).

Parameters are signed as ``k1=v1&k2=v2...``: keys sorted, values raw (not URL-encoded), empty values,
``sign`` and (for notifications) ``sign_type`` left out. Both the platform and the sandbox bank use this
module; tests check it against python-alipay-sdk, an independent implementation of the same protocol.
"""
from __future__ import annotations

import base64
import binascii
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def signing_string(params: dict, exclude: tuple[str, ...] = ("sign",)) -> str:
    return "&".join(f"{k}={params[k]}" for k in sorted(params)
                    if k not in exclude and params[k] not in (None, ""))


def sign_text(text: str, private_key_pem: bytes) -> str:
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def verify_text(text: str, signature: str, public_key_pem: bytes) -> bool:
    try:
        key = serialization.load_pem_public_key(public_key_pem)
        key.verify(base64.b64decode(signature, validate=True), text.encode(), padding.PKCS1v15(),
                   hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False
    return True


def sign(params: dict, private_key_pem: bytes) -> str:
    return sign_text(signing_string(params), private_key_pem)


def verify(params: dict, public_key_pem: bytes, exclude: tuple[str, ...] = ("sign", "sign_type")) -> bool:
    signature = params.get("sign")
    return bool(signature) and verify_text(signing_string(params, exclude), signature, public_key_pem)


def generate_key_pair(private_path: Path, public_path: Path) -> None:
    """Write a new 2048-bit key pair (development and tests only; private key readable by us alone)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = private_path.with_suffix(".tmp")
    tmp.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    tmp.chmod(0o600)
    public_path.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    tmp.replace(private_path)  # the private key appears last and whole: its presence means both exist
