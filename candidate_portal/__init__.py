"""考生门户: the candidate-facing blueprint, served at / by the portal app (factory.py)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.templating import _default_template_ctx_processor
from flask_babel import Babel

# every module that adds routes to the blueprint (field_checks: the red frame while typing)
from candidate_portal import (account_views, api_views, field_checks, home_views,  # noqa: F401
                              contact_views, document_views, entry_views, message_views, payment_views,
                              print_views, privacy_views, profile_views, registration_views)
from candidate_portal.blueprint import bp
from web.i18n import install_template_gettext
from web.urls import keep_fixed_urls

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"  # translations/en/LC_MESSAGES


def init_portal(app: Flask) -> None:
    from candidate_portal.i18n import init_i18n, select_locale
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
    install_template_gettext(app)
    init_i18n(app)
    # Flask gives a blueprint the default template context processor again (request, session, g): the app's
    # own already adds the same three to every template, so once is enough.
    bp.template_context_processors[None] = [f for f in bp.template_context_processors[None]
                                            if f is not _default_template_ctx_processor]
    app.register_blueprint(bp)
    keep_fixed_urls(app)
