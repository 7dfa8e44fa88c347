"""What the platform holds about one candidate, kind by kind (PIPL Art. 45: access and copy).

A registry: each kind of data registers a collector, ``@collector("messages", "站内消息")``, returning plain
JSON values (dicts, lists, strings, numbers) for one candidate id. The copy a candidate downloads
(``reports/privacy_copy.py``) is every registered collector's output, in registration order, so a new kind
of personal data (document scans, messages) adds its collector in its own module and is in the copy.
``collect`` reads only rows of that candidate: every query here filters on the candidate's id.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

from sqlalchemy import inspect, or_, select

from core.db import db
from core.models import (AuditEntry, Candidate, Certificate, Document, Education, KnownDevice, Message,
                         NotifySettings, PaymentOrder, PrivacyConsent, Refund, Registration, RegistrationDocument,
                         Training)
from core.models.candidate import ENTRY_STATE_LABELS

# never in a copy: secrets, and the database's own bookkeeping
SECRET_COLUMNS = {"password_hash", "recovery_answer_hash", "submit_token", "failed_logins", "locked_until",
                  "recovery_failures", "recovery_locked_until", "code_hash", "code_channel", "code_purpose",
                  "code_expires_at", "code_tries"}


@dataclass(frozen=True)
class Collector:
    key: str
    title: str  # the section's heading in the PDF (Chinese)
    collect: Callable[[int], Any]


COLLECTORS: dict[str, Collector] = {}


def collector(key: str, title: str):
    """Register the function that returns this kind of data for one candidate id."""
    def register(func: Callable[[int], Any]) -> Callable[[int], Any]:
        COLLECTORS[key] = Collector(key, title, func)
        return func
    return register


def plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A model row as a dict of its columns, without secrets."""
    return {c.key: plain(getattr(obj, c.key)) for c in inspect(type(obj)).column_attrs
            if c.key not in SECRET_COLUMNS and c.key not in skip}


def collect(candidate_id: int) -> dict[str, Any]:
    """{key: data} of every registered kind, for this candidate only."""
    return {key: c.collect(candidate_id) for key, c in COLLECTORS.items()}


def _rows(model, *where, order=None) -> list[dict]:
    return [row(o) for o in db.session.scalars(select(model).where(*where).order_by(order or model.id))]


@collector("account", "账户和个人信息")
def _account(candidate_id: int) -> dict:
    return row(db.session.get(Candidate, candidate_id))


@collector("consents", "个人信息处理同意记录")
def _consents(candidate_id: int) -> list[dict]:
    return _rows(PrivacyConsent, PrivacyConsent.candidate_id == candidate_id)


def _entries(model, candidate_id: int) -> list[dict]:
    """The entries with their state as the candidate sees it (已锁定 / 已验证 / 可修改: derived, not a column)."""
    return [{**row(o, skip=("in_use",)), "state": ENTRY_STATE_LABELS[o.state]}
            for o in db.session.scalars(select(model).where(model.candidate_id == candidate_id).order_by(model.id))]


@collector("educations", "教育经历")
def _educations(candidate_id: int) -> list[dict]:
    return _entries(Education, candidate_id)


@collector("trainings", "培训经历")
def _trainings(candidate_id: int) -> list[dict]:
    return _entries(Training, candidate_id)


@collector("certificates", "证书情况")
def _certificates(candidate_id: int) -> list[dict]:
    return _entries(Certificate, candidate_id)


def _registration_ids(candidate_id: int) -> select:
    return select(Registration.id).where(Registration.candidate_id == candidate_id)


@collector("registrations", "报名（含提交时冻结的报名信息）")
def _registrations(candidate_id: int) -> list[dict]:
    return _rows(Registration, Registration.candidate_id == candidate_id)


@collector("payments", "缴费订单")
def _payments(candidate_id: int) -> list[dict]:
    return _rows(PaymentOrder, PaymentOrder.registration_id.in_(_registration_ids(candidate_id)))


@collector("refunds", "退费记录")
def _refunds(candidate_id: int) -> list[dict]:
    orders = select(PaymentOrder.id).where(PaymentOrder.registration_id.in_(_registration_ids(candidate_id)))
    return [row(r, skip=("executed_by_id",)) for r in
            db.session.scalars(select(Refund).where(Refund.order_id.in_(orders)).order_by(Refund.id))]


@collector("documents", "审核材料（上传记录和审核结论；文件本身为本人上传）")
def _documents(candidate_id: int) -> dict:
    """The uploads (not their storage keys) and, per registration, each document's verdict and reasons."""
    internal = ("key", "thumb_key", "page_keys")
    return {"uploads": [row(d, skip=internal) for d in db.session.scalars(
                select(Document).where(Document.candidate_id == candidate_id).order_by(Document.id))],
            "reviews": [row(link, skip=("reviewed_by_id",)) for link in db.session.scalars(
                select(RegistrationDocument).where(RegistrationDocument.registration_id.in_(
                    _registration_ids(candidate_id))).order_by(RegistrationDocument.id))]}


@collector("documents", "审核材料（上传记录和审核结论；文件本身为本人上传）")
def _documents(candidate_id: int) -> dict:
    """The uploads (not their storage keys) and, per registration, each document's verdict and reasons."""
    internal = ("key", "thumb_key", "page_keys")
    return {"uploads": [row(d, skip=internal) for d in db.session.scalars(
                select(Document).where(Document.candidate_id == candidate_id).order_by(Document.id))],
            "reviews": [row(link, skip=("reviewed_by_id",)) for link in db.session.scalars(
                select(RegistrationDocument).where(RegistrationDocument.registration_id.in_(
                    _registration_ids(candidate_id))).order_by(RegistrationDocument.id))]}


@collector("messages", "通知消息（消息中心、电子邮件、短信）")
def _messages(candidate_id: int) -> list[dict]:
    return _rows(Message, Message.candidate_id == candidate_id)


@collector("notify_settings", "通知设置和登录过的设备")
def _notify_settings(candidate_id: int) -> dict:
    settings = db.session.get(NotifySettings, candidate_id)
    return {"settings": row(settings) if settings else None,
            "devices": _rows(KnownDevice, KnownDevice.candidate_id == candidate_id)}


@collector("audit", "审计日志中关于本人的记录")
def _audit(candidate_id: int) -> list[dict]:
    """Entries by the candidate, and about the candidate or their registrations and entries. Staff are
    named by role only (their user names are their own personal information); IP addresses only of the
    candidate's own actions."""
    about = [(AuditEntry.object_type == "candidates") & (AuditEntry.object_id == candidate_id),
             (AuditEntry.object_type == "registrations") & AuditEntry.object_id.in_(_registration_ids(candidate_id)),
             (AuditEntry.actor_type == "candidate") & (AuditEntry.actor_id == candidate_id)]
    for model in (Education, Training, Certificate):
        about.append((AuditEntry.object_type == model.__tablename__) & AuditEntry.object_id.in_(
            select(model.id).where(model.candidate_id == candidate_id)))
    out = []
    for entry in db.session.scalars(select(AuditEntry).where(or_(*about)).order_by(AuditEntry.id)):
        own = entry.actor_type == "candidate" and entry.actor_id == candidate_id
        item = row(entry, skip=() if own else ("actor_id", "actor_name", "ip"))
        out.append(item)
    return out
