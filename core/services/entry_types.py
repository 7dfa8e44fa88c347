"""The 培训类型 and 证书类型 names the entry forms offer (the wizard's 修改; 个人信息 reads them with its entries:
core/services/profile_page.py), both in one query."""
from __future__ import annotations

from sqlalchemy import literal, select, union_all

from core.db import db
from core.models import CertificateType, TrainingType

# built once, at import: the statement is the same on every request
_NAMES = union_all(
    select(literal("training").label("kind"), TrainingType.id.label("id"), TrainingType.name.label("name")),
    select(literal("certificate"), CertificateType.id, CertificateType.name),
).order_by("kind", "id")


def type_names() -> dict[str, dict[str, str]]:
    """{"training_types": {id: name}, "certificate_types": {id: name}}, ids as strings (form values), in id order."""
    out: dict[str, dict[str, str]] = {"training_types": {}, "certificate_types": {}}
    for kind, type_id, name in db.session.execute(_NAMES):
        out[f"{kind}_types"][str(type_id)] = name
    return out
