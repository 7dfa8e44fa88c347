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

from collections.abc import Iterator

from flask import Flask
from flask.globals import _cv_app
from flask_babel import get_translations
from jinja2 import pass_context, pass_eval_context
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
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
    return _kept(translations, string, autoescape)


@pass_context  # not a plain filter: Jinja would fold a constant argument at compile time, outside any request
def kept_gettext(context, string: str):
    """``_('text')`` as the templates are compiled (``KeptGettext``): a filter, called directly by the compiled
    template, where a call of the global ``_`` goes through Jinja's ``Context.call`` (about 2 µs a call, a page
    makes 60). The same text as ``template_gettext(string)``."""
    return _kept(_translations(), string, context.eval_ctx.autoescape)


def _kept(translations, string: str, autoescape: bool):
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


class KeptGettext(Extension):
    """Compiles ``_('text')`` (one string literal, nothing else) as ``('text'|kept_gettext)``: the same
    translation, without ``Context.call``. Any other call of ``_`` (with parameters, with a variable) and
    ``x._('text')`` are left as they are. No portal template assigns a name ``_`` of its own."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        window: list[Token] = []  # the tokens of a possible `_ ( 'text' )`, held back until decided
        previous = None  # the last token let through
        for token in stream:
            window.append(token)
            if _may_become(window, previous):
                if len(window) == 4:
                    _name, lparen, text, rparen = window
                    yield from (lparen, text, Token(text.lineno, "pipe", "|"),
                                Token(text.lineno, "name", "kept_gettext"), rparen)
                    previous, window = rparen, []
                continue
            *flushed, last = window
            for held in flushed:
                yield held
                previous = held
            window = []
            if _may_become([last], previous):
                window = [last]
            else:
                yield last
                previous = last
        yield from window


_SHAPE = ("name", "lparen", "string", "rparen")


def _may_become(window: list[Token], previous: Token | None) -> bool:
    """Whether the tokens held are the start of `_ ( 'text' )` (not `x._(...)`)."""
    return (window[0].type == "name" and window[0].value == "_" and (previous is None or previous.type != "dot")
            and all(t.type == kind for t, kind in zip(window, _SHAPE)))


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
    app.jinja_env.filters["kept_gettext"] = kept_gettext
    app.jinja_env.add_extension(KeptGettext)
