"""A candidate's notification settings: the language of their messages and, for non-essential messages,
e-mail and SMS on or off (essential ones — review decisions, refunds, payment, password reset — always go to
every channel they have). No row: Chinese, both on."""
from __future__ import annotations

from core.db import db
from core.models import NotifySettings
from core.notify.templates import LANGS


def settings_of(candidate_id: int) -> NotifySettings:
    return db.session.get(NotifySettings, candidate_id) or NotifySettings(
        candidate_id=candidate_id, lang="zh", email_enabled=True, sms_enabled=True)


def _row(candidate_id: int) -> NotifySettings:
    row = db.session.get(NotifySettings, candidate_id)
    if row is None:
        row = NotifySettings(candidate_id=candidate_id, lang="zh", email_enabled=True, sms_enabled=True)
        db.session.add(row)
    return row


def remember_language(candidate_id: int, lang: str) -> NotifySettings | None:
    """The portal's language becomes the messages' language (the caller commits). Returns the candidate's
    settings row as it now is (None: they have none), for a message queued next (``outbox.queue``'s ``prefs``)."""
    row = db.session.get(NotifySettings, candidate_id)
    if lang in LANGS and (row.lang if row else "zh") != lang:
        row = _row(candidate_id)
        row.lang = lang
    return row


def set_channels(candidate_id: int, *, email: bool, sms: bool) -> None:
    """Channels for non-essential messages. Commits."""
    row = _row(candidate_id)
    row.email_enabled, row.sms_enabled = bool(email), bool(sms)
    db.session.commit()
