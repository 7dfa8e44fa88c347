"""锁定 / 解锁: education, training and certificate entries used by registrations.

An entry ticked in a submitted registration is locked (lock icon; not editable in the personal-information
centre) unless a reviewer has already verified it (tick icon, never editable again). Abandoning the
registration unlocks the entries that no other live registration still uses (the guide: 可通过放弃相关报考
项目来解锁).
"""
from __future__ import annotations

from sqlalchemy import exists, select, update

from core.db import db
from core.models import Certificate, Education, Registration, RegistrationEntry, Training
from core.models.registration import LIVE_STATUSES

KINDS = {"education": Education, "training": Training, "certificate": Certificate}


def lock_entries(registration: Registration, ids: dict[str, list[int]]) -> None:
    """Record the entries a registration uses and lock the editable ones (caller's transaction)."""
    for kind, model in KINDS.items():
        chosen = sorted(set(ids.get(kind, ())))
        for entry_id in chosen:
            db.session.add(RegistrationEntry(registration_id=registration.id, **{f"{kind}_id": entry_id}))
        if chosen:
            db.session.execute(update(model)
                               .where(model.id.in_(chosen), model.candidate_id == registration.candidate_id,
                                      model.state == "editable")
                               .values(state="locked"))


def unlock_entries(registration: Registration) -> None:
    """Unlock this registration's entries unless another live registration still uses them."""
    for kind, model in KINDS.items():
        column = getattr(RegistrationEntry, f"{kind}_id")
        used_elsewhere = exists(
            select(RegistrationEntry.id)
            .join(Registration, Registration.id == RegistrationEntry.registration_id)
            .where(column == model.id, Registration.id != registration.id,
                   Registration.status.in_([s for s in LIVE_STATUSES if s != "draft"])))
        mine = select(column).where(RegistrationEntry.registration_id == registration.id,
                                    column.is_not(None))
        db.session.execute(update(model)
                           .where(model.id.in_(mine), model.state == "locked", ~used_elsewhere)
                           .values(state="editable")
                           .execution_options(synchronize_session=False))
