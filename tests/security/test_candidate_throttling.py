"""Issue 14, findings 7 and 14: registration answers are throttled; a stranger cannot lock a candidate out.

7. 注册 answered "该证件号码已经注册过账户" / "该用户名已被使用" 32 times in a row without any limit.
14. Five wrong passwords from anyone locked a candidate's account (also against the right password).
"""
from __future__ import annotations

import pytest

from core.db import db
from core.services import accounts
from tests.factories import PASSWORD, make_candidate
from tests.support.web import csrf_token_from


def _register_form(cand) -> dict:
    return {"username": f"new{cand.id}x", "doc_type": cand.doc_type, "doc_number": cand.doc_number,
            "password": "Aa#2027-abcdef", "password2": "Aa#2027-abcdef", "name": cand.name,
            "ethnic_group": "汉族", "military_identity": "civilian", "agree_notice": "yes", "agree_sensitive": "yes"}


def test_registration_probing_a_document_number_is_throttled(app_ctx, client, limits_on):
    cand = make_candidate()
    db.session.commit()
    answers = []
    for _ in range(12):
        page = client.get("/register").get_data(as_text=True)
        resp = client.post("/register", data={**_register_form(cand), "csrf_token": csrf_token_from(page)})
        answers.append(resp.get_data(as_text=True))
    said_taken = sum("已经注册过账户" in a for a in answers)
    assert said_taken == accounts.REGISTER_PER_DOCUMENT.count
    assert "尝试次数过多" in answers[-1]


def test_registration_per_address_limit(app_ctx, app, limits_on, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRATION_RATE_LIMIT", "3 per hour")
    cands = [make_candidate() for _ in range(4)]
    db.session.commit()
    outcomes = []
    for cand in cands:  # four different document numbers from one address
        try:
            accounts.register(_register_form(cand), "10.1.1.1")
        except Exception as exc:  # noqa: BLE001 (DomainError's message is what matters)
            outcomes.append(getattr(exc, "message", str(exc)))
    assert [("已经注册" in str(o)) for o in outcomes[:3]] == [True] * 3
    assert "尝试次数过多" in str(outcomes[3])


def test_a_stranger_cannot_lock_a_candidate_out(app_ctx, client, limits_on):
    cand = make_candidate()
    db.session.commit()
    for n in range(30):  # a stranger, from several addresses, many wrong passwords
        with pytest.raises(Exception):
            accounts.authenticate(cand.username, "Wrong#password1", f"10.66.0.{n % 3}")
    page = client.get("/login").get_data(as_text=True)  # the candidate, from her own address
    resp = client.post("/login", data={"username": cand.username, "password": PASSWORD,
                                       "csrf_token": csrf_token_from(page)})
    assert resp.status_code == 302 and "/login" not in resp.headers["Location"]
