"""``queue``: the one way to tell a candidate something. Called inside the transaction of the event itself.

    queue(candidate, "payment_paid", {"name": ..., "number": ..., "amount": ...}, key=f"order:{order.id}:paid")

writes one row per channel into ``notify_messages`` in the caller's transaction: the 消息中心 always (already
delivered: the row is the message), e-mail when the candidate has a verified address and SMTP is configured,
SMS when they have a verified mobile number and an SMS provider is configured; non-essential templates only on the
channels the candidate left on (``notify_settings``), essential ones on every channel they have. A rollback
removes them with the event; the commit makes them due for delivery (core/notify/delivery.py), and the
delivery backend is woken after the commit (core/notify/dispatch.py).

``key`` names the event (the same event queued twice writes nothing the second time): ``INSERT ... ON
CONFLICT (key) DO NOTHING`` on the unique key ``<key>:<channel>``, so two transactions racing on the same
event never fail each other either.
"""
from __future__ import annotations

import json

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.db import db, insert_ignoring, utcnow
from core.models import Candidate, Message, NotifySettings
from core.notify import dispatch
from core.notify.templates import TEMPLATES, render

PENDING = "notify_pending"  # session.info flag: this transaction queued deliverable messages


UNREAD = object()  # queue's ``prefs`` not given: read them


def queue(candidate: Candidate | int, template: str, params: dict, *, key: str, prefs=UNREAD) -> int:
    """Queue the messages of one event (see the module's text); returns the rows written (0: already queued).
    ``prefs``: the candidate's ``NotifySettings`` (None: they have none) when the caller has read them already."""
    cand = candidate if isinstance(candidate, Candidate) else db.session.get(Candidate, candidate)
    if prefs is UNREAD:
        prefs = db.session.get(NotifySettings, cand.id)
    return _write(_rows(cand, prefs, template, params, key, utcnow()))


def queue_many(template: str, items: list[tuple[int, dict, str]]) -> int:
    """Queue one event each for many candidates: ``items`` are (candidate id, params, key). The candidates and
    their settings are read in one query each and the messages written by one multi-row INSERT per 1,000 rows, instead of
    a ``queue`` per candidate. Same rules and idempotency as ``queue``; returns the rows written."""
    ids = sorted({cand_id for cand_id, _params, _key in items})
    cands, prefs = {}, {}
    for chunk in range(0, len(ids), 5000):
        part = ids[chunk:chunk + 5000]
        cands.update({c.id: c for c in db.session.scalars(select(Candidate).where(Candidate.id.in_(part)))})
        prefs.update({p.candidate_id: p for p in db.session.scalars(
            select(NotifySettings).where(NotifySettings.candidate_id.in_(part)))})
    now = utcnow()
    rows = [row for cand_id, params, key in items
            for row in _rows(cands[cand_id], prefs.get(cand_id), template, params, key, now)]
    return _write(rows)


def _rows(cand: Candidate, prefs: NotifySettings | None, template: str, params: dict, key: str, now) -> list[dict]:
    t = TEMPLATES[template]
    prefs = prefs or NotifySettings(lang="zh", email_enabled=True, sms_enabled=True)
    text = render(template, prefs.lang, {"name": cand.name, **params},
                  hide=(cand.doc_number, cand.permit_number or ""))
    base = dict(candidate_id=cand.id, template=template, params=params, lang=prefs.lang, subject=text.subject,
                attempts=0, next_attempt_at=now, created_at=now, recipient=None, body_html=None)
    rows = [dict(base, key=f"{key}:inbox", channel="inbox", body_text=text.text, state="sent", sent_at=now)]
    for channel, recipient in _channels(cand, prefs, t.essential):
        rows.append(dict(base, key=f"{key}:{channel}", channel=channel, recipient=recipient, sent_at=None,
                         body_text=text.sms if channel == "sms" else text.text, state="queued",
                         body_html=text.html if channel == "email" else None))
    return rows


COPY_FROM = 200  # at least this many rows: on PostgreSQL through COPY into a temporary table (see _write)
_COLUMNS = ("key", "candidate_id", "channel", "template", "params", "lang", "recipient", "subject", "body_text",
            "body_html", "state", "attempts", "next_attempt_at", "sent_at", "created_at")


def _write(rows: list[dict]) -> int:
    """The rows in as few round trips as possible; those already there (same key) are skipped. Few rows, or not
    PostgreSQL: one cached INSERT ... ON CONFLICT DO NOTHING RETURNING, sent by SQLAlchemy's "insertmanyvalues"
    as one multi-row INSERT per 1,000 rows (a ``.values([...])`` statement of thousands of rows instead costs
    seconds to compile, uncached). Many rows on PostgreSQL: COPY into a temporary table (dropped at commit), then
    one INSERT ... SELECT ... ON CONFLICT DO NOTHING (COPY itself cannot skip duplicates)."""
    if not rows:
        return 0
    conn = db.session.connection()
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        written = _copy_in(conn, rows)
    else:
        written = conn.execute(insert_ignoring(Message.__table__, ("key",), Message.channel, conn.dialect.name),
                               rows).scalars().all()
    if any(channel != "inbox" for channel in written):
        db.session.info[PENDING] = True
    return len(written)


def _copy_in(conn, rows: list[dict]) -> list[str]:
    from sqlalchemy import text
    cols = ", ".join(_COLUMNS)
    conn.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS notify_incoming "
                      "(LIKE notify_messages INCLUDING DEFAULTS) ON COMMIT DROP"))
    with conn.connection.driver_connection.cursor() as cursor, \
            cursor.copy(f"COPY notify_incoming ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c], ensure_ascii=False) if c == "params" else row[c] for c in _COLUMNS])
    channels = conn.execute(text(f"INSERT INTO notify_messages ({cols}) SELECT {cols} FROM notify_incoming "
                                 "ORDER BY id ON CONFLICT (key) DO NOTHING RETURNING channel")).scalars().all()
    conn.execute(text("TRUNCATE notify_incoming"))
    return channels


def queue_code(cand: Candidate, channel: str, recipient: str, params: dict, *, key: str) -> None:
    """The verification code message (template ``contact_code``): one row, on ``channel`` to ``recipient`` only,
    verified or not (the one message an unverified contact receives), never in the 消息中心. Delivered as soon as
    the caller commits (the delivery backend is woken)."""
    prefs = db.session.get(NotifySettings, cand.id)
    lang = prefs.lang if prefs else "zh"
    purpose = params["purpose"][lang if lang in params["purpose"] else "zh"]  # {"zh": ..., "en": ...}
    text = render("contact_code", lang, {"name": cand.name, "code": params["code"], "purpose": purpose},
                  hide=(cand.doc_number, cand.permit_number or ""))
    now = utcnow()
    db.session.add(Message(key=key, candidate_id=cand.id, channel=channel, template="contact_code",
                           params={"code": params["code"]},
                           lang=lang, recipient=recipient, subject=text.subject,
                           body_text=text.sms if channel == "sms" else text.text,
                           body_html=text.html if channel == "email" else None, state="queued", attempts=0,
                           next_attempt_at=now, created_at=now))
    db.session.info[PENDING] = True


def _channels(cand: Candidate, prefs: NotifySettings, essential: bool) -> list[tuple[str, str]]:
    """E-mail and SMS only to contacts the candidate verified with a code."""
    config = current_app.config
    found = []
    if cand.email and cand.email_verified_at and config["SMTP_HOST"] and (essential or prefs.email_enabled):
        found.append(("email", cand.email))
    if cand.mobile and cand.mobile_verified_at and config["SMS_PROVIDER"] and (essential or prefs.sms_enabled):
        found.append(("sms", cand.mobile))
    return found


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(PENDING, False):
        dispatch.wake()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)
