"""Content-Security-Policy with a per-response script nonce, the headers of every response, and the NUL
guard, for both apps (docs/security.md)."""
from __future__ import annotations

import secrets

from flask import current_app, request

from web.errors import N_, plain_page

# Scripts run only from our own files or with this response's nonce, in both apps: no 'unsafe-inline', no
# inline event handlers (docs/security.md). Styles keep 'unsafe-inline' for now.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "script-src 'self' 'nonce-{nonce}'; frame-ancestors 'none'; form-action 'self'{form_action}; base-uri 'self'")
_CSP_HEAD, _CSP_TAIL = CSP.format(nonce="{nonce}", form_action="").split("{nonce}")  # only the nonce varies


def csp_nonce() -> str:
    """This response's script nonce (templates: ``<script nonce="{{ csp_nonce() }}">``), kept with the
    request itself: ``g`` can outlive a request (tests hold an app context open) and a nonce is never reused."""
    environ = request.environ
    nonce = environ.get("csp_nonce")
    if nonce is None:  # drawn once per request, not at every call
        nonce = environ["csp_nonce"] = secrets.token_urlsafe(16)
    return nonce


def csp_header(form_action: str = "") -> str:
    """The Content-Security-Policy of this response; ``form_action``: one more origin forms may post to."""
    if not form_action:
        return _CSP_HEAD + csp_nonce() + _CSP_TAIL
    return CSP.format(nonce=csp_nonce(), form_action=f" {form_action}")


_FIXED_HEADERS = (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                  ("Referrer-Policy", "same-origin"))
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(response):
    """Headers for every response of both apps. Pages are personal: never cached by browsers or proxies.

    A header a view set already is kept. The names present are read once: each ``in`` or ``setdefault`` on
    werkzeug's Headers scans the list and raises and catches an exception for a missing name."""
    headers = response.headers
    present = set(headers.keys(lower=True))
    for name, value in _FIXED_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", csp_header())
    if not request.path.startswith(("/static/", "/assets/")) and not getattr(response, "private_cache", False):
        headers["Cache-Control"] = "no-store"  # CSS and JS may be cached, and what cache_privately marks
    if "strict-transport-security" not in present and current_app.config["SESSION_COOKIE_SECURE"]:
        headers.add("Strict-Transport-Security", HSTS)
    return response


def cache_privately(response, seconds: int):
    """The one exception to no-store for a page of a user: content that never changes under its URL (a
    document thumbnail: its key names its bytes), kept by that user's browser only (``private``), for
    ``seconds`` without asking again. The response must carry an ETag so that later it is revalidated
    (304) rather than sent again; access is checked on every request that reaches the server."""
    response.headers["Cache-Control"] = f"private, max-age={seconds}, immutable"
    response.private_cache = True
    return response


def refuse_nul():
    """No text sent to either app may hold a NUL character: PostgreSQL cannot store it, and cannot even
    compare it in a query (a login lookup fails as much as a save). No keyboard types one, so the request is
    refused whole, before any view or form, with a plain page; the other control characters are storable and
    left to the field checks. Runs after the CSRF check, so a form body is already parsed."""
    environ = request.environ
    if request.method == "OPTIONS" or not (environ.get("QUERY_STRING") or environ.get("CONTENT_TYPE")):
        return None  # nothing sent to look at (most GETs): no query string, no body of any form type
    values = [*request.args.items(multi=True)]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        request.get_data(cache=True)  # keep the raw body readable (the gateway's signed notification)
        values += request.form.items(multi=True)
    if any("\x00" in key or "\x00" in value for key, value in values):
        return plain_page(N_("内容无法接收"), N_("提交的内容中含有无法保存的控制字符（NUL），未被接收，已保存的信息没有改变。"
                                               "请返回上一页，重新输入后再提交。")), 400
    return None
