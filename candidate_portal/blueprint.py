"""The portal's blueprint, on its own so that the view modules can import it while the package imports
the views (no import ring)."""
from __future__ import annotations

from flask import Blueprint, current_app, g, url_for

from core.privacy import notice

bp = Blueprint("portal", __name__, template_folder="templates", static_folder="static",
               static_url_path="/assets")  # the portal's own CSS and JS, no CDN


@bp.before_app_request
def _forget_previous_request():
    """Per-request caches live on ``g``; when an app context outlives a request (tests hold one
    open), the next request must not see the previous request's candidate or CSRF token."""
    g.pop("candidate", None)
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)


def nav_url(endpoint: str, fallback: str = "#") -> str:
    """A menu link that still renders while the page behind it is being built."""
    return url_for(endpoint) if endpoint in current_app.view_functions else fallback


def unread_messages() -> int:
    """消息中心's unread count for the menu (0 when nobody is logged in): read with the session, or counted
    when the candidate was loaded otherwise (just logged in)."""
    from candidate_portal.auth import current_candidate
    from core.notify.inbox import unread_count
    cand = current_candidate()
    if cand is None:
        return 0
    unread = getattr(cand, "unread_messages", None)
    return unread_count(cand.id) if unread is None else unread


@bp.record_once
def _portal_globals(state):
    """What every portal template may call, as Jinja globals: installed once, where a context processor
    built the same functions again for every template rendered."""
    from candidate_portal.auth import current_candidate
    from core.privacy.retention import ACTIONS, SCHEDULE

    state.app.jinja_env.globals.update(current_candidate=current_candidate, nav_url=nav_url,
                                       unread_messages=unread_messages, retention_schedule=SCHEDULE.values,
                                       retention_actions=ACTIONS)


@bp.app_context_processor
def _notice_version():
    return {"notice_version": notice.NOTICE_VERSION}  # the module's value at each render (tests set another)
