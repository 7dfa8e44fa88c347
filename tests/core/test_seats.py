"""考点座位: never overbooked, each seat given back once — also under hundreds of racing requests."""
from __future__ import annotations

import itertools
from datetime import date
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.db import db
from core.models import Candidate, Education, Registration, Site
from core.registration import errors, submission, withdrawal
from core.services import seats
from tests.conftest import IS_SQLITE
from tests.core.test_registration import ready_draft, store_photo
from tests.factories import make_catalogue


def test_take_until_full_then_refuse(session):
    site = make_catalogue(capacity=2)["site"]
    assert [seats.take_seat(site.id) for _ in range(3)] == [True, True, False]
    assert seats.seats_left(site.id) == 0
    assert seats.release_seat(site.id) and seats.seats_left(site.id) == 1


def test_release_never_goes_below_zero(session):
    site = make_catalogue(capacity=2)["site"]
    assert seats.release_seat(site.id) is False
    session.refresh(site)
    assert site.taken == 0


_seq = itertools.count(1)


def _many_drafts(cat, n: int) -> list[tuple[int, int]]:
    """n candidates, each with a finished draft for the catalogue's site: [(candidate_id, draft_id)]."""
    photo = store_photo()
    out = []
    for _ in range(n):
        k = next(_seq)  # built directly: the factory's password hashing would take minutes here
        cand = Candidate(username=f"race{k}", password_hash="x", name="李四", sex="F", birth_date=date(1992, 5, 1),
                         doc_type="passport", doc_number=f"P{k:08d}", photo_path=photo, employment_status="在岗",
                         practice_start="2020-07", mobile="13900139000", address="北京")
        db.session.add(cand)
        db.session.flush()
        db.session.add(Education(candidate_id=cand.id, school_name="北京大学", level="本科", major="临床医学",
                                 start_ym="2010-09", end_ym="2015-07", diploma_number="D1"))
        db.session.flush()
        out.append((cand.id, ready_draft(cand, cat).id))
    db.session.commit()
    return out


def _submit(app, candidate_id: int, registration_id: int) -> str:
    with app.app_context():
        try:
            cand = db.session.get(Candidate, candidate_id)
            submission.submit_registration(cand, registration_id, f"tok-{registration_id}")
            return "ok"
        except errors.SiteFull as exc:
            return "full" if "已报满" in exc.message else exc.message
        except Exception as exc:  # noqa: BLE001 — the test counts anything leaking
            return f"error: {exc!r}"
        finally:
            db.session.remove()


def _abandon(app, candidate_id: int, registration_id: int) -> str:
    with app.app_context():
        try:
            withdrawal.abandon_registration(db.session.get(Candidate, candidate_id), registration_id)
            return "ok"
        except errors.RegistrationError:
            return "already"
        except Exception as exc:  # noqa: BLE001
            return f"error: {exc!r}"
        finally:
            db.session.remove()


@pytest.mark.skipif(IS_SQLITE, reason="real concurrency needs PostgreSQL")
def test_500_racing_submissions_for_50_seats(app, session):
    cat = make_catalogue(capacity=50)
    drafts = _many_drafts(cat, 500)
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda d: _submit(app, *d), drafts))
    assert answers.count("ok") == 50 and answers.count("full") == 450, set(answers) - {"ok", "full"}
    session.expire_all()
    assert session.get(Site, cat["site"].id).taken == 50
    submitted = session.scalars(db.select(Registration).filter_by(status="submitted")).all()
    assert len(submitted) == 50 and len({r.number for r in submitted}) == 50
    assert session.scalar(db.select(db.func.count(Registration.id)).filter_by(status="draft")) == 450

    # concurrent abandons, each sent twice: every seat comes back exactly once
    leaving = [(r.candidate_id, r.id) for r in submitted[:25]]
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda d: _abandon(app, *d), leaving * 2))
    assert set(results) <= {"ok", "already"}, set(results)
    session.expire_all()
    assert session.get(Site, cat["site"].id).taken == 25
