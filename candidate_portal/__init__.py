"""考生门户: the candidate-facing blueprint, served at / by the portal app (factory.py)."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask
from flask_babel import Babel

bp = Blueprint("portal", __name__, template_folder="templates", static_folder="static",
               static_url_path="/assets")  # the portal's own CSS and JS, no CDN


TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"  # translations/en/LC_MESSAGES


def init_portal(app: Flask) -> None:
    from candidate_portal.i18n import init_i18n, select_locale
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
    init_i18n(app)
    from candidate_portal import account_views, api_views, home_views, profile_views  # noqa: F401
    app.register_blueprint(bp)


@bp.before_app_request
def _forget_previous_request():
    """Per-request caches live on ``g``; when an app context outlives a request (tests hold one
    open), the next request must not see the previous request's candidate or CSRF token."""
    from flask import current_app, g
    g.pop("candidate", None)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


@bp.app_context_processor
def _portal_globals():
    from candidate_portal.auth import current_candidate
    from flask import current_app, url_for

    def nav_url(endpoint: str, fallback: str = "#") -> str:
        """A menu link that still renders while the page behind it is being built."""
        return url_for(endpoint) if endpoint in current_app.view_functions else fallback

    return {"current_candidate": current_candidate, "nav_url": nav_url}
from candidate_portal import print_views  # noqa: E402,F401  (打印报名申请表)
from candidate_portal import registration_views  # noqa: E402,F401  (考试报名)
from candidate_portal import payment_views  # noqa: E402,F401  (网上缴费)
