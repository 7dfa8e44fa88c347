"""An arrangement run twice at once for the same site (issue 18, “Bad input and faults”): on PostgreSQL, two
threads with their own connections. One publishes, the other is refused with a clear message (the site is busy,
or the arrangement changed since its draft: plan again); never two sets of seats, never a seat twice."""
import threading

import pytest
from sqlalchemy import func, select

from core.arrangement import service
from core.db import db
from core.models import ArrangementLock, ArrangementRun, SeatAssignment
from core.registration.lifecycle import SYSTEM_ACTOR
from core.services.errors import DomainError
from tests.factories import arranged_registrations, make_catalogue, make_rooms, make_sessions
from tests.support.environment import IS_SQLITE

pytestmark = pytest.mark.skipif(IS_SQLITE, reason="SQLite has one writer at a time (a file lock): two runs "
                                                  "racing on their own connections need PostgreSQL")


@pytest.fixture
def site(session):
    cat = make_catalogue(capacity=500)
    s = make_sessions(cat)
    make_rooms(cat["site"], s["physician"] + [s["military"]], 10, 10, 10)
    arranged_registrations(cat, 25)
    db.session.commit()
    return cat


def _in_thread(app, fn, results, key, barrier=None):
    def run():
        with app.app_context():
            if barrier is not None:
                barrier.wait()
            try:
                results[key] = ("ok", fn())
            except DomainError as exc:
                db.session.rollback()
                results[key] = ("refused", exc.message)
            finally:
                db.session.remove()
    return threading.Thread(target=run)


def _assert_one_arrangement(cat):
    db.session.expire_all()
    seats = db.session.execute(select(SeatAssignment.registration_id, SeatAssignment.room_id,
                                      SeatAssignment.seat)).all()
    assert len(seats) == 25
    assert len({r for r, *_x in seats}) == 25  # one seat per registration
    assert len({(room, seat) for _r, room, seat in seats}) == 25  # no seat twice
    assert db.session.scalar(select(func.count()).select_from(ArrangementRun).where(
        ArrangementRun.state == "published")) == 1
    assert db.session.scalar(select(func.count()).select_from(ArrangementLock)) == 0  # both released


def test_a_run_while_another_publishes_is_refused_and_nothing_is_doubled(app, site, monkeypatch):
    """Thread 1 is held inside its publishing transaction (after taking the site's lock); thread 2 tries to
    plan and to publish the same site meanwhile: both refused at once with the busy message."""
    cat = site
    first = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=1)
    second = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=2)
    db.session.commit()
    first_id, second_id = first.id, second.id
    inside, go_on = threading.Event(), threading.Event()
    real = service._write_seats

    def held(run, base, wanted):  # the first publication pauses half-way, holding the lock and its transaction
        if run.id == first_id:
            inside.set()
            assert go_on.wait(30)
        return real(run, base, wanted)

    monkeypatch.setattr(service, "_write_seats", held)
    results = {}
    t1 = _in_thread(app, lambda: service.publish(first_id, SYSTEM_ACTOR).id, results, "first")
    t1.start()
    assert inside.wait(30)
    t2 = _in_thread(app, lambda: service.publish(second_id, SYSTEM_ACTOR).id, results, "second")
    t3 = _in_thread(app, lambda: service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR).id,
                    results, "plan")
    for t in (t2, t3):
        t.start()
        t.join(30)
    assert results["second"] == ("refused", service.BUSY)
    assert results["plan"] == ("refused", service.BUSY)
    go_on.set()
    t1.join(30)
    assert results["first"] == ("ok", first_id)
    _assert_one_arrangement(cat)
    db.session.expire_all()
    assert db.session.get(ArrangementRun, second_id).state == "draft"
    with pytest.raises(DomainError, match="重新预排"):  # afterwards: planned before that publication
        service.publish(second_id, SYSTEM_ACTOR)


@pytest.mark.parametrize("attempt", range(5))
def test_two_publications_started_together_publish_once(app, site, attempt):
    """No hook: two drafts published at the same instant. The one that comes second is refused at once (busy)
    or, if the first has already finished, because the arrangement changed since its draft (plan again)."""
    cat = site
    runs = [service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=s).id for s in (10, 20)]
    db.session.commit()
    barrier = threading.Barrier(2)
    results = {}
    threads = [_in_thread(app, lambda rid=rid: service.publish(rid, SYSTEM_ACTOR).id, results, rid, barrier)
               for rid in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    outcomes = sorted(results.values(), key=lambda r: r[0])
    assert [o[0] for o in outcomes] == ["ok", "refused"]
    assert outcomes[1][1] in (service.BUSY, "该考点的编排在预排之后已发布过，请重新预排。")
    _assert_one_arrangement(cat)
