"""A message after an action is shown once, above the page (portal/base.html), on every portal page."""
from __future__ import annotations

from pathlib import Path

from core.db import db
from core.models import Registration
from tests.factories import (dictionaries, login_as, make_candidate, make_catalogue, make_registration,
                             ready_candidate, ready_draft)
from tests.support.web import post_page, text

TEMPLATES = Path(__file__).parents[2] / "candidate_portal" / "templates" / "portal"


def test_only_the_base_template_shows_messages():
    showing = sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
                     if "get_flashed_messages" in p.read_text(encoding="utf-8"))
    assert showing == ["base.html"]


def test_abandon_says_so_once_on_the_registration_list(session, client):
    reg = make_registration()
    session.commit()
    login_as(client, reg.candidate)
    page = post_page(client, f"/registration/{reg.id}/abandon", {}, page="/registration", follow_redirects=True)
    assert text(page).count("已放弃报考") == 1 and text(page).count('class="flash flash-success"') == 1


def test_a_refused_start_says_so_once_on_the_subject_page(session, client):
    cat = make_catalogue(window_open=False)
    cand = make_candidate()
    session.commit()
    login_as(client, cand)
    page = post_page(client, "/registration/start", {"subject_id": cat["subject"].id},
                     page="/registration/subjects", follow_redirects=True)
    html = text(page)
    assert html.count('class="flash flash-error"') == 1 and "网上报名尚未开始" in html


def test_plus_says_so_once_in_the_wizard(session, client):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    dictionaries()
    session.commit()
    login_as(client, cand)
    url = f"/registration/{reg.id}/step/certificates"
    page = post_page(client, url, {"action": "add_certificate", "new_certificate-certificate_type_id":
                                   str(dictionaries()["执业助理医师"].id), "new_certificate-issue_ym": "2019-12",
                                   "new_certificate-cert_number": "C1", "new_certificate-select": "1"},
                     follow_redirects=True)
    assert text(page).count("已保存到个人信息，并可在此选择。") == 1
    assert session.scalar(db.select(Registration)).draft_data["certificate_ids"]
