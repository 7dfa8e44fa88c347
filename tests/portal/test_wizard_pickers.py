"""The wizard uses the profile's dictionary pickers (毕业学校 by pinyin, the 工作单位选择 page), its “+” add
forms work without JavaScript, and the red frame while typing checks what the server checks."""
from __future__ import annotations

import re

import pytest

from candidate_portal.field_checks import FORMATS
from core import validators as v
from core.db import db
from core.models import Education
from core.services.errors import DomainError
from tests.factories import (login_as, make_candidate, make_catalogue, make_dictionaries, ready_candidate,
                             ready_draft)
from tests.support.web import csrf_token_from, text


@pytest.fixture
def wizard(session, client):
    dicts = make_dictionaries()
    cat = make_catalogue()
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    session.commit()
    login_as(client, cand)
    return {"dicts": dicts, "cand": cand, "reg": reg}


def _step(reg, step):
    return f"/registration/{reg.id}/step/{step}"


def test_plus_form_is_there_without_javascript_and_records_the_dictionary_school(wizard, client, session):
    reg, school = wizard["reg"], wizard["dicts"]["schools"]["北京大学"]
    html = text(client.get(_step(reg, "entries")))
    form = re.search(r'<details class="add-form" id="add-education"[^>]*>(.*?)</details>', html, re.S)
    assert form, "the add form is a <details> a browser without JavaScript opens"
    assert not re.search(r'id="add-education"[^>]*hidden', html)
    assert re.search(r'<button type="button" class="plus" data-target="add-education"[^>]*hidden', html)  # JS only
    add = form.group(1)
    assert "<summary>" in add and 'value="add_education"' in add and 'type="submit"' in add
    assert 'role="combobox"' in add and 'data-school-search' in add and 'name="new_education-school_id"' in add
    assert re.search(r"profile\.[0-9a-f]{10}\.js", html) and 'id="field-checks"' in html

    # a plain POST, as the form sends it once a school was chosen from the list
    chosen = client.post(_step(reg, "entries"), data={
        "csrf_token": csrf_token_from(html), "action": "add_education",
        "new_education-school_name": "北京大学", "new_education-school_id": str(school.id),
        "new_education-level": "硕士研究生", "new_education-study_mode": "全日制", "new_education-major": "内科学",
        "new_education-start_ym": "2015-09", "new_education-end_ym": "2018-07",
        "new_education-select": "1"})
    assert chosen.status_code == 302
    edu = session.scalar(db.select(Education).filter_by(major="内科学"))
    assert edu.school_id == school.id and not edu.school_manual

    # typed by hand: no id, flagged for the reviewer, as on 个人信息
    typed = client.post(_step(reg, "entries"), data={
        "csrf_token": csrf_token_from(html), "action": "add_education",
        "new_education-school_name": "某某医学院", "new_education-school_id": str(school.id),
        "new_education-level": "本科", "new_education-study_mode": "全日制", "new_education-major": "护理学",
        "new_education-start_ym": "2005-09"})
    assert typed.status_code == 302
    edu = session.scalar(db.select(Education).filter_by(major="护理学"))
    assert edu.school_id is None and edu.school_manual


def test_refused_plus_form_opens_again_with_the_school_kept(wizard, client):
    reg, school = wizard["reg"], wizard["dicts"]["schools"]["北京大学"]
    html = text(client.get(_step(reg, "entries")))
    refused = client.post(_step(reg, "entries"), data={
        "csrf_token": csrf_token_from(html), "action": "add_education",
        "new_education-school_name": "北京大学", "new_education-school_id": str(school.id),
        "new_education-level": "本科", "new_education-study_mode": "全日制", "new_education-major": "临床医学",
        "new_education-start_ym": "2015-13"})
    page = text(refused)
    assert refused.status_code == 422
    assert re.search(r'<details class="add-form" id="add-education" open', page)
    assert f'name="new_education-school_id" id="new_education-school_id" value="{school.id}"' in page
    assert re.search(r'class="valid-choice"', page)


def test_work_unit_picker_page_chooses_a_dictionary_unit(wizard, client, session):
    reg, cand, unit = wizard["reg"], wizard["cand"], wizard["dicts"]["units"][0]
    html = text(client.get(_step(reg, "work")))
    picker_url = f"/registration/{reg.id}/work-unit-picker"
    assert f'formaction="{picker_url}"' in html and "打开工作单位选择页" in html
    step = {"csrf_token": csrf_token_from(html), "employment_status": "在岗", "work_unit_name": "手写医院",
            "work_unit_id": "", "title": "主治医师", "title_date": "2021-07", "practice_start": "2020-07",
            "action": "pick_work_unit"}
    opened = text(client.post(picker_url, data=step))
    assert "工作单位选择" in opened and '<label for="f-picker_q">' in opened
    found = text(client.post(picker_url, data={**step, "picker_q": "bjxh"}))
    assert unit.name in found and 'value="主治医师"' in found  # what was typed rides along
    choose = re.search(rf'<form method="post" action="{_step(reg, "work")}"[^>]*>(.*?)</form>', found, re.S).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', choose))
    assert fields["work_unit_id"] == str(unit.id) and fields["work_unit_name"] == unit.name
    back = client.post(_step(reg, "work"), data={**fields, "action": "stay"})
    assert back.status_code == 302 and back.headers["Location"].endswith(_step(reg, "work"))
    session.expire_all()
    assert (cand.work_unit_id, cand.work_unit_name, cand.work_unit_manual) == (unit.id, unit.name, False)
    assert cand.title == "主治医师"
    assert f'value="{unit.name}"' in text(client.get(_step(reg, "work")))


def test_work_unit_picker_of_another_candidates_registration_is_404(wizard, client, session):
    other = make_candidate()
    session.commit()
    login_as(client, other)
    html = text(client.get("/profile"))
    response = client.post(f"/registration/{wizard['reg'].id}/work-unit-picker",
                           data={"csrf_token": csrf_token_from(html), "picker_q": "bjxh"})
    assert response.status_code == 404


GOOD = {"mobile": ["13912345678", "139 1234 5678"], "postcode": ["100005"],
        "email": ["a.b@example.com"], "start_ym": ["2008-03", "1999-12"], "permit_number": ["H12345678", "12345678"]}
BAD = {"mobile": ["1391234567", "23912345678", "12345678901"], "postcode": ["10000", "1000a5"],
       "email": ["a@b", "name.example.com"], "start_ym": ["2008-3", "2008/03", "2008-13", "2008-00"],
       "permit_number": ["X12345678", "1234567"]}
SERVER = {"mobile": v.check_mobile, "postcode": v.check_postcode, "email": v.check_email,
          "start_ym": lambda value: v.check_ym(value, "start_ym"),
          "permit_number": v.check_travel_permit}


def _client_rule(name):
    return next((re.compile(p), ignore, message) for p, message, names, ignore in FORMATS if name in names)


@pytest.mark.parametrize("name", sorted(SERVER))
def test_the_page_checks_the_formats_the_server_checks(name):
    pattern, ignore, message = _client_rule(name)
    for value in GOOD[name]:
        SERVER[name](value)
        assert pattern.search(re.sub(ignore, "", value) if ignore else value), value
    for value in BAD[name]:
        with pytest.raises(DomainError) as refused:
            SERVER[name](value)
        assert str(refused.value.message) == message  # the frame says what 提交 would say
        assert not pattern.search(re.sub(ignore, "", value) if ignore else value), value



@pytest.mark.parametrize("lang, required, mobile", [
    ("zh", "请填写%(label)s。", "手机号码应为以1开头的11位数字。"),
    ("en", "Please enter %(label)s.", "The mobile number must be 11 digits starting with 1.")])
def test_the_red_frames_checks_are_in_the_pages_language(wizard, client, lang, required, mobile):
    """The formats and messages profile.js reads (made once per language) are the page's language's."""
    import json
    client.set_cookie("lang", lang)  # before the first page: the test's app context keeps the first locale

    def checks():
        html = text(client.get(_step(wizard["reg"], "work")))
        return json.loads(re.search(r'id="field-checks">(.*?)</script>', html, re.S).group(1))

    first = checks()
    assert first["required"] == required and first["formats"][0]["message"] == mobile
    assert [f["pattern"] for f in first["formats"]] == [pattern for pattern, *_ in FORMATS]
    assert checks() == first
