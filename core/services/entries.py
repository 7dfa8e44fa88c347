"""The entries a submitted registration uses: recorded once, at 提交, in ``registration_entries``.

That record is what locks them (锁定: ``EntryMixin.state``, derived, in core/models/candidate.py): an entry is
locked while a live submitted registration uses it, unless a reviewer has verified it (对勾). When the
registration stops being live — abandoned, rejected, or expired for non-payment — its entries are editable
again unless another live registration uses them (the guide: 可通过放弃相关报考项目来解锁), without any write.
"""
from __future__ import annotations

from core.db import db
from core.models import Registration, RegistrationEntry
from core.models.candidate import ENTRY_MODELS

# 提交 runs this: a table statement built once, without the ORM's bulk and session-synchronising machinery
# (nothing here reads the rows back, and the submission's commit expires the loaded entries).
_RECORD = RegistrationEntry.__table__.insert()


def record_entries(registration: Registration, ids: dict[str, list[int]]) -> None:
    """Record the entries a registration uses (caller's transaction, which commits)."""
    rows = [{"registration_id": registration.id, "education_id": None, "training_id": None, "certificate_id": None,
             f"{kind}_id": entry_id} for kind in ENTRY_MODELS for entry_id in sorted(set(ids.get(kind, ())))]
    if rows:
        db.session.execute(_RECORD, rows)
