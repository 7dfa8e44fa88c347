"""注册 page: labels, a good registration, each kind of bad input, nothing typed lost, duplicates."""
import re

import pytest

from core.db import db
from core.models import Candidate
from tests.factories import PASSWORD, id_number, make_candidate
from tests.support.web import post_page, text

FIELDS = ["username", "password", "password2", "name", "doc_type", "doc_number", "sex", "birth_date",
          "nationality", "ethnic_group", "permit_number", "military_identity"]


def good(**kw):
    data = dict(username="wangwu2027", password=PASSWORD, password2=PASSWORD, name="王五",
                doc_type="id_card", doc_number=id_number("19930115", "471"), ethnic_group="回族",
                military_identity="civilian", agree_notice="yes",
                agree_sensitive="yes")
    data.update(kw)
    return data


def test_every_field_has_a_real_label(client):
    html = text(client.get("/register"))
    for name in FIELDS:
        assert f'<label for="f-{name}">' in html, name
        assert f'id="f-{name}"' in html, name


def test_the_birth_date_is_typed_like_every_other_date(client):
    """Issue 15: no browser date picker (mm/dd/yyyy in an English browser); YYYY-MM-DD typed, with a hint."""
    html = text(client.get("/register"))
    field = re.search(r'<input id="f-birth_date"[^>]*>', html).group(0)
    assert 'type="text"' in field and 'placeholder="YYYY-MM-DD"' in field
    assert 'type="date"' not in html and "YYYY-MM-DD" in html


def test_good_registration_goes_to_login(client, app_ctx):
    response = post_page(client, "/register", good())
    assert response.status_code == 302 and "/login?username=wangwu2027" in response.location
    cand = db.session.scalar(db.select(Candidate).filter_by(username="wangwu2027"))
    assert (cand.name, cand.sex, cand.ethnic_group) == ("王五", "M", "回族")
    assert "注册成功" in text(client.get(response.location))


@pytest.mark.parametrize("field, value, message", [
    ("username", "1bad", "用户名为4至32位"),
    ("name", "Wang Wu", "汉字"),
    ("name", "王" * 29, "最多28"),
    ("doc_number", id_number("19930115", "471")[:-1] + ("1" if id_number("19930115", "471")[-1] != "1"
                                                       else "2"), "校验位"),
    ("doc_number", "110105930115471", "15位"),
    ("doc_number", id_number("20991231"), "出生日期"),
    ("sex", "F", "性别与证件号码不符"),
    ("birth_date", "1993-01-16", "出生日期与证件号码不符"),
    ("password", "wangwu2027", "用户名"),
    ("password", "12345678", "常见"),
    ("password2", "Other#password9", "不一致"),
    ("ethnic_group", "", "请选择民族"),
    ("doc_type", "", "请选择证件类型"),
])
def test_bad_input_gets_a_message_and_a_red_frame_and_keeps_what_was_typed(client, app_ctx, field, value,
                                                                          message):
    data = good(**{field: value})
    if field == "password":
        data["password2"] = value
    response = post_page(client, "/register", data)
    html = text(response)
    assert response.status_code == 422
    assert message in html
    assert re.search(rf'class="field [^"]*has-error"[^>]*>\s*<label for="f-{field}"', html), field
    assert f'aria-describedby="e-{field}"' in html or f'e-{field}"' in html
    if field != "name":
        assert 'value="王五"' in html  # the name typed is still there
    if field not in ("username",):
        assert 'value="wangwu2027"' in html
    assert PASSWORD not in html  # passwords are never echoed
    if field == "doc_number":  # 性别 and 出生日期 come from the number: a bad number is one error (issue 15)
        assert "请选择性别" not in html and "请填写出生日期" not in html
    assert db.session.scalar(db.select(db.func.count(Candidate.id))) == 0


def test_duplicate_document_tells_to_log_in_or_recover(client, app_ctx):
    existing = make_candidate(doc_number=id_number("19930115", "471"))
    db.session.commit()
    response = post_page(client, "/register", good(doc_number=existing.doc_number.lower()))
    html = text(response)
    assert response.status_code == 422
    assert "该证件号码已经注册过账户" in html
    assert 'href="/login"' in html and 'href="/forgot-password"' in html


def test_registration_without_csrf_token_is_refused(client, app_ctx):
    response = client.post("/register", data=good())
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Candidate.id))) == 0
