"""个人信息保护告知 and consent: given at registration (both boxes, each refused alone), recorded with the
notice's version and time, asked again at login when the version changes, before any other page opens."""
from datetime import timedelta

import pytest

from core.db import db, utcnow
from core.models import AuditEntry, Candidate, PrivacyConsent
from core.privacy import notice
from tests.factories import PASSWORD, id_number, login, make_candidate
from tests.support.web import csrf_token_from, post_page, text


def registration(**kw):
    data = dict(username="zhaoliu2027", password=PASSWORD, password2=PASSWORD, name="赵六",
                doc_type="id_card", doc_number=id_number("19920310", "383"), ethnic_group="汉族",
                military_identity="civilian", agree_notice="yes", agree_sensitive="yes")
    data.update(kw)
    return data


def test_the_notice_names_controller_purposes_items_recipients_retention_and_rights(client):
    html = text(client.get("/privacy"))
    for words in ("国家医学考试中心", "资格审核", "考务安排", "统计", "证件号码", "照片", "证件扫描件", "考点",
                  "银行", "短信和电子邮件服务商", "保存多久", "注销", "查阅和复制", notice.NOTICE_VERSION,
                  "从未提交的报名草稿", "180天", "去标识化"):  # the retention table, from the schedule itself
        assert words in html, words


def test_the_notice_reads_in_english(client):
    client.set_cookie("lang", "en")
    html = text(client.get("/privacy"))
    assert "Privacy notice" in html and "SMS and e-mail providers" in html and "Drafts never submitted" in html


def test_registration_records_both_consents_with_version_and_time(client, app_ctx):
    before = utcnow() - timedelta(seconds=1)
    assert post_page(client, "/register", registration()).status_code == 302
    cand = db.session.scalar(db.select(Candidate).filter_by(username="zhaoliu2027"))
    (consent,) = notice.consents_of(cand.id)
    assert (consent.notice_version, consent.sensitive) == (notice.NOTICE_VERSION, True)
    assert before <= consent.agreed_at <= utcnow()
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="candidate.privacy.consented"))
    assert entry.actor_id == cand.id and entry.after["notice_version"] == notice.NOTICE_VERSION


@pytest.mark.parametrize("missing, message", [("agree_notice", "请阅读并同意"), ("agree_sensitive", "单独同意")])
def test_each_consent_is_required_on_its_own_and_nothing_typed_is_lost(client, app_ctx, missing, message):
    response = post_page(client, "/register", registration(**{missing: ""}))
    html = text(response)
    assert response.status_code == 422
    assert f'id="e-{missing}"' in html and message in html
    assert 'value="赵六"' in html  # the name typed stays
    assert db.session.scalar(db.select(db.func.count()).select_from(Candidate)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(PrivacyConsent)) == 0


def test_both_boxes_have_real_labels(client):
    html = text(client.get("/register"))
    for name in ("agree_notice", "agree_sensitive"):
        assert f'<label for="f-{name}">' in html and f'id="f-{name}"' in html


def test_a_new_notice_version_is_asked_at_next_login_before_any_page(client, app_ctx, monkeypatch):
    cand = make_candidate()
    db.session.commit()
    monkeypatch.setattr(notice, "NOTICE_VERSION", "2099-01")
    response = login(client, cand)
    assert response.status_code == 302
    for page in ("/", "/profile", "/security"):
        response = client.get(page)
        assert response.status_code == 302 and "/privacy/consent" in response.location, page
    page = client.get("/privacy/consent?next=/security")
    assert "2099-01" in text(page)
    refused = post_page(client, "/privacy/consent", {"agree_notice": "yes", "next": "/security"})
    assert refused.status_code == 422 and 'id="e-agree_sensitive"' in text(refused)
    agreed = post_page(client, "/privacy/consent", {"agree_notice": "yes", "agree_sensitive": "yes",
                                                     "next": "/security"})
    assert agreed.status_code == 302 and agreed.location.endswith("/security")
    assert client.get("/profile").status_code == 200
    assert [c.notice_version for c in notice.consents_of(cand.id)][-1] == "2099-01"


def test_agreeing_in_a_second_tab_records_one_consent(client, app_ctx, monkeypatch):
    cand = make_candidate()
    db.session.commit()
    monkeypatch.setattr(notice, "NOTICE_VERSION", "2099-02")
    login(client, cand)
    page = text(client.get("/privacy/consent"))
    for _ in range(2):  # the same form sent from two tabs
        response = client.post("/privacy/consent", data={"agree_notice": "yes", "agree_sensitive": "yes",
                                                         "csrf_token": csrf_token_from(page)})
        assert response.status_code == 302
    assert [c.notice_version for c in notice.consents_of(cand.id)].count("2099-02") == 1


def test_consent_page_never_redirects_off_site(client, app_ctx, monkeypatch):
    cand = make_candidate()
    db.session.commit()
    monkeypatch.setattr(notice, "NOTICE_VERSION", "2099-03")
    login(client, cand)
    response = post_page(client, "/privacy/consent", {"agree_notice": "yes", "agree_sensitive": "yes",
                                                       "next": "//evil.example/x"})
    assert response.status_code == 302 and "evil" not in response.location
