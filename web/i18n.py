"""Template translations without Flask-Babel's per-call lookup.

Flask-Babel's template ``_()`` resolves the request's domain, locale and translations catalogue on every
call (about 20 µs); a portal page calls it about 90 times, 1.8 ms of a 13 ms page. Here the catalogue is
looked up once per request and locale and kept beside Flask-Babel's own per-request state, so
``force_locale`` (an e-mail in the candidate's language) still switches it.

``_('text')`` without parameters (most of a page's ~140 calls) is translated once per process: the
result is kept on the catalogue object itself, so each locale has its own and a switched locale finds
its own. The i18n extension's ``_`` made two context calls, a lookup and a ``Markup % {}`` per string
(about 6 µs; 0.8 ms of 个人信息中心); a kept string costs one context call and a dict lookup.
"""
from __future__ import annotations

from flask import Flask
from flask.globals import _cv_app
from flask_babel import get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

KEPT_STRINGS = 5000  # per catalogue: templates' own texts; a `_(value)` of unbounded values stops being kept


def _translations():
    # The app context straight from its context variable: a page makes ~80 of these calls, and the ``g``
    # proxy's two lookups were ten times the rest (2 µs a call).
    app_ctx = _cv_app.get(None)
    state = getattr(app_ctx.g, "_flask_babel", None) if app_ctx is not None else None
    locale = getattr(state, "babel_locale", None)
    if locale is None:  # before Flask-Babel has chosen the locale: let it
        return get_translations()
    cached = getattr(state, "template_translations", None)
    if cached is None or cached[0] is not locale:
        cached = state.template_translations = (locale, get_translations())
    return cached[1]


def translate(text: str) -> str:
    """Flask-Babel's ``gettext(text)`` (no parameters) with the catalogue of ``_translations``."""
    return _translations().ugettext(text)


@pass_eval_context  # not pass_context: after a {% set %} in a block or loop, Jinja copies the context per call
def template_gettext(eval_ctx, string: str, **variables):
    """The templates' ``_()``/``gettext()``: what the i18n extension's newstyle gettext returns, the same
    Markup or text (``%%`` unescaped, parameters escaped), kept per catalogue when there are no parameters."""
    autoescape = eval_ctx.autoescape
    translations = _translations()
    if variables:
        text = translations.ugettext(string)
        return (Markup(text) if autoescape else text) % variables
    kept = translations.__dict__.get("_template_strings")
    if kept is None:
        kept = translations.__dict__.setdefault("_template_strings", {})
    try:
        return kept[string, autoescape]
    except KeyError:
        text = translations.ugettext(string)
        text = (Markup(text) if autoescape else text) % {}
        if len(kept) < KEPT_STRINGS:
            kept[string, autoescape] = text
        return text


def install_template_gettext(app: Flask) -> None:
    """Replace the i18n extension's callables that Flask-Babel installed (call after Babel is set up)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
