"""放弃报考: the candidate gives a registration up while the window is open (a draft is discarded)."""
from __future__ import annotations

from core.db import db
from core.models import Candidate, Registration
from core.registration import lifecycle
from core.registration.access import own_registration
from core.registration.errors import RegistrationError, StaleState
from core.registration.states import DRAFT
from core.registration.window import require_window_open


def abandon_registration(candidate: Candidate, registration_id: int) -> Registration:
    """放弃报考: the ``abandon`` transition (seat back once, entries unlocked, refund requested if paid).

    A draft holds no seat, number or locked entry, and "submitted means complete" has no place for an
    abandoned registration without them: it is discarded (deleted); the registration is returned as it
    was, detached, for the page's message.
    """
    reg = own_registration(candidate, registration_id)
    require_window_open(reg.exam_year)
    if not reg.is_live:
        raise RegistrationError("该报名已不在有效状态，无需放弃。")
    actor = lifecycle.Actor.candidate(candidate)
    if reg.status == DRAFT:
        reg.subject  # noqa: B018 (loaded now: the message names it)
        try:
            lifecycle.transition(reg, "discard", actor, detail={"subject_id": reg.subject_id})
        except StaleState:  # submitted or discarded meanwhile (another tab)
            db.session.rollback()
            raise RegistrationError("该报名刚刚已提交或已放弃，请刷新页面后查看。") from None
        db.session.expunge(reg)
        db.session.commit()
        return reg
    try:
        outcome = lifecycle.transition(reg, "abandon", actor)
    except StaleState:  # a concurrent abandon (or a reviewer) changed it first
        db.session.rollback()
        return own_registration(candidate, registration_id)
    db.session.commit()
    outcome.keep_loaded(reg)
    return reg
