"""The portal's second language: Chinese by default, English by the 中文 / English switch (a ``lang`` cookie)."""
from __future__ import annotations

import ast
import copy
import io
import pickle
import re
from datetime import timedelta
from pathlib import Path

import flask_babel
import pytest
from babel.messages.pofile import read_po

from candidate_portal.i18n import CORE_TEXTS, translate_message
from core.db import to_shanghai, utcnow
from core.messages import Msg
from core.models import Site, Training
from core.models.candidate import DOC_TYPES, EMPLOYMENT, MILITARY, SEXES
from core.models.registration import PAYMENT_LABELS
from core.registration.draft import STEPS
from core.registration.states import STATUS_LABELS
from tests.factories import (PASSWORD, dictionaries, id_number, jpeg, login_as, make_candidate, make_catalogue,
                             make_registration, ready_candidate, ready_draft)
from tests.support.web import post_page, text

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
        "military_identity": "civilian", "agree_notice": "yes", "agree_sensitive": "yes"})
    assert response.status_code == 302
    assert "Your account has been created." in text(english.get(response.location))


def test_document_already_registered_offers_login_in_english(english, app_ctx):
    cand = make_candidate()
    response = post_page(english, "/register", {
        "username": "another2027", "password": PASSWORD, "password2": PASSWORD, "name": cand.name,
        "doc_type": "id_card", "doc_number": cand.doc_number, "ethnic_group": "汉族",
        "military_identity": "civilian", "agree_notice": "yes", "agree_sensitive": "yes"})
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
        step = translate_message(Msg("请完成“%(label)s”一步。", label="基本情况"))
        field = translate_message("请选择证件类型。")
    assert [label for label, en in english.items() if CJK.search(en)] == []
    assert (step, field) == ("Please complete the “Basic information” step.", "Please choose the document type.")
    with app.test_request_context("/"):
        assert translate_message("用户名或密码错误。") == "用户名或密码错误。"
        assert translate_message("") == "" and translate_message(None) is None


# --- messages core builds around names and numbers (core.messages.Msg) ---------------------------

def msg_templates() -> dict[str, str]:
    """Every ``Msg("...")`` template written in core, with where it is."""
    found = {}
    for path in (ROOT / "core").rglob("*.py"):
        if path == ROOT / "core" / "messages.py":  # defines Msg, and rebuilds stored ones (load)
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Msg":
                assert isinstance(node.args[0], ast.Constant), f"{path}:{node.lineno}: Msg needs a literal template"
                found[node.args[0].value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_msg_template_in_core_has_english():
    """A new Msg in core without its English (or with other placeholders) fails here, not on a page."""
    templates = msg_templates()
    assert len(templates) > 20
    catalogue = read_po(PO.open("rb"))
    placeholders = re.compile(r"%\((\w+)\)s")
    problems = []
    for template, where in templates.items():
        entry = catalogue.get(template)
        if entry is None or not entry.string or entry.fuzzy:
            problems.append(f"{where}: no English")
        elif set(placeholders.findall(entry.string)) != set(placeholders.findall(template)):
            problems.append(f"{where}: placeholders differ")
    assert problems == []


def test_msg_is_the_chinese_sentence_and_keeps_its_parts(app):
    msg = Msg("考点“%(site)s”已报满，请选择其他考点。", site="东城区考点")
    assert msg == "考点“东城区考点”已报满，请选择其他考点。" and isinstance(msg, str)
    assert (msg.template, msg.params) == ("考点“%(site)s”已报满，请选择其他考点。", {"site": "东城区考点"})
    for again in (copy.copy(msg), pickle.loads(pickle.dumps(msg))):
        assert again == msg and again.params == msg.params
    listed = Msg("专业“%(major)s”（%(group)s）的学历只能报考%(allowed)s类别，不能报考%(category)s类别："
                 "请改选相应的报考类别，或勾选与报考类别对应专业的教育经历。", major="口腔医学", group="口腔医学类",
                 allowed=["口腔", "中医"], category="临床")
    assert listed.startswith("专业“口腔医学”（口腔医学类）的学历只能报考口腔、中医类别，不能报考临床类别")
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert translate_message(msg) == "The test site “东城区考点” is full. Please choose another test site."
        assert translate_message(listed).startswith(  # labels translated, lower-case inside the sentence
            "A diploma in “口腔医学” (stomatology majors) qualifies only for the dentistry, traditional Chinese "
            "medicine category, not for clinical")
        assert translate_message(Msg("未知的%(x)s。", x="模板")) == "未知的模板。"  # not in the catalogue
    with app.test_request_context("/"):
        assert translate_message(listed) == listed


def switch(client, lang: str) -> None:
    """The language switch, mid-test: the test's app context would keep the locale Flask-Babel cached."""
    client.get(f"/lang/{lang}")
    flask_babel.refresh()


def _chinese(client, url):
    switch(client, "zh")
    html = text(client.get(url))
    switch(client, "en")
    return html


def test_site_full_in_english_and_in_chinese(english, session):
    cat = make_catalogue()
    cand = ready_candidate()
    full = Site(region_id=cat["region"].id, code="SFULL", name="已满考点", capacity=1, taken=1)
    session.add(full)
    reg = ready_draft(cand, cat)
    session.commit()
    login_as(english, cand)
    url = f"/registration/{reg.id}/step/site"
    data = {"region_id": cat["region"].id, "site_id": full.id, "action": "next"}
    refused = post_page(english, url, data)
    assert refused.status_code == 422
    assert "The test site “已满考点” is full. Please choose another test site." in text(refused)
    switch(english, "zh")
    assert "考点“已满考点”已报满，请选择其他考点。" in text(post_page(english, url, data))


def test_window_closed_in_english_on_the_list_and_when_starting(english, session):
    cat = make_catalogue()
    year = cat["year"]
    year.window_opens_at, year.window_closes_at = utcnow() - timedelta(days=20), utcnow() - timedelta(days=2)
    cand = make_candidate()
    session.commit()
    login_as(english, cand)
    closes = to_shanghai(year.window_closes_at)
    sentence = f"Online registration for 2027年医师资格考试 closed on {closes:%Y-%m-%d %H:%M} (Beijing time)."
    html = text(english.get("/registration/subjects"))
    assert sentence in html
    opens = to_shanghai(year.window_opens_at)
    assert f"{opens:%Y-%m-%d %H:%M} to {closes:%Y-%m-%d %H:%M}" in html
    started = post_page(english, "/registration/start", {"subject_id": cat["subject"].id},
                        page="/registration/subjects", follow_redirects=True)
    assert sentence in text(started)  # flashed across the redirect
    chinese = _chinese(english, "/registration/subjects")
    assert f"2027年医师资格考试网上报名已于{closes:%Y年%m月%d日 %H:%M}（北京时间）结束。" in chinese
    assert f"{opens:%Y年%m月%d日 %H:%M} 至 {closes:%Y年%m月%d日 %H:%M}" in chinese


def test_already_registered_in_english(english, session):
    cat = make_catalogue()
    cand = make_candidate()
    make_registration(cand, cat)
    session.commit()
    login_as(english, cand)
    response = post_page(english, "/registration/start", {"subject_id": cat["assistant_subject"].id},
                         page="/registration/subjects", follow_redirects=True)
    assert ("You have already registered for 2027年医师资格考试 (临床执业医师), and a registration cannot be "
            "changed. To register for another subject, first “Abandon” this one") in text(response)


def test_too_long_name_in_english_and_in_chinese(english, app_ctx):
    data = {"username": "wangwu2027", "password": PASSWORD, "password2": PASSWORD, "name": "王" * 29,
            "doc_type": "id_card", "doc_number": id_number("19930115", "471"), "ethnic_group": "汉族",
            "military_identity": "civilian"}
    refused = post_page(english, "/register", data)
    assert refused.status_code == 422 and "The name can have at most 28 characters." in text(refused)
    switch(english, "zh")
    assert "姓名最多28个字符。" in text(post_page(english, "/register", data))


def test_photo_too_large_in_english_and_in_chinese(english, session):
    cand = make_candidate()
    session.commit()
    login_as(english, cand)
    data = jpeg(400, 500, quality=100) + b"\0" * 40000
    size = -(-len(data) // 1024)

    def upload():
        return post_page(english, "/profile/photo", {"photo": (io.BytesIO(data), "photo.jpg")}, page="/profile",
                         content_type="multipart/form-data")
    refused = upload()
    assert refused.status_code == 422
    assert f"The photo file cannot be larger than 40 KB (this one is about {size} KB)." in text(refused)
    switch(english, "zh")
    assert f"照片文件不能大于40KB（当前约{size}KB）。" in text(upload())


def test_eligibility_findings_in_english_and_in_chinese(english, session):
    cat = make_catalogue()
    cand = ready_candidate(practice_start="2027-01", military_identity="active")
    other = Training(candidate_id=cand.id, training_type_id=dictionaries()["进修"].id, institution="某医院",
                     start_ym="2016-09")
    session.add(other)
    session.flush()
    reg = ready_draft(cand, cat)
    reg.draft_data = {**reg.draft_data, "training_ids": [other.id]}
    session.commit()
    login_as(english, cand)
    url = f"/registration/{reg.id}/step/entries"
    html = text(english.get(url))
    for sentence in (
            "Applying for licensed physician requires 1 year(s) of probation (practice) by 2027-08-31:",
            "please untick “某医院 进修”.",
            "As active military, you will also sit the military medicine unit in this registration."):
        assert sentence in html, sentence
    chinese = _chinese(english, url)
    assert "报考执业医师需在2027年8月31日前试用期（执业）满1年" in chinese
    assert "请取消勾选“某医院 进修”。" in chinese and "本次报名将加考军事医学。" in chinese


def test_recovery_refusal_with_the_authority_hint_in_english(english, session):
    cand = make_candidate(verified=False)  # no recovery question set, no verified contact
    session.commit()
    refused = post_page(english, "/forgot-password", {"step": "1", "username": cand.username,
                                                      "doc_number": cand.doc_number})
    assert refused.status_code == 422
    assert ("This account has neither a security question nor a verified mobile number or e-mail address. "
            "If you have forgotten both your password and your recovery answer") in text(refused)
