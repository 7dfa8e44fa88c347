"""Who is logged in to the portal: `current_candidate()`, `login_required`, `log_in`, `log_out`, and the one
loader of a registration by id for them, `own_registration` (another candidate's registration is a 404).

The portal cookie holds only our session token (key ``sid``); the back office has its own cookie.
"""
from __future__ import annotations

import functools

from flask import abort, current_app, g, redirect, request, session, url_for

from core.db import commit_keeping_loaded
from core.models import Candidate, Registration, Site
from core.privacy import notice
from core.registration import access
from core.services import sessions
from core.services.errors import NotAllowed

SESSION_KEY = "sid"
CONSENT_KEY = "privacy_notice"  # the notice version this session has seen agreed


def current_candidate() -> Candidate | None:
    if "candidate" not in g:
        g.candidate = sessions.resolve_session(session.get(SESSION_KEY),
                                               current_app.config["CANDIDATE_IDLE_TIMEOUT"])
    return g.candidate


def log_in(candidate: Candidate) -> None:
    """A fresh session id at login (no fixation): the old cookie content is discarded."""
    session.clear()
    session[SESSION_KEY] = sessions.open_session(candidate, request.remote_addr)
    session.permanent = False
    commit_keeping_loaded()  # the login goes on with the candidate it has just read (must_change_password)
    g.candidate = candidate


def log_out() -> None:
    sessions.close_session(session.pop(SESSION_KEY, None))
    session.clear()
    g.candidate = None


def login_required(view=None, *, consent: bool = True):
    """A logged-in candidate, who has agreed to the current privacy notice (else the page that asks again
    opens first, whatever was asked for; ``consent=False`` only for that page). The agreement, once
    seen, is remembered in the session, so it costs a query once per session and notice version."""
    if view is None:
        return functools.partial(login_required, consent=consent)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        cand = current_candidate()
        if cand is None:
            return redirect(url_for("portal.login", next=request.full_path.rstrip("?")))
        return (consent and consent_missing(cand)) or view(*args, **kwargs)

    return wrapper


def consent_missing(cand: Candidate):
    """A redirect to the page asking for consent to the current notice, or None when it is given."""
    if session.get(CONSENT_KEY) == notice.NOTICE_VERSION:
        return None
    if not notice.has_current_consent(cand.id):
        return redirect(url_for("portal.privacy_consent", next=request.full_path.rstrip("?")))
    session[CONSENT_KEY] = notice.NOTICE_VERSION
    return None


def own_registration(registration_id: int, *, draft: bool = False) -> Registration:
    """The logged-in candidate's registration (only while a draft, with ``draft=True``), or 404.

    Every portal page about one registration loads it here: another candidate's id, like a missing one,
    is a plain 404 that says nothing about it.
    """
    try:
        if draft:
            return access.own_draft(current_candidate(), registration_id)
        return access.own_registration(current_candidate(), registration_id)
    except NotAllowed:
        abort(404)


def own_draft_and_site(registration_id: int, site_id) -> tuple[Registration, Site | None]:
    """``own_registration(draft=True)`` and the site the form names, in one statement (core.registration.access)."""
    try:
        return access.own_draft_and_site(current_candidate(), registration_id, site_id)
    except NotAllowed:
        abort(404)
