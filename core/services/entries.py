"""锁定 / 解锁: education, training and certificate entries used by registrations.

An entry ticked in a submitted registration is locked (lock icon; not editable in the personal-information
centre) unless a reviewer has already verified it (tick icon, never editable again). When the registration
stops being live — abandoned, rejected, or expired for non-payment — the entries no other live registration
still uses are unlocked (the guide: 可通过放弃相关报考项目来解锁).
"""
from __future__ import annotations

from sqlalchemy import bindparam, exists, select, update

from core.db import db
from core.models import Candidate, Registration, RegistrationEntry
from core.models.candidate import ENTRY_MODELS
from core.registration.states import SUBMITTED_LIVE


# 提交 runs these: table statements built once, without the ORM's bulk and session-synchronising machinery
# (nothing here reads the rows back, and the submission's commit expires the loaded entries).
_RECORD = RegistrationEntry.__table__.insert()
_LOCK = {kind: update(model.__table__)
         .where(model.__table__.c.id.in_(bindparam("ids", expanding=True)),
                model.__table__.c.candidate_id == bindparam("owner_id"), model.__table__.c.state == "editable")
         .values(state="locked")
         for kind, model in ENTRY_MODELS.items()}


def lock_entries(registration: Registration, ids: dict[str, list[int]]) -> None:
    """Record the entries a registration uses and lock the editable ones (caller's transaction, which commits)."""
    rows = [{"registration_id": registration.id, "education_id": None, "training_id": None, "certificate_id": None,
             f"{kind}_id": entry_id} for kind in ENTRY_MODELS for entry_id in sorted(set(ids.get(kind, ())))]
    if rows:
        db.session.execute(_RECORD, rows)
    for kind in ENTRY_MODELS:
        chosen = sorted(set(ids.get(kind, ())))
        if chosen:
            db.session.execute(_LOCK[kind], {"ids": chosen, "owner_id": registration.candidate_id})


def unlock_entries(registration: Registration) -> dict[str, list[int]]:
    """Unlock this registration's entries unless another live registration still uses them.

    Every path that moves a submitted registration out of the live statuses (放弃报考, 审核不通过, 逾期未缴费)
    calls it in that transaction, after its status UPDATE; it returns the ids unlocked, by kind, for the
    audit entry. The candidate's row is locked first (PostgreSQL; SQLite writers queue anyway), so two of
    their registrations ending at once do not each still count the other as live and leave a shared entry
    locked for good: the second waits, then sees the first one's new status.
    """
    db.session.execute(select(Candidate.id).where(Candidate.id == registration.candidate_id).with_for_update())
    unlocked: dict[str, list[int]] = {}
    for kind, model in ENTRY_MODELS.items():
        column = getattr(RegistrationEntry, f"{kind}_id")
        used_elsewhere = exists(
            select(RegistrationEntry.id)
            .join(Registration, Registration.id == RegistrationEntry.registration_id)
            .where(column == model.id, Registration.id != registration.id,
                   Registration.status.in_(SUBMITTED_LIVE)))
        mine = select(column).where(RegistrationEntry.registration_id == registration.id,
                                    column.is_not(None))
        ids = db.session.scalars(update(model)
                                 .where(model.id.in_(mine), model.state == "locked", ~used_elsewhere)
                                 .values(state="editable")
                                 .returning(model.id)
                                 .execution_options(synchronize_session=False)).all()
        if ids:
            unlocked[kind] = sorted(ids)
    return unlocked
