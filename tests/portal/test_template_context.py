"""Templates' ``_()`` never makes Jinja copy the page's context.

A function marked ``pass_context`` called after a ``{% set %}`` inside a block or a loop gets a copy of the whole
template context on each call (jinja2.runtime.Context.call); a page with ~140 translated strings made ~90 copies.
``_()`` needs only the autoescape setting (``pass_eval_context``), so no page copies anything for it.
"""
from __future__ import annotations

import jinja2.runtime
import pytest

from tests.factories import login_as, make_catalogue, ready_candidate, ready_draft
from tests.support.web import text


@pytest.fixture
def copies(monkeypatch):
    made = []
    derived = jinja2.runtime.Context.derived

    def counting(self, locals=None):
        made.append(sorted(locals or ()))
        return derived(self, locals)

    monkeypatch.setattr(jinja2.runtime.Context, "derived", counting)
    return made


@pytest.mark.parametrize("page", ["/", "/profile", "/registration", "/registration/subjects", "/messages",
                                  "step/basic", "step/work", "step/entries", "step/certificates", "step/site"])
def test_no_page_copies_its_context_for_translations(client, session, copies, page):
    cand = ready_candidate()
    reg = ready_draft(cand, make_catalogue())
    session.commit()
    login_as(client, cand)
    url = f"/registration/{reg.id}/{page}" if page.startswith("step/") else page
    response = client.get(url)
    assert response.status_code == 200 and "<html" in text(response)
    assert copies == [], copies
