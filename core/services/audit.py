"""The one way to write the audit log (审计日志). Entries are append-only (see migration 0002)."""
from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from core.db import db, utcnow
from core.models import AuditEntry
from core.services.audit_text import name_of

# Fields never written to the log in clear: document numbers are masked, secrets dropped.
_SECRET_FIELDS = {"password", "password_hash", "recovery_answer", "recovery_answer_hash", "totp_secret"}


def mask_document(number: str | None) -> str | None:
    """110105194912310021 -> 110105********0021 (the first 6 and last 4 stay)."""
    if not number or len(number) <= 10:
        return "*" * len(number or "")
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def _clean(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    out = {}
    for key, value in data.items():
        if key in _SECRET_FIELDS:
            continue
        if key in ("doc_number", "permit_number") and isinstance(value, str):
            value = mask_document(value)
        out[key] = value if isinstance(value, (str, int, float, bool, type(None), list, dict)) else str(value)
    return out


def record(action: str, *, actor_type: str, actor_id: int | None = None, actor_name: str | None = None,
           obj: Any = None, object_type: str | None = None, object_id: int | None = None,
           before: dict | None = None, after: dict | None = None) -> AuditEntry:
    """Add an audit entry to the current transaction (committed with the change it describes).

    ``action`` is namespaced: ``candidate.account.registered``, ``registration.submitted`` ...
    """
    entry = AuditEntry(**_values(action, actor_type, actor_id, actor_name, obj, object_type, object_id, before,
                                 after))
    db.session.add(entry)
    return entry


def append(action: str, *, actor_type: str, actor_id: int | None = None, actor_name: str | None = None,
           obj: Any = None, object_type: str | None = None, object_id: int | None = None,
           before: dict | None = None, after: dict | None = None) -> None:
    """``record`` for a caller that needs no AuditEntry object back (a registration's transition): the same
    entry, written at once by a table INSERT built once, in the current transaction, instead of an object the
    next flush writes through the unit of work. Entries other code added before are flushed first (the
    session's autoflush), so the log keeps the order things happened in."""
    db.session.execute(_INSERT, _values(action, actor_type, actor_id, actor_name, obj, object_type, object_id,
                                        before, after))


_INSERT = AuditEntry.__table__.insert()


def _values(action, actor_type, actor_id, actor_name, obj, object_type, object_id, before, after) -> dict:
    if actor_name is None and actor_type in ("candidate", "staff"):
        actor_name = name_of(actor_type, actor_id)  # the log names people, not only numbers
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        object_id = object_id if object_id is not None else obj.id
    return dict(action=action, actor_type=actor_type, actor_id=actor_id, actor_name=actor_name,
                object_type=object_type, object_id=object_id, before=_clean(before), after=_clean(after),
                ip=request.remote_addr if has_request_context() else None, at=utcnow())
