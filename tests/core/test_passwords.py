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
    assert Config.PASSWORD_ARGON2 == {"memory_kib": 19 * 1024, "time_cost": 2}


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
