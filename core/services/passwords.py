"""Candidates' password hashes: argon2id at OWASP's recommended strength, its 7 MiB / 5 passes / 1 lane set.

OWASP lists five argon2id sets of equal strength (46 MiB × 1 pass … 7 MiB × 5 passes) and scrypt ones; the
issue asked for whichever costs the least CPU for the same protection (bench/password_hash.py,
docs/BENCHMARKS.md): 7 MiB × 5 costs about 15 ms of CPU per check, 19 MiB × 2 (used until 2026-12-05) 17–19 ms,
scrypt at OWASP's strength (N=2^15, r=8, p=3) about 250 ms; it also holds a third of the memory per login in
progress (20 logins at once: 140 MiB, not 380). Hashes made earlier (werkzeug's ``scrypt:…``, ``pbkdf2:…``, or
argon2id at other parameters) still verify and are replaced at the next successful login (``needs_rehash``).
``PASSWORD_ARGON2`` in the configuration sets the parameters (tests use cheap ones). Staff passwords belong to
Flask-AppBuilder and keep werkzeug's scheme.
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
