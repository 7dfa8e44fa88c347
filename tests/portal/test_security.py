"""安全设置 (修改密码, 密码找回设置) and 找回密码 pages."""

from core.db import db
from core.models import AuditEntry
from core.services import passwords
from tests.factories import PASSWORD, login, make_candidate
from tests.support.web import post_page, text

NEW = "Yisheng#2028new"


def _actions():
    return [a for (a,) in db.session.execute(db.select(AuditEntry.action))]


def _logged_in(client):
    cand = make_candidate()
    db.session.commit()
    login(client, cand)
    return cand


def test_security_page_has_both_forms_and_the_reminder(client, app_ctx):
    _logged_in(client)
    html = text(client.get("/security"))
    for name in ("current_password", "new_password", "new_password2", "recovery_question",
                 "recovery_answer", "recovery_current_password"):
        assert f'<label for="f-{name}">' in html
    assert "修改密码" in html and "密码找回设置" in html
    assert "当同时忘记密码及找回答案时" in html and "当地考试管理机构" in html


def test_change_password_then_log_in_with_it(client, app_ctx):
    cand = _logged_in(client)
    response = post_page(client, "/security/password", {
        "current_password": PASSWORD, "new_password": NEW, "new_password2": NEW}, page="/security")
    assert response.status_code == 302
    assert "密码已修改" in text(client.get("/security"))  # still logged in, with a fresh session
    db.session.refresh(cand)
    assert passwords.verify(cand.password_hash, NEW)
    assert "candidate.password.changed" in _actions()


def test_change_password_refusals_show_beside_the_field(client, app_ctx):
    cand = _logged_in(client)
    for data, field, message in (
            ({"current_password": "nope", "new_password": NEW, "new_password2": NEW}, "current_password",
             "当前密码不正确"),
            ({"current_password": PASSWORD, "new_password": "short", "new_password2": "short"},
             "new_password", "至少8位"),
            ({"current_password": PASSWORD, "new_password": cand.username, "new_password2": cand.username},
             "new_password", "用户名"),
            ({"current_password": PASSWORD, "new_password": NEW, "new_password2": NEW + "x"},
             "new_password2", "不一致")):
        response = post_page(client, "/security/password", data, page="/security")
        html = text(response)
        assert response.status_code == 422 and message in html
        assert f'id="e-{field}"' in html
    db.session.refresh(cand)
    assert passwords.verify(cand.password_hash, PASSWORD)


def test_set_recovery_question_keeps_the_question_on_refusal(client, app_ctx):
    cand = _logged_in(client)
    response = post_page(client, "/security/recovery", {
        "recovery_question": "我的出生地是？", "recovery_answer": "", "recovery_current_password": PASSWORD},
        page="/security")
    assert response.status_code == 422
    assert '<option value="我的出生地是？" selected>' in text(response)
    response = post_page(client, "/security/recovery", {
        "recovery_question": "我的出生地是？", "recovery_answer": "Bei Jing",
        "recovery_current_password": PASSWORD}, page="/security")
    assert response.status_code == 302
    html = text(client.get("/security"))
    assert "当前找回问题：<strong>我的出生地是？</strong>" in html and "Bei Jing" not in html
    db.session.refresh(cand)
    assert cand.recovery_answer_hash and "candidate.recovery.set" in _actions()


def _with_recovery(answer="北京"):
    from core.services import accounts
    cand = make_candidate()
    db.session.commit()
    accounts.set_recovery(cand, PASSWORD, "我的出生地是？", answer)
    return cand


def test_forgot_password_in_two_steps(client, app_ctx):
    cand = _with_recovery()
    html = text(client.get("/forgot-password"))
    assert '<label for="f-username">' in html and '<label for="f-doc_number">' in html
    assert "当同时忘记密码及找回答案时" in html
    step1 = post_page(client, "/forgot-password", {"step": "1", "username": cand.username,
                                                    "doc_number": cand.doc_number})
    assert step1.status_code == 200 and "我的出生地是？" in text(step1)
    assert cand.doc_number not in step1.request.url
    step2 = post_page(client, "/forgot-password", {"step": "2", "recovery_answer": " 北京 ",
                                                    "new_password": NEW, "new_password2": NEW})
    assert step2.status_code == 302 and "/login" in step2.location
    db.session.refresh(cand)
    assert passwords.verify(cand.password_hash, NEW)


def test_forgot_password_refusals(client, app_ctx):
    cand = _with_recovery()
    wrong_doc = post_page(client, "/forgot-password", {"step": "1", "username": cand.username,
                                                        "doc_number": "H12345678"})
    assert wrong_doc.status_code == 422 and "不匹配" in text(wrong_doc)
    post_page(client, "/forgot-password", {"step": "1", "username": cand.username,
                                           "doc_number": cand.doc_number})
    for n in range(5):
        response = post_page(client, "/forgot-password", {"step": "2", "recovery_answer": "上海",
                                                           "new_password": NEW, "new_password2": NEW})
        assert response.status_code == 422
    html = text(response)
    assert "锁定" in html and "身份证明材料" in html
    db.session.refresh(cand)
    assert passwords.verify(cand.password_hash, PASSWORD)
    assert "candidate.recovery.locked" in _actions()


def test_step_two_without_step_one_is_refused(client, app_ctx):
    cand = _with_recovery()
    response = post_page(client, "/forgot-password", {"step": "2", "recovery_answer": "北京",
                                                       "new_password": NEW, "new_password2": NEW})
    assert response.status_code == 422 and "超时" in text(response)
    db.session.refresh(cand)
    assert passwords.verify(cand.password_hash, PASSWORD)


def test_security_pages_need_login(client):
    for url in ("/security",):
        assert "/login" in client.get(url).location
