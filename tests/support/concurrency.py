"""Workers for the racing tests: each runs one service call in its own app context and session."""
from __future__ import annotations

from core.db import db
from core.models import Candidate
from core.registration import errors, withdrawal


def abandon(app, candidate_id: int, registration_id: int) -> str:
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


def decide_online(app, user_id: int, registration_id: int, decision: str, version: int, reason: str) -> str:
    """One reviewer's whole-case decision (core.documents.review.decide) in its own session."""
    from flask_appbuilder.security.sqla.models import User

    from core.documents import review
    with app.app_context():
        try:
            review.decide(db.session.get(User, user_id), registration_id, decision, version, reason)
            db.session.commit()
            return decision
        except errors.StaleState:
            db.session.rollback()
            return "stale"
        except Exception as exc:  # noqa: BLE001
            db.session.rollback()
            return f"error: {exc!r}"
        finally:
            db.session.remove()
