"""Every portal page and the back-office pages a reviewer uses, as the server sends them: zero html-validate
errors other than whitespace and style rules (issue 15; the rules are in .htmlvalidate.json)."""
from __future__ import annotations

import pytest

from tests.factories import login_as
from tests.support.htmlvalidate import HTML_VALIDATE, html_errors
from tests.support.pages import BACKOFFICE_PAGES, PORTAL_PAGES, PORTAL_PUBLIC, filled
from tests.support.web import staff_login, text

pytestmark = pytest.mark.skipif(not HTML_VALIDATE.exists(), reason="html-validate not installed (setup.sh: npm ci)")


def _fetch(client, urls, world) -> dict[str, str]:
    pages = {}
    for url in urls:
        url = filled(url, world)
        resp = client.get(url)
        assert resp.status_code == 200, url
        pages[url] = text(resp)
    return pages


def test_portal_pages_are_valid_html(app, page_world):
    client = app.test_client()
    pages = _fetch(client, PORTAL_PUBLIC, page_world)
    login_as(client, page_world["cand"])
    pages |= _fetch(client, PORTAL_PAGES, page_world)
    errors = html_errors(pages)
    assert not any(errors.values()), _report(errors)


def test_backoffice_pages_are_valid_html(app, page_world):
    client = app.test_client()
    pages = _fetch(client, ["/admin/login/"], page_world)
    assert staff_login(client, page_world["staff"]).status_code == 302
    pages |= _fetch(client, BACKOFFICE_PAGES, page_world)
    errors = html_errors(pages)
    assert not any(errors.values()), _report(errors)


def test_the_checker_finds_errors():
    """The check can fail: an input without a type and an unclosed element are reported."""
    errors = html_errors({"/x": "<!doctype html><html lang='zh-CN'><head><title>x</title></head>"
                                "<body><main><div><input name='a'></main></body></html>"})
    assert any("no-missing" in e or "type" in e for e in errors["/x"]), errors
    assert any("close" in e for e in errors["/x"]), errors


def _report(errors: dict) -> str:
    return "\n".join(f"{url}\n    " + "\n    ".join(found) for url, found in errors.items() if found)
