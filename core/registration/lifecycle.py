"""A registration's life: the transition table, and ``transition``, the only code that writes its status.

    draft ──submit──▶ submitted ──approve──▶ approved
    draft ──discard──▶ (deleted)
    submitted, approved ──reject──▶ rejected
    submitted, approved ──abandon──▶ abandoned
    submitted, approved ──expire (unpaid only)──▶ expired
    网上资格审核 (core/documents/review.py):
    submitted, corrected, lapsed ──request_correction (需补正)──▶ correction ──resubmit (补正后提交)──▶ corrected
    correction ──lapse_correction (逾期未补正, the scheduled job)──▶ lapsed
    submitted, corrected, lapsed ──approve──▶ approved

``transition(reg, name, actor)`` moves the row with one conditional UPDATE (``WHERE status IN (sources)``),
refused with ``StaleState`` when the row is no longer there (another tab, another reviewer, the expiry
job): so each transition happens once, however many times it is raced. In the same transaction it runs
the consequences, in this order:

- entering a live submitted state (submit): the entries it uses are recorded (which locks them while the
  registration is live: core.services.entries); its seat is taken last (the site's row lock is held only
  until the commit) and a full site refuses the whole transition;
- leaving the live states (abandon, reject, expire): the seat is given back (once: only the call that
  moved the row gets here); a paid registration gets a refund request (the refund policy below);
- an audit entry naming the actor (a candidate, a staff user or the system: one value, never free text);
- the ``transitioned`` signal, where notifications are queued in the same transaction.

The caller commits (or rolls back: then nothing of it happened).

Refund policy (docs/architecture.md): whatever ends a paid registration — 放弃报考, 审核不通过 —
a refund is requested (退费处理中) for finance to execute; expiry ends only unpaid registrations. A
payment that arrives after the registration ended is turned into a refund request by the payment service
(``core.payments.service``), so the order in which the two happen does not matter.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from blinker import Namespace
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from core.db import db, utcnow
from core.models import NotifySettings, Registration, Site
from core.notify import events as notify_events
from core.notify.outbox import UNREAD
from core.payments.orders import request_refund
from core.registration.errors import SiteFull, StaleState
from core.registration.states import (ABANDONED, APPROVED, CORRECTED, CORRECTION, DRAFT, ENDED, EXPIRED,
                                      LAPSED, REJECTED, SUBMITTED, SUBMITTED_LIVE, UNDER_REVIEW, label)
from core.services import audit, entries, seats
from core.services.errors import NotAllowed

CANDIDATE, STAFF, SYSTEM = "candidate", "staff", "system"


@dataclass(frozen=True)
class Actor:
    """Who triggers a transition: a candidate, a staff user (reviewer) or the system (jobs, payments)."""

    kind: str
    id: int | None = None
    name: str | None = None

    @classmethod
    def candidate(cls, candidate) -> Actor:
        return cls(CANDIDATE, candidate.id, candidate.username)

    @classmethod
    def staff(cls, user) -> Actor:
        return cls(STAFF, user.id, user.username)

    @property
    def label(self) -> str:
        """As shown to people: 考生 zhangsan, 工作人员 reviewer1, 系统."""
        title = {CANDIDATE: "考生", STAFF: "工作人员", SYSTEM: "系统"}[self.kind]
        return f"{title} {self.name}" if self.name else title

    def audit_fields(self) -> dict:
        return dict(actor_type=self.kind, actor_id=self.id, actor_name=self.name)


SYSTEM_ACTOR = Actor(SYSTEM)


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str | None  # None: the row is deleted (a draft holds nothing worth keeping)
    actors: tuple[str, ...]  # who may trigger it
    verb: str  # for refusals: 不能<verb>
    audit_action: str
    refund_reason: str | None = None  # leaving a paid registration: the refund request's reason
    unpaid_only: bool = False  # only while payment_status is 'unpaid'


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition((DRAFT,), SUBMITTED, (CANDIDATE,), "提交", "registration.submitted"),
    "discard": Transition((DRAFT,), None, (CANDIDATE,), "放弃", "registration.draft_discarded"),
    "approve": Transition(UNDER_REVIEW, APPROVED, (STAFF,), "审核通过", "registration.approved"),
    "reject": Transition(SUBMITTED_LIVE, REJECTED, (STAFF,), "审核不通过", "registration.rejected",
                         refund_reason="审核不通过"),
    "abandon": Transition(SUBMITTED_LIVE, ABANDONED, (CANDIDATE,), "放弃报考", "registration.abandoned",
                          refund_reason="考生放弃报考"),
    "expire": Transition(SUBMITTED_LIVE, EXPIRED, (SYSTEM,), "逾期失效", "registration.expired",
                         refund_reason="逾期未缴费", unpaid_only=True),
    # 网上资格审核: the case goes back and forth between reviewer and candidate, keeping seat and number
    "request_correction": Transition(UNDER_REVIEW, CORRECTION, (STAFF,), "要求补正",
                                     "registration.correction_requested"),
    "resubmit": Transition((CORRECTION,), CORRECTED, (CANDIDATE,), "补正后提交", "registration.corrected"),
    "lapse_correction": Transition((CORRECTION,), LAPSED, (SYSTEM,), "逾期未补正",
                                   "registration.correction_lapsed"),
}

# Receivers: fn(registration, name=..., actor=..., outcome=...), called inside the transaction.
transitioned = Namespace().signal("registration-transitioned")
transitioned.connect(notify_events.on_transitioned)  # messages to the candidate (core/notify/events.py)


@dataclass
class Outcome:
    """What a transition did (also written to its audit entry)."""

    name: str
    before: str
    after: str | None
    seat_released: bool = False
    refund_requested: bool = False
    changes: dict = field(default_factory=dict)  # the columns written
    notify_prefs: object = UNREAD  # the candidate's NotifySettings (None: no row), for the transition's message

    def keep_loaded(self, reg: Registration) -> None:
        """After the commit: the registration shows what was written, without reading it back."""
        for key, value in self.changes.items():
            set_committed_value(reg, key, value)


def transition(reg: Registration, name: str, actor: Actor, *, values: dict | None = None,
               entry_ids: dict[str, list[int]] | None = None, reason: str | None = None,
               detail: dict | None = None, expect: dict | None = None) -> Outcome:
    """Perform transition ``name`` on ``reg`` with its consequences, in the caller's transaction.

    ``values``: more columns written with the status (submit's number, snapshot ...); ``entry_ids``: the
    entries a submission uses; ``reason``: a reviewer's reason (审核不通过); ``detail``: more for the audit;
    ``expect``: more columns the row must still hold (a reviewer's ``review_version``: the case as seen).
    Raises NotAllowed for an actor the table does not name, StaleState when the row is not in a source
    state any more, SiteFull when a submission finds the site full.
    """
    t = TRANSITIONS[name]
    if actor.kind not in t.actors:
        raise NotAllowed(f"{actor.label}不能{t.verb}。")
    outcome = Outcome(name, reg.status, t.target)
    expect = expect or {}
    if t.target is None:
        where = [Registration.id == reg.id, Registration.status.in_(t.sources)]
        where += [getattr(Registration, column) == value for column, value in expect.items()]
        if db.session.execute(delete(Registration).where(*where)
                              .execution_options(synchronize_session=False)).rowcount != 1:
            raise _stale(reg, t)
    else:
        changes = {**_stamps(name, actor, reason), **(values or {}), "status": t.target, "updated_at": utcnow()}
        params = {"row_id": reg.id, "prefs_of": reg.candidate_id,
                  **{f"set_{key}": value for key, value in changes.items()},
                  **{f"expect_{key}": value for key, value in expect.items()}}
        row = db.session.execute(_status_update(name, tuple(changes), tuple(expect)), params).first()
        if row is None:
            raise _stale(reg, t)
        outcome.notify_prefs = _prefs(reg.candidate_id, row)
        outcome.changes = {**changes, "payment_status": row.payment_status}
        outcome.keep_loaded(reg)
        if t.target in SUBMITTED_LIVE and outcome.before == DRAFT:
            entries.record_entries(reg, entry_ids or {})
        if t.target in ENDED:
            _end(reg, t, actor, row, outcome)
    audit.append(t.audit_action, **actor.audit_fields(), object_type="registrations", object_id=reg.id,
                 before={"status": outcome.before},
                 after={"status": t.target, "number": reg.number, **({"reason": reason} if reason else {}),
                        **(detail or {}), "seat_released": outcome.seat_released,
                        "refund_requested": outcome.refund_requested})
    transitioned.send(reg, name=name, actor=actor, outcome=outcome)
    if name == "submit" and not seats.take_seat(reg.site_id):  # the hot row last
        raise SiteFull.at(db.session.get(Site, reg.site_id))
    return outcome


# The candidate's notification settings come back with the status UPDATE, for the message the transition
# queues (core.notify.events): most candidates have no row, which a session.get would ask the database for.
# By the candidate's id, not correlated: SQLite names the columns of an UPDATE's RETURNING without their table.
_PREFS = tuple(select(column).where(NotifySettings.candidate_id == bindparam("prefs_of")).scalar_subquery()
               .label(f"notify_{column.key}")
               for column in (NotifySettings.lang, NotifySettings.email_enabled, NotifySettings.sms_enabled))


_STATUS_UPDATES: dict[tuple, object] = {}


def _status_update(name: str, columns: tuple[str, ...], expect: tuple[str, ...]):
    """The status UPDATE of transition ``name`` writing ``columns``: a table statement built once per transition
    and set of columns (a handful in all), with the row's id, the values and ``expect`` as parameters (``row_id``,
    ``set_<column>``, ``expect_<column>``, ``prefs_of``). Built from the table, not the mapped class: the ORM's
    bulk-update machinery (the values coerced and the statement's cache key computed per call) did nothing here
    that a table statement does not."""
    key = (name, columns, expect)
    statement = _STATUS_UPDATES.get(key)
    if statement is None:
        t, table, mapped = TRANSITIONS[name], Registration.__table__, Registration.__mapper__.columns
        where = [table.c.id == bindparam("row_id"), table.c.status.in_(t.sources)]
        if t.unpaid_only:
            where.append(table.c.payment_status == "unpaid")
        where += [mapped[column] == bindparam(f"expect_{column}") for column in expect]
        statement = (update(Registration.__table__).where(*where)  # spelled out: tests/architecture sees it
                     .values({mapped[column]: bindparam(f"set_{column}", type_=mapped[column].type)
                              for column in columns})
                     .returning(table.c.payment_status, table.c.site_id, *_PREFS))
        _STATUS_UPDATES[key] = statement
    return statement


def _prefs(candidate_id: int, row) -> NotifySettings | None:
    if row.notify_lang is None:  # lang is NOT NULL: no row
        return None
    return NotifySettings(candidate_id=candidate_id, lang=row.notify_lang, email_enabled=row.notify_email_enabled,
                          sms_enabled=row.notify_sms_enabled)


def _stamps(name: str, actor: Actor, reason: str | None) -> dict:
    """Who and when, on the row itself (the portal and the back office show them)."""
    now = utcnow()
    if name == "abandon":
        return {"abandoned_at": now, "abandoned_by": actor.label}
    if name in ("approve", "reject", "request_correction"):
        return {"reviewed_at": now, "reviewed_by_id": actor.id, "reject_reason": reason}
    return {}


def _end(reg: Registration, t: Transition, actor: Actor, row, outcome: Outcome) -> None:
    """Leaving the live states: seat back, a refund requested if it was paid (the entries unlock themselves)."""
    if row.site_id is not None:
        outcome.seat_released = seats.release_seat(row.site_id)
    if row.payment_status == "paid":  # read under the row's lock: a payment racing this one sees ENDED
        outcome.refund_requested = request_refund(reg, t.refund_reason, actor_type=actor.kind,
                                                  actor_id=actor.id) is not None
        if outcome.refund_requested:
            outcome.changes["payment_status"] = "refund_pending"
            outcome.keep_loaded(reg)


def _stale(reg: Registration, t: Transition) -> StaleState:
    current = db.session.scalar(select(Registration.status).where(Registration.id == reg.id))
    if current in t.sources:  # same state, but changed meanwhile (another reviewer, a 补正)
        return StaleState(f"报名{' ' + reg.number if reg.number else ''}已被他人处理或已有更新，请刷新页面后再{t.verb}。")
    where = f"当前状态为“{label(current)}”" if current else "已不存在"
    return StaleState(f"报名{' ' + reg.number if reg.number else ''}{where}，不能{t.verb}。")


def allowed(reg: Registration, name: str) -> bool:
    """Whether transition ``name`` starts from the registration's status as loaded (for showing buttons)."""
    t = TRANSITIONS[name]
    return reg.status in t.sources and not (t.unpaid_only and reg.payment_status != "unpaid")
