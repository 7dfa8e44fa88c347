"""Object-level access: a candidate can never read or change another's entries, photo or account by
changing an id; every page behind login says so; every form refuses a missing CSRF token."""
import io

import pytest

from core.db import db
from core.models import Candidate, Education
from core.services import passwords, photos, profile
from tests.factories import PASSWORD, jpeg, login_as, make_candidate, make_dictionaries, make_registration
from tests.support.web import post_page, text

NEW = "Yisheng#2028new"


@pytest.fixture
def two(client, app_ctx):
    dicts = make_dictionaries()
    alice = make_candidate(name="艾丽")
    bob = make_candidate(name="鲍勃")
    entries = {
        "education": profile.save_education(alice, {
            "school_name": "北京大学", "level": "本科", "study_mode": "全日制", "major": "爱丽丝专业",
            "start_ym": "2010-09", "end_ym": "2015-07"}),
        "training": profile.save_training(alice, {
            "training_type_id": str(dicts["residency"].id), "institution": "爱丽丝基地", "start_ym": "2015-09"}),
        "certificate": profile.save_certificate(alice, {
            "certificate_type_id": str(dicts["assistant"].id), "issue_ym": "2016-12", "cert_number": "ALICE01"}),
    }
    db.session.commit()
    photos.save_photo(alice, jpeg(colour=(255, 0, 0)))
    reg = make_registration(alice)
    db.session.commit()
    login_as(client, bob)
    return alice, bob, entries, reg, dicts


CHANGED_ROWS = {
    "education": {"school_name": "北京大学", "level": "本科", "study_mode": "全日制", "major": "鲍勃改的",
                  "start_ym": "2010-09"},
    "training": {"institution": "鲍勃改的", "start_ym": "2015-09"},
    "certificate": {"issue_ym": "2016-12", "cert_number": "鲍勃改的"},
}


def _base(_dicts):
    return {"mobile": "13900000000", "employment_status": "待业", "action": "submit"}


def test_profile_page_shows_only_own_entries_and_photo(client, two):
    alice, bob, entries, reg, _ = two
    html = text(client.get("/profile"))
    assert "鲍勃" in html and "艾丽" not in html and "爱丽丝" not in html and "ALICE01" not in html
    assert client.get("/profile/photo").status_code == 404  # Bob has none; Alice's is not reachable
    assert "本人照片" not in html


@pytest.mark.parametrize("kind", ["education", "training", "certificate"])
def test_changing_another_candidates_entry_by_id_is_refused(client, two, kind):
    alice, bob, entries, reg, dicts = two
    row = dict(CHANGED_ROWS[kind], id=str(entries[kind].id))
    row.setdefault("training_type_id", str(dicts["residency"].id))
    row.setdefault("certificate_type_id", str(dicts["assistant"].id))
    data = {**_base(dicts), **{f"{kind}-0-{k}": v for k, v in row.items()}}
    response = post_page(client, "/profile", data)
    assert response.status_code == 422 and "找不到该条目" in text(response)
    db.session.expire_all()
    entry = db.session.get(type(entries[kind]), entries[kind].id)
    assert entry.candidate_id == alice.id and "鲍勃" not in str(vars(entry))


@pytest.mark.parametrize("kind", ["education", "training", "certificate"])
def test_deleting_another_candidates_entry_by_id_is_refused(client, two, kind):
    alice, bob, entries, reg, dicts = two
    response = post_page(client, "/profile", {**_base(dicts), f"delete-{kind}": str(entries[kind].id)})
    assert response.status_code == 422 and "找不到该条目" in text(response)
    db.session.expire_all()
    assert db.session.get(type(entries[kind]), entries[kind].id) is not None


def test_photo_upload_changes_only_own_photo(client, two):
    alice, bob, *_ = two
    alice_path = alice.photo_path
    response = post_page(client, "/profile/photo", {"photo": (io.BytesIO(jpeg()), "me.jpg"),
                                                   "candidate_id": str(alice.id)},
                         page="/profile", content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Candidate, alice.id).photo_path == alice_path
    own = client.get("/profile/photo").data
    assert own != photos.photo_file(db.session.get(Candidate, alice.id)).read_bytes()


def test_home_lists_only_own_registrations(client, two):
    alice, bob, entries, reg, _ = two
    assert reg.number not in text(client.get("/"))


def test_account_forms_act_on_the_logged_in_candidate_only(client, two):
    alice, bob, *_ = two
    post_page(client, "/security/password", {"current_password": PASSWORD, "new_password": NEW,
                                             "new_password2": NEW, "candidate_id": str(alice.id),
                                             "username": alice.username}, page="/security")
    post_page(client, "/security/recovery", {"recovery_question": "我的出生地是？", "recovery_answer": "x1",
                                             "recovery_current_password": NEW, "candidate_id": str(alice.id)},
              page="/security")
    db.session.expire_all()
    a, b = db.session.get(Candidate, alice.id), db.session.get(Candidate, bob.id)
    assert passwords.verify(a.password_hash, PASSWORD) and a.recovery_answer_hash is None
    assert passwords.verify(b.password_hash, NEW) and b.recovery_answer_hash


def test_recovery_with_someone_elses_username_and_own_document_is_refused(client, two):
    alice, bob, *_ = two
    from core.services import accounts
    accounts.set_recovery(alice, PASSWORD, "我的出生地是？", "北京")
    response = post_page(client, "/forgot-password", {"step": "1", "username": alice.username,
                                                       "doc_number": bob.doc_number})
    assert response.status_code == 422 and "不匹配" in text(response)


PROTECTED_GET = ["/profile", "/profile/photo", "/security"]
PROTECTED_POST = ["/profile", "/profile/photo", "/security/password", "/security/recovery"]


@pytest.mark.parametrize("url", PROTECTED_GET)
def test_pages_need_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("url", PROTECTED_POST)
def test_posts_need_login(client, app_ctx, url):
    response = post_page(client, url, {}, page="/login")
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize("url", PROTECTED_POST + ["/logout", "/forgot-password", "/login", "/register"])
def test_every_form_refuses_a_missing_csrf_token(client, two, url):
    alice, bob, *_ = two
    before = db.session.scalar(db.select(db.func.count(Education.id)))
    response = client.post(url, data={"mobile": "13911112222", "employment_status": "待业",
                                      "current_password": PASSWORD, "new_password": NEW, "new_password2": NEW,
                                      "username": bob.username, "password": PASSWORD})
    assert response.status_code == 400
    db.session.expire_all()
    b = db.session.get(Candidate, bob.id)
    assert b.mobile != "13911112222" and passwords.verify(b.password_hash, PASSWORD)
    assert db.session.scalar(db.select(db.func.count(Education.id))) == before


def test_no_document_number_in_urls_or_audit(client, two):
    alice, bob, *_ = two
    from core.models import AuditEntry
    for entry in db.session.scalars(db.select(AuditEntry)):
        assert alice.doc_number not in str(entry.before) + str(entry.after)
    html = text(client.get("/profile"))
    assert bob.doc_number not in html  # shown masked, even to its owner
