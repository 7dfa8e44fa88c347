"""Helpers of the security sweep: the URL maps of both apps, a snapshot of every table, the two worlds."""
from __future__ import annotations

from sqlalchemy import inspect, text

from core.db import Model, db, utcnow
from core.models import Job, Message, PaymentOrder, Registration
from core.notify.outbox import queue
from core.registration.draft import Draft
from tests.factories import jpeg, make_catalogue, make_registration

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def apps(app) -> dict:
    """Both Flask apps of the process with the prefix they are mounted at."""
    return {"portal": ("", app), "admin": ("/admin", app.extensions["backoffice"])}


def rules(flask_app):
    return [r for r in flask_app.url_map.iter_rules() if r.endpoint not in ("static", "appbuilder.static")]


def build(prefix: str, flask_app, rule, method: str, values: dict) -> str:
    adapter = flask_app.url_map.bind("localhost", script_name=prefix or "/")
    return adapter.build(rule.endpoint, {a: values.get(a, "1") for a in rule.arguments}, method=method)


def table_dump() -> dict:
    """Every row of every table: a state change anywhere shows up as a difference."""
    db.session.expire_all()
    names = set(inspect(db.engine).get_table_names()) & set(Model.metadata.tables)
    return {name: sorted(map(repr, db.session.execute(text(f"SELECT * FROM {name}")).all()))  # nosec B608
            for name in sorted(names)}


def candidate_world(alice, bob) -> dict:
    """Alice owns a draft, a submitted registration with an open payment order, a document, a finished copy of
    her personal data (个人信息副本, a job), and an approved, paid and arranged registration whose 准考证 prints
    (another exam year); Bob owns nothing."""
    cat = make_catalogue()
    draft = Registration(candidate_id=alice.id, exam_year_id=cat["year"].id, subject_id=cat["subject"].id,
                         status="draft", draft_step="basic")
    Draft(region_id=cat["site"].region_id, site_id=cat["site"].id).store(draft)  # 预览申请表 has a 考点 to show
    db.session.add(draft)
    submitted = make_registration(alice, make_catalogue())  # one registration per exam year
    order = PaymentOrder(registration_id=submitted.id, out_trade_no=f"T{submitted.number}", provider="sandbox",
                         amount_fen=6000, items=[{"item": "registration", "amount_fen": 6000}])
    db.session.add(order)
    queue(alice, "registration_approved", {"number": submitted.number}, key="alice")  # a 消息中心 message
    copy = Job(kind="privacy.copy", owner_type="candidate", owner_id=alice.id, params={}, state="done",
               progress=100, finished_at=utcnow(), result_path="job-copy.zip", result_name="copy.zip")
    db.session.add(copy)
    db.session.commit()
    message = db.session.scalar(db.select(Message.id).where(Message.candidate_id == alice.id))
    from core.documents import service
    document = service.upload(alice, "id_front", jpeg())
    return {"draft": draft.id, "submitted": submitted.id, "order": order.out_trade_no, "cat": cat,
            "message": message, "copy": copy.id, "arranged": _arranged(alice), "document": document.id}


def _arranged(candidate) -> int:
    """An approved, paid registration with a published seat and its region's 准考证 window open."""
    from datetime import timedelta

    from core.arrangement import service
    from core.db import utcnow
    from core.models import TicketWindow
    from core.registration.lifecycle import SYSTEM_ACTOR
    from tests.factories import make_rooms, make_sessions
    cat = make_catalogue()
    sessions = make_sessions(cat)
    make_rooms(cat["site"], sessions["physician"], 5)
    reg = make_registration(candidate, cat, status="approved", payment_status="paid")
    db.session.add(TicketWindow(region_id=cat["region"].id, exam_year_id=cat["year"].id,
                                opens_at=utcnow() - timedelta(days=1), valid_until=utcnow() + timedelta(days=9)))
    db.session.commit()
    run = service.plan_site(cat["site"].id, cat["year"].id, SYSTEM_ACTOR, seed=1)
    db.session.commit()
    service.publish(run.id, SYSTEM_ACTOR)
    return reg.id
