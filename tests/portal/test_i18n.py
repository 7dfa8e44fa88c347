"""The portal's second language: Chinese by default, English by the 中文 / English switch (a ``lang`` cookie)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from candidate_portal.i18n import CORE_TEXTS, translate_message
from core.models.candidate import DOC_TYPES, EMPLOYMENT, MILITARY, SEXES
from core.models.registration import PAYMENT_LABELS, STATUS_LABELS
from core.services.registration import STEPS
from tests.factories import PASSWORD, id_number, login_as, make_candidate, make_catalogue, make_registration
from tests.portal.helpers import post_page, text

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def english(client):
    """A browser that chose English with the switch (the cookie the switch sets)."""
    response = client.get("/lang/en?next=/login")
    assert "lang=en" in response.headers["Set-Cookie"]
    return client


def visible(html: str) -> str:
    """The page's text without scripts, styles and tags (what a reader sees)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_chinese_is_the_default(client):
    html = text(client.get("/login"))
    assert '<html lang="zh-CN">' in html
    assert "<h1>登录</h1>" in html and '<label for="f-username">用户名' in html
    assert "Log in" not in html


def test_unknown_language_falls_back_to_chinese(client):
    client.set_cookie("lang", "fr")
    assert "<h1>登录</h1>" in text(client.get("/login"))


def test_welcome_and_login_pages_in_english(english):
    home = text(english.get("/"))
    assert '<html lang="en">' in home
    assert "National Medical Examination Online Registration" in home and "Log in" in home
    login = text(english.get("/login"))
    assert "<h1>Log in</h1>" in login
    assert '<label for="f-username">Username' in login and '<label for="f-password">Password' in login
    assert "Forgot your password? Recover it" in login
    assert not CJK.search(visible(login).replace("中文", ""))


def test_register_page_in_english_and_a_refused_form_explains_in_english(english, app_ctx):
    page = text(english.get("/register"))
    assert "<h1>Register</h1>" in page and '<label for="f-doc_number">Document number' in page
    assert ">Resident identity card</option>" in page and 'value="id_card"' in page  # values stay
    response = post_page(english, "/register", {
        "username": "1bad", "password": PASSWORD, "password2": PASSWORD, "name": "王五",
        "doc_type": "id_card", "doc_number": id_number("19930115", "471"), "military_identity": "civilian"})
    html = text(response)
    assert response.status_code == 422
    assert "Not saved. Please correct the items marked in red:" in html
    assert "The username must be 4 to 32 characters" in html
    assert "Please choose ethnic group." in html  # a message core builds around a field label
    assert 'value="王五"' in html  # what was typed is kept


def test_registration_works_in_english(english, app_ctx):
    response = post_page(english, "/register", {
        "username": "wangwu2027", "password": PASSWORD, "password2": PASSWORD, "name": "王五",
        "doc_type": "id_card", "doc_number": id_number("19930115", "471"), "ethnic_group": "回族",
        "military_identity": "civilian"})
    assert response.status_code == 302
    assert "Your account has been created." in text(english.get(response.location))


def test_document_already_registered_offers_login_in_english(english, app_ctx):
    cand = make_candidate()
    response = post_page(english, "/register", {
        "username": "another2027", "password": PASSWORD, "password2": PASSWORD, "name": cand.name,
        "doc_type": "id_card", "doc_number": cand.doc_number, "ethnic_group": "汉族",
        "military_identity": "civilian"})
    html = text(response)
    assert "An account is already registered with this document number." in html
    assert 'class="error-box"' in html and ">Log in</a>" in html


def test_wrong_password_in_english(english, app_ctx):
    cand = make_candidate()
    html = text(post_page(english, "/login", {"username": cand.username, "password": "wrong-password"}))
    assert "Wrong username or password." in html


def test_logged_in_pages_in_english(english, app_ctx):
    cand = make_candidate()
    login_as(english, cand)
    home = text(english.get("/"))
    for words in ("Personal information", "Exam registration", "Security settings", "Log out",
                  f"Hello, {cand.name}.", "My registrations"):
        assert words in home, words
    profile = text(english.get("/profile"))
    assert "<h1>Personal information</h1>" in profile
    assert '<label for="f-mobile">Mobile number' in profile and ">Employed</option>" in profile
    security = text(english.get("/security"))
    assert "<h1>Security settings</h1>" in security and ">What is my mother&#39;s name?</option>" in security


def test_registration_list_and_wizard_in_english(english, session):
    cat = make_catalogue()
    cand = make_candidate()
    make_registration(cand, cat)
    session.commit()
    login_as(english, cand)
    html = text(english.get("/registration"))
    assert "Start a new registration" in html and "Registration status" in html
    assert re.search(r'class="reg-status">(Submitted|Approved|In progress)<', html)
    subjects = text(english.get("/registration/subjects"))
    assert "Choose an exam subject" in subjects and ">Filter</button>" in subjects


def test_switch_returns_to_the_page_and_refuses_other_sites(client):
    assert client.get("/lang/en?next=/register?x=1").location.endswith("/register?x=1")
    for target in ("//evil.example/", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
                   "evil.example", "/\r\nSet-Cookie:x=1"):
        location = client.get("/lang/en", query_string={"next": target}).location
        assert location.endswith("/") and "evil" not in location and "Set-Cookie" not in location, target
    assert "Set-Cookie" not in client.get("/lang/xx?next=/login").headers


def test_switch_links_come_back_to_the_same_page(client):
    html = text(client.get("/register"))
    assert 'href="/lang/en?next=/register"' in html and 'href="/lang/zh?next=/register"' in html


def test_every_catalogue_entry_is_translated():
    catalogue = read_po(PO.open("rb"))
    entries = [m for m in catalogue if m.id]
    assert len(entries) > 300
    untranslated = [m.id for m in entries if not m.string or m.fuzzy]
    assert untranslated == []
    assert (PO.with_suffix(".mo")).stat().st_mtime >= PO.stat().st_mtime - 1  # compiled after the last edit


def test_core_texts_listed_for_translation_still_exist_in_core():
    """A wording changed in core would silently lose its English: each listed text must still be there."""
    strings = {node.value for path in (ROOT / "core").rglob("*.py")
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    missing = [t for t in CORE_TEXTS if t not in strings]
    assert missing == []


def test_core_labels_have_english(app):
    labels = [*DOC_TYPES.values(), *SEXES.values(), *MILITARY.values(), *EMPLOYMENT,
              *STATUS_LABELS.values(), *PAYMENT_LABELS.values(), *[label for _, label in STEPS]]
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        english = {label: translate_message(label) for label in labels}
        step = translate_message("请完成“基本情况”一步。")
        field = translate_message("请选择证件类型。")
    assert [label for label, en in english.items() if CJK.search(en)] == []
    assert (step, field) == ("Please complete the “Basic information” step.", "Please choose the document type.")
    with app.test_request_context("/"):
        assert translate_message("用户名或密码错误。") == "用户名或密码错误。"
        assert translate_message("") == "" and translate_message(None) is None
