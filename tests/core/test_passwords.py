"""Candidates' password hashes: argon2id, older werkzeug hashes verified and upgraded at the next login."""
from __future__ import annotations

import pytest
from flask import current_app
from werkzeug.security import generate_password_hash

from core.db import db
from core.services import accounts, passwords
from core.services.errors import DomainError
from tests.factories import PASSWORD, make_candidate


def test_new_hashes_are_argon2id_with_the_configured_parameters(app_ctx):
    stored = passwords.hash_secret(PASSWORD)
    params = current_app.config["PASSWORD_ARGON2"]
    assert stored.startswith("$argon2id$") and f"m={params['memory_kib']},t={params['time_cost']},p=1" in stored
    assert passwords.verify(stored, PASSWORD)
    assert not passwords.verify(stored, PASSWORD + "x")
    assert not passwords.verify(stored, None) and not passwords.verify(None, PASSWORD)
    assert not passwords.verify("$argon2id$garbage", PASSWORD)  # a damaged hash refuses, never raises


def test_production_parameters_are_owasps():
    from config import Config
    assert Config.PASSWORD_ARGON2 == {"memory_kib": 7 * 1024, "time_cost": 5}  # m=7 MiB, t=5, p=1


def test_a_werkzeug_scrypt_hash_still_logs_in_and_is_upgraded_once(session):
    old = generate_password_hash(PASSWORD, method="scrypt")
    cand = make_candidate(password_hash=old)
    db.session.commit()
    assert passwords.needs_rehash(old)
    accounts.authenticate(cand.username, PASSWORD, "192.0.2.1")
    upgraded = cand.password_hash
    assert upgraded.startswith("$argon2id$") and passwords.verify(upgraded, PASSWORD)
    accounts.authenticate(cand.username, PASSWORD, "192.0.2.1")
    assert cand.password_hash == upgraded  # already current: not rehashed again


def test_a_failed_login_does_not_touch_the_old_hash(session):
    old = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    cand = make_candidate(password_hash=old)
    db.session.commit()
    with pytest.raises(DomainError):
        accounts.authenticate(cand.username, "wrong-Password1", "192.0.2.1")
    db.session.refresh(cand)
    assert cand.password_hash == old


def test_weaker_argon2_parameters_are_upgraded(app_ctx):
    from argon2 import PasswordHasher
    weak = PasswordHasher(time_cost=1, memory_cost=32, parallelism=1).hash(PASSWORD)
    assert passwords.needs_rehash(weak)
    assert not passwords.needs_rehash(passwords.hash_secret(PASSWORD))


def test_a_hash_of_the_earlier_19_mib_set_logs_in_and_moves_to_the_current_set(session, monkeypatch):
    """The switch of 2026-12-05 (19 MiB × 2 → 7 MiB × 5, equal strength): nobody has to reset a password."""
    from argon2 import PasswordHasher
    from config import Config
    monkeypatch.setitem(current_app.config, "PASSWORD_ARGON2", Config.PASSWORD_ARGON2)
    earlier = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1).hash(PASSWORD)
    cand = make_candidate(password_hash=earlier)
    db.session.commit()
    assert passwords.verify(earlier, PASSWORD) and passwords.needs_rehash(earlier)
    accounts.authenticate(cand.username, PASSWORD, "192.0.2.1")
    db.session.commit()  # as the login's session opening does
    db.session.refresh(cand)
    assert cand.password_hash.startswith("$argon2id$v=19$m=7168,t=5,p=1$")
    assert passwords.verify(cand.password_hash, PASSWORD) and not passwords.needs_rehash(cand.password_hash)
