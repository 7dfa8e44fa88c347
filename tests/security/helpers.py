"""Helpers of the security sweep: the URL maps of both apps, a snapshot of every table, the two worlds."""
from __future__ import annotations

from sqlalchemy import inspect, text

from core.db import Model, db
from core.models import PaymentOrder, Registration
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
    """Alice owns a draft, a submitted registration with an open payment order and a document; Bob nothing."""
    cat = make_catalogue()
    draft = Registration(candidate_id=alice.id, exam_year_id=cat["year"].id, subject_id=cat["subject"].id,
                         status="draft", draft_step="basic")
    db.session.add(draft)
    submitted = make_registration(alice, make_catalogue())  # one registration per exam year
    order = PaymentOrder(registration_id=submitted.id, out_trade_no=f"T{submitted.number}", provider="sandbox",
                         amount_fen=6000, items=[{"item": "registration", "amount_fen": 6000}])
    db.session.add(order)
    db.session.commit()
    from core.documents import service
    document = service.upload(alice, "id_front", jpeg())
    return {"draft": draft.id, "submitted": submitted.id, "order": order.out_trade_no, "cat": cat,
            "document": document.id}
