"""Candidates' password hashes: argon2id at OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).

Chosen over scrypt for the same protection at a quarter of the CPU (bench/password_hash.py, docs/BENCHMARKS.md):
argon2id 19 MiB/t=2 costs about 20 ms of CPU per check, scrypt at OWASP's strength (N=2^15, r=8, p=3) about
200 ms. Hashes made earlier by werkzeug (``scrypt:…``, ``pbkdf2:…``) still verify and are replaced at the next
successful login (``needs_rehash``). ``PASSWORD_ARGON2`` in the configuration sets the parameters (tests use
cheap ones). Staff passwords belong to Flask-AppBuilder and keep werkzeug's scheme.
"""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from werkzeug.security import check_password_hash


@lru_cache(maxsize=4)
def _hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def _current() -> PasswordHasher:
    params = current_app.config["PASSWORD_ARGON2"]
    return _hasher(params["memory_kib"], params["time_cost"])


def hash_secret(secret: str) -> str:
    return _current().hash(secret)


def verify(stored: str | None, secret: str | None) -> bool:
    """Whether ``secret`` matches ``stored`` (argon2id, or an older werkzeug hash)."""
    if not stored:
        return False
    if not stored.startswith("$argon2"):
        return check_password_hash(stored, secret or "")
    try:
        return _current().verify(stored, secret or "")
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """An older scheme or weaker parameters than configured: rehash after the next successful check."""
    return not stored.startswith("$argon2") or _current().check_needs_rehash(stored)
