"""Accounts: registration rules, login with one message, password change, recovery and its lock,
and rate limits in memory and in the real Redis."""
from datetime import date, timedelta

import pytest

from core.db import db, utcnow
from core.models import AuditEntry, Candidate, CandidateSession
from core.services import accounts, passwords, ratelimit
from core.services.errors import DomainError
from core.validators import FieldErrors
from tests.factories import PASSWORD, id_number, make_candidate

NEW_PASSWORD = "Yisheng#2028new"


def form(**kw):
    data = dict(username="lisi2027", password=PASSWORD, password2=PASSWORD, name="李四",
                doc_type="id_card", doc_number=id_number("19950615", "456"), sex="", birth_date="",
                ethnic_group="汉族", military_identity="civilian", agree_notice="yes",
                agree_sensitive="yes")
    data.update(kw)
    return data


def actions():
    return [a for (a,) in db.session.execute(db.select(AuditEntry.action).order_by(AuditEntry.id))]


# --- 注册 ------------------------------------------------------------------------------------

def test_register_derives_sex_and_birth_from_the_id_number(session):
    cand = accounts.register(form())
    assert (cand.sex, cand.birth_date, cand.nationality) == ("F", date(1995, 6, 15), "中国")
    assert passwords.verify(cand.password_hash, PASSWORD)
    assert actions() == ["candidate.account.registered", "candidate.privacy.consented"]
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="candidate.account.registered"))
    assert cand.doc_number not in str(entry.after)


def test_register_refuses_contradicting_sex_and_birth_date(session):
    with pytest.raises(FieldErrors) as exc:
        accounts.register(form(sex="M", birth_date="1995-06-16"))
    assert set(exc.value.errors) == {"sex", "birth_date"}
    assert db.session.scalar(db.select(db.func.count(Candidate.id))) == 0


def test_register_reports_every_bad_field_at_once(session):
    with pytest.raises(FieldErrors) as exc:
        accounts.register(form(username="1x", password="short", name="Li Si", doc_number="123",
                               ethnic_group=""))
    assert {"username", "password", "name", "doc_number", "ethnic_group"} <= set(exc.value.errors)


def test_a_wrong_id_checksum_is_the_only_error_not_sex_and_birth_date(session):
    """Issue 15: the page says 性别 and 出生日期 come from the ID number; a wrong check character is one error."""
    good = id_number("19950615", "456")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(FieldErrors) as exc:
        accounts.register(form(doc_number=wrong))
    assert set(exc.value.errors) == {"doc_number"}
    with pytest.raises(FieldErrors) as exc:  # a passport holder still types them
        accounts.register(form(doc_type="passport", doc_number="", nationality="法国"))
    assert {"sex", "birth_date"} <= set(exc.value.errors)


def test_register_password_rules_use_username_and_document(session):
    number = id_number("19950615", "456")
    for bad in ("lisi2027", number, "password123"):
        with pytest.raises(FieldErrors) as exc:
            accounts.register(form(password=bad, password2=bad))
        assert "password" in exc.value.errors
    with pytest.raises(FieldErrors) as exc:
        accounts.register(form(password2="Different#2027"))
    assert exc.value.errors == {"password2": "两次输入的密码不一致。"}


def test_duplicate_document_says_log_in_or_recover(session):
    accounts.register(form())
    with pytest.raises(DomainError) as exc:
        accounts.register(form(username="other2027", doc_number=form()["doc_number"].lower()))
    assert exc.value.field == "doc_number"
    assert "请直接登录" in exc.value.message and "找回密码" in exc.value.message


def test_duplicate_username_case_insensitive(session):
    accounts.register(form())
    with pytest.raises(DomainError, match="用户名已被使用"):
        accounts.register(form(username="LISI2027", doc_number=id_number("19950615", "457")))


def test_passport_holder_types_sex_birth_and_nationality(session):
    with pytest.raises(FieldErrors) as exc:
        accounts.register(form(doc_type="passport", doc_number="E12345678", name="John Smith"))
    assert {"sex", "birth_date", "nationality"} <= set(exc.value.errors)
    cand = accounts.register(form(doc_type="passport", doc_number="E12345678", name="John Smith",
                                  sex="M", birth_date="1990-01-02", nationality="新加坡", ethnic_group=""))
    assert (cand.sex, cand.birth_date, cand.nationality) == ("M", date(1990, 1, 2), "新加坡")


def test_residence_permit_holder_needs_travel_permit(session):
    body = "810000" + "19900307" + "123"
    from core.validators import id_check_char
    number = body + id_check_char(body)
    with pytest.raises(FieldErrors) as exc:
        accounts.register(form(doc_type="residence_permit", doc_number=number, ethnic_group=""))
    assert "permit_number" in exc.value.errors
    cand = accounts.register(form(doc_type="residence_permit", doc_number=number, ethnic_group="",
                                  permit_number="h12345678"))
    assert cand.permit_number == "H12345678" and cand.sex == "M"


def test_hk_permit_is_its_own_travel_permit(session):
    cand = accounts.register(form(doc_type="hk_macau_permit", doc_number="H12345678", sex="F",
                                  birth_date="1992-02-02", ethnic_group=""))
    assert cand.permit_number == "H12345678" and cand.nationality == "中国"


# --- 登录 ------------------------------------------------------------------------------------

def test_first_login_then_later_logins(app_ctx):
    cand = make_candidate()
    db.session.commit()
    assert accounts.authenticate(cand.username, PASSWORD, "10.0.0.1") == (cand, True)
    assert accounts.authenticate(cand.username.upper(), PASSWORD, "10.0.0.1") == (cand, False)


def test_one_message_for_unknown_user_and_wrong_password(app_ctx):
    cand = make_candidate()
    db.session.commit()
    with pytest.raises(DomainError) as unknown:
        accounts.authenticate("nobody", PASSWORD, "10.0.0.1")
    with pytest.raises(DomainError) as wrong:
        accounts.authenticate(cand.username, "Wrong#password1", "10.0.0.1")
    assert unknown.value.message == wrong.value.message == accounts.BAD_LOGIN
    assert "candidate.login.failed" in actions()


def test_repeated_failures_delay_that_address_only(app_ctx, limits_on):
    """A growing delay per account and address (issue 14, finding 14), never a lock of the account."""
    cand = make_candidate()
    db.session.commit()
    for _ in range(accounts.FREE_FAILURES):
        with pytest.raises(DomainError, match="用户名或密码错误"):
            accounts.authenticate(cand.username, "Wrong#password1", "10.0.0.1")
    with pytest.raises(DomainError, match="过于频繁"):
        accounts.authenticate(cand.username, PASSWORD, "10.0.0.1")  # same address: wait
    assert accounts.authenticate(cand.username, PASSWORD, "10.0.1.1")[0].id == cand.id  # the owner's


def test_delay_also_for_unknown_usernames(app_ctx, limits_on):
    """Same answer whether the account exists: nobody learns which usernames are taken."""
    for _ in range(accounts.FREE_FAILURES):
        with pytest.raises(DomainError, match="用户名或密码错误"):
            accounts.authenticate("ghost", "x", "10.0.0.2")
    with pytest.raises(DomainError, match="过于频繁"):
        accounts.authenticate("ghost", "x", "10.0.0.2")


def test_ip_limit(app_ctx, limits_on, app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        cand = make_candidate()
        db.session.commit()
        for _ in range(3):
            accounts.authenticate(cand.username, PASSWORD, "10.9.9.9")
        with pytest.raises(DomainError, match="过于频繁"):
            accounts.authenticate(cand.username, PASSWORD, "10.9.9.9")
        assert accounts.authenticate(cand.username, PASSWORD, "10.9.9.8")
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10 per minute"


def test_limit_parse():
    assert ratelimit.Limit.parse("10 per minute") == ratelimit.Limit(10, 60)
    assert ratelimit.Limit.parse("5 per 15 minutes") == ratelimit.Limit(5, 900)


def _redis_up():
    try:
        import redis
        return redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running at 127.0.0.1:6379")
def test_redis_store_counts_across_workers_and_expires():
    prefix = f"medexam-test-{id(object())}:"
    one = ratelimit.RedisStore("redis://127.0.0.1:6379/0", prefix)
    two = ratelimit.RedisStore("redis://127.0.0.1:6379/0", prefix)  # a second worker
    try:
        assert one.incr("k", 60) == 1
        assert two.incr("k", 60) == 2
        assert one.get("k") == two.get("k") == 2
        assert 0 < one._redis.ttl(prefix + "k") <= 60
        two.clear("k")
        assert one.get("k") == 0
    finally:
        one._redis.delete(prefix + "k")


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running at 127.0.0.1:6379")
def test_app_uses_redis_when_redis_url_is_set(app_ctx, limits_on, app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    try:
        assert isinstance(ratelimit.store(), ratelimit.RedisStore)
        key = f"test-{utcnow().timestamp()}"
        limit = ratelimit.Limit(2, 30)
        assert ratelimit.hit(key, limit) and ratelimit.hit(key, limit)
        assert not ratelimit.hit(key, limit)
        ratelimit.clear(key)
    finally:
        app.config["REDIS_URL"] = None


def test_memory_store_window_expires(monkeypatch):
    store = ratelimit.MemoryStore()
    clock = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock[0])
    assert store.incr("k", 10) == 1 and store.incr("k", 10) == 2
    clock[0] += 11
    assert store.get("k") == 0 and store.incr("k", 10) == 1


# --- 修改密码, 找回 --------------------------------------------------------------------------

def test_change_password_needs_current_and_ends_sessions(app_ctx):
    from core.services.sessions import open_session
    cand = make_candidate()
    open_session(cand, "1.1.1.1")
    db.session.commit()
    with pytest.raises(DomainError) as exc:
        accounts.change_password(cand, "wrong", NEW_PASSWORD, NEW_PASSWORD)
    assert exc.value.field == "current_password"
    with pytest.raises(FieldErrors) as exc:
        accounts.change_password(cand, PASSWORD, NEW_PASSWORD, "other")
    assert "new_password2" in exc.value.errors
    with pytest.raises(DomainError, match="相同"):
        accounts.change_password(cand, PASSWORD, PASSWORD, PASSWORD)
    accounts.change_password(cand, PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    assert passwords.verify(cand.password_hash, NEW_PASSWORD)
    assert db.session.scalar(db.select(db.func.count(CandidateSession.id))
                             .where(CandidateSession.ended_at.is_(None))) == 0
    assert "candidate.password.changed" in actions()


def test_recovery_answer_is_normalised_and_hashed(app_ctx):
    cand = make_candidate()
    db.session.commit()
    accounts.set_recovery(cand, PASSWORD, "我的出生地是？", "  Bei Jing ")
    assert "beijing" not in cand.recovery_answer_hash.lower()
    assert accounts.normalise_answer("ＢＥＩ jing") == "beijing"
    found = accounts.find_for_recovery(cand.username, cand.doc_number.lower(), "1.2.3.4")
    accounts.recover_password(found, "beijing", NEW_PASSWORD, NEW_PASSWORD)
    assert passwords.verify(cand.password_hash, NEW_PASSWORD)
    assert actions()[-2:] == ["candidate.recovery.set", "candidate.password.recovered"]


def test_set_recovery_needs_current_password_and_an_answer(app_ctx):
    cand = make_candidate()
    db.session.commit()
    with pytest.raises(FieldErrors) as exc:
        accounts.set_recovery(cand, "wrong", "", " ")
    assert set(exc.value.errors) == {"recovery_current_password", "recovery_question", "recovery_answer"}
    assert cand.recovery_answer_hash is None


def test_recovery_refuses_wrong_document_and_missing_question(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_PROVIDER", "aliyun")  # SMS configured (nothing is sent here)
    cand = make_candidate(verified=False)  # no question and no verified contact: only the exam office helps
    with_mobile = make_candidate()  # no question, a verified mobile: recovery by code
    db.session.commit()
    with pytest.raises(DomainError, match="不匹配"):
        accounts.find_for_recovery(cand.username, next(n for n in (id_number(seq="998"), id_number(seq="999"))
                                                       if n != cand.doc_number), None)
    with pytest.raises(DomainError, match="未设置密码找回问题") as exc:
        accounts.find_for_recovery(cand.username, cand.doc_number, None)
    assert "当地考试管理机构" in exc.value.message
    assert accounts.find_for_recovery(with_mobile.username, with_mobile.doc_number, None) == with_mobile
    assert accounts.recovery_channels(with_mobile) == {"sms": "138****8000"}
    monkeypatch.setitem(app.config, "SMS_PROVIDER", "")  # no SMS: a verified mobile is no way back
    assert accounts.recovery_channels(with_mobile) == {}


def test_recovery_locks_after_repeated_wrong_answers(app_ctx):
    cand = make_candidate()
    db.session.commit()
    accounts.set_recovery(cand, PASSWORD, "我的出生地是？", "北京")
    for _ in range(accounts.RECOVERY_MAX_FAILURES - 1):
        with pytest.raises(DomainError, match="不正确"):
            accounts.recover_password(cand, "上海", NEW_PASSWORD, NEW_PASSWORD)
    with pytest.raises(DomainError, match="锁定") as exc:
        accounts.recover_password(cand, "上海", NEW_PASSWORD, NEW_PASSWORD)
    assert "身份证明材料" in exc.value.message
    with pytest.raises(DomainError, match="锁定"):  # even the right answer now
        accounts.recover_password(cand, "北京", NEW_PASSWORD, NEW_PASSWORD)
    with pytest.raises(DomainError, match="锁定"):
        accounts.find_for_recovery(cand.username, cand.doc_number, None)
    assert passwords.verify(cand.password_hash, PASSWORD)
    assert "candidate.recovery.locked" in actions()
    cand.recovery_locked_until = utcnow() - timedelta(seconds=1)  # the lock ends
    accounts.recover_password(cand, "北京", NEW_PASSWORD, NEW_PASSWORD)


def test_recovery_step_one_is_rate_limited(app_ctx, limits_on):
    cand = make_candidate()
    db.session.commit()
    for _ in range(accounts.RECOVERY_ATTEMPTS.count):
        with pytest.raises(DomainError, match="不匹配"):
            accounts.find_for_recovery(cand.username, "H12345678", "5.5.5.5")
    with pytest.raises(DomainError, match="次数过多"):
        accounts.find_for_recovery(cand.username, cand.doc_number, "5.5.5.6")


def test_unreachable_redis_falls_back_to_process_memory_limits():
    """Redis down at 2 a.m. must not refuse every login: counting goes on in this process."""
    store = ratelimit.RedisStore("redis://127.0.0.1:1/0", "medexam-test-down:")
    assert store.incr("k", 60) == 1
    assert store.incr("k", 60) == 2
    assert store.get("k") == 2
    store.clear("k")
    assert store.get("k") == 0
