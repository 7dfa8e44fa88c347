"""`flask photos prune`: frozen photo copies no registration references and profile photos no candidate
references are removed once old enough; a submission that rolls back leaves no copy behind
(core.services.snapshot, core.services.photos, core.registration)."""
from __future__ import annotations

import math
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm.attributes import set_committed_value

from core.db import db
from core.models import Registration
from core.registration import errors, submission
from core.services.photos import prune_profile_photos, save_photo
from core.services.snapshot import prune_frozen_photos
from tests.factories import (jpeg, make_candidate, make_catalogue, make_registration, ready_candidate,
                             ready_draft)

TWO_HOURS_AGO = time.time() - 2 * 3600


@pytest.fixture
def photo_root(app_ctx, tmp_path, monkeypatch):
    """An empty PHOTO_DIR of this test's own: no file another test left behind is counted."""
    monkeypatch.setitem(app_ctx.config, "PHOTO_DIR", tmp_path)
    return tmp_path


@pytest.fixture
def frozen(photo_root):
    folder = photo_root / "frozen"
    folder.mkdir()
    return folder


def write_photo(folder: Path, name: str, mtime: float | None = TWO_HOURS_AGO) -> Path:
    path = folder / name
    path.write_bytes(jpeg())
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def referenced_registration(folder: Path, attempt: str = "a1b2c3d4") -> tuple[Registration, Path]:
    """A submitted registration whose snapshot names its (old) frozen photo file."""
    reg = make_registration()
    path = write_photo(folder, f"{reg.number}-{attempt}.jpg")
    reg.snapshot = {**reg.snapshot, "photo": f"frozen/{path.name}"}
    db.session.commit()
    return reg, path


def prune(app, *args):
    result = app.test_cli_runner().invoke(args=["photos", "prune", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_old_orphan_is_removed_and_counted(app, frozen):
    orphan = write_photo(frozen, "202711000000999999-deadbeef.jpg")  # a submission killed before its commit
    size = orphan.stat().st_size
    output = prune(app)
    assert not orphan.exists()
    assert f"已删除无报名引用的冻结照片 1 个，共 {size} 字节" in output


def test_a_referenced_frozen_photo_is_kept_but_a_failed_attempt_of_the_same_number_is_not(app, frozen):
    reg, kept = referenced_registration(frozen)
    failed_attempt = write_photo(frozen, f"{reg.number}-0badf00d.jpg")
    prune(app)
    assert kept.is_file() and not failed_attempt.exists()


def test_an_abandoned_registration_keeps_its_frozen_photo(app, frozen):
    reg, kept = referenced_registration(frozen)
    reg.status = "abandoned"
    db.session.commit()
    prune(app)
    assert kept.is_file()


def test_a_fresh_orphan_is_kept_it_may_belong_to_a_submission_in_flight(app, frozen):
    fresh = write_photo(frozen, "202711000000999998-cafecafe.jpg", mtime=None)
    ninety_minutes = write_photo(frozen, "202711000000999997-cafecafe.jpg", time.time() - 90 * 60)
    assert "0 个" in prune(app, "--older-than-minutes", "120")
    assert fresh.is_file() and ninety_minutes.is_file()
    prune(app)  # default: 60 minutes
    assert fresh.is_file() and not ninety_minutes.exists()


def test_an_age_limit_below_ten_minutes_is_refused(app, frozen):
    result = app.test_cli_runner().invoke(args=["photos", "prune", "--older-than-minutes", "1"])
    assert result.exit_code == 2 and "--older-than-minutes" in result.output


def test_dry_run_counts_but_removes_nothing(app, frozen):
    orphan = write_photo(frozen, "202711000000999996-feedface.jpg")
    output = prune(app, "--dry-run")
    assert orphan.is_file()
    assert f"可删除无报名引用的冻结照片 1 个，共 {orphan.stat().st_size} 字节" in output


def test_batches_check_every_file(app, frozen):
    regs = [referenced_registration(frozen, attempt=f"0000000{i}") for i in range(3)]
    orphans = [write_photo(frozen, f"20271100000099990{i}-abcdabcd.jpg") for i in range(4)]
    assert prune_frozen_photos(timedelta(minutes=60), batch=2)[0] == 4
    assert all(path.is_file() for _, path in regs) and not any(path.exists() for path in orphans)


# --- profile photos (save_photo: <2 hex>/<32 hex>.jpg) --------------------------------------------

def age(path: Path, mtime: float = TWO_HOURS_AGO) -> Path:
    os.utime(path, (mtime, mtime))
    return path


def raced_uploads(photo_root: Path) -> tuple[Path, Path]:
    """Two tabs upload at once: the second read the candidate before the first committed, so it does not
    remove the first upload's file. Returns (orphan, current photo)."""
    cand = make_candidate()
    db.session.commit()
    first = save_photo(cand, jpeg())
    set_committed_value(cand, "photo_path", None)  # what the second tab had read
    current = save_photo(cand, jpeg())
    assert cand.photo_path == current != first
    return photo_root / first, photo_root / current


def test_an_old_orphaned_profile_photo_is_removed_the_current_one_kept_however_old(app, photo_root):
    orphan, current = map(age, raced_uploads(photo_root))
    size = orphan.stat().st_size
    output = prune(app)
    assert not orphan.exists() and current.is_file()
    assert "已删除无报名引用的冻结照片 0 个" in output
    assert f"已删除无考生引用的个人照片 1 个，共 {size} 字节" in output


def test_a_young_orphaned_profile_photo_is_kept_it_may_be_an_upload_in_flight(app, photo_root):
    orphan, current = raced_uploads(photo_root)
    age(orphan, time.time() - 90 * 60)
    assert "个人照片 0 个" in prune(app, "--older-than-minutes", "120")
    assert orphan.is_file() and current.is_file()


def test_dry_run_counts_an_orphaned_profile_photo_but_removes_nothing(app, photo_root):
    orphan, current = map(age, raced_uploads(photo_root))
    output = prune(app, "--dry-run")
    assert orphan.is_file() and current.is_file()
    assert f"可删除无考生引用的个人照片 1 个，共 {orphan.stat().st_size} 字节" in output


def test_only_profile_photo_names_in_two_hex_digit_folders_are_touched(app, photo_root, frozen, tmp_path_factory):
    root, name = photo_root, "0123456789abcdef0123456789abcdef.jpg"
    outside = tmp_path_factory.mktemp("outside")
    (root / "cd").symlink_to(outside)  # a link out of PHOTO_DIR is not followed
    for folder in ("ab", "abc", "AB"):
        (root / folder).mkdir()
    left_alone = [write_photo(root / "ab", "not-a-profile-photo.jpg"), write_photo(root / "ab", name.upper()),
                  write_photo(root / "ab", name + ".bak"), write_photo(root / "abc", name),
                  write_photo(root / "AB", name), write_photo(root, name), write_photo(outside, name),
                  write_photo(frozen, name)]  # frozen/ is the frozen pass's: it goes by 报名号
    assert prune_profile_photos(timedelta(minutes=60)) == (0, 0)
    assert all(path.is_file() for path in left_alone)
    removed = write_photo(root / "ab", name)
    assert prune_profile_photos(timedelta(minutes=60))[0] == 1 and not removed.exists()


@pytest.mark.parametrize("batch", [1, 4, 6, 500])
def test_profile_photos_are_checked_in_batches_one_query_each(app, photo_root, batch):
    uploads = [tuple(map(age, raced_uploads(photo_root))) for _ in range(3)]  # 6 old files
    queries = []
    listen = (db.engine, "before_cursor_execute", lambda *args: queries.append(args[2]))
    event.listen(*listen)
    try:
        assert prune_profile_photos(timedelta(minutes=60), batch=batch)[0] == 3
    finally:
        event.remove(*listen)
    assert len(queries) == math.ceil(6 / batch) and all("photo_path IN" in q for q in queries)
    assert all(current.is_file() and not orphan.exists() for orphan, current in uploads)


# --- a submission that does not commit leaves no frozen copy ----------------------------------------

def _frozen_copies(folder: Path, reg: Registration, cat: dict) -> list[Path]:
    number = submission.registration_number(cat["year"].year, cat["region"], reg.id)
    return list(folder.glob(f"{number}-*.jpg"))


def test_a_site_filled_at_the_commit_leaves_no_frozen_copy(session, frozen):
    cat = make_catalogue(capacity=1)
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    session.commit()
    assert cat["site"].seats_left == 1  # what this session saw ...
    with db.engine.begin() as other:  # ... before another server took the last seat
        other.execute(text("UPDATE sites SET taken = capacity WHERE id = :id"), {"id": cat["site"].id})
    with pytest.raises(errors.SiteFull):
        submission.submit_registration(cand, reg.id, "t")  # the early check passes, the seat UPDATE does not
    assert _frozen_copies(frozen, reg, cat) == []
    assert session.get(Registration, reg.id).status == "draft"


def test_a_submission_that_loses_the_race_leaves_no_frozen_copy(session, frozen):
    cat = make_catalogue()
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    session.commit()
    assert reg.status == "draft"  # what this session saw, before another tab submitted it:
    with db.engine.begin() as other:
        other.execute(text("UPDATE registrations SET status = 'submitted', number = 'other-tab', "
                           "site_id = :site WHERE id = :id"), {"site": cat["site"].id, "id": reg.id})
    done = submission.submit_registration(cand, reg.id, "t")
    assert (done.status, done.number) == ("submitted", "other-tab")
    assert _frozen_copies(frozen, reg, cat) == []


# --- the frozen photo is a second name of the profile photo's file ------------------------------------

def test_a_frozen_photo_keeps_its_bytes_after_a_new_profile_photo_and_is_young_for_the_prune(app, photo_root):
    cat = make_catalogue()
    cand = ready_candidate()
    cand.photo_path = save_photo(cand, jpeg())
    profile = age(photo_root / cand.photo_path)  # uploaded long ago
    before = profile.read_bytes()
    done = submission.submit_registration(cand, ready_draft(cand, cat).id, "t")
    frozen = photo_root / done.snapshot["photo"]
    assert frozen.stat().st_ino == profile.stat().st_ino  # a link, not a copy
    assert "冻结照片 0 个" in prune(app)  # referenced; and an old photo's new link counts as new:
    assert frozen.stat().st_mtime > time.time() - 60
    save_photo(cand, jpeg(colour=(200, 30, 30)))  # a new profile photo: the old file is removed ...
    assert not profile.exists() and frozen.read_bytes() == before  # ... the frozen one is unchanged
