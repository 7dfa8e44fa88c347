"""The back office's HTTP errors are Chinese pages (issue 15, item 3), not Werkzeug's English ones."""
from __future__ import annotations

from tests.support.web import staff_login, text


def test_unknown_page_and_out_of_scope_record_are_chinese(world, client):
    staff_login(client, world["staff"]["region"][1])
    for url in ("/admin/no-such-page", f"/admin/review/show/{world['ids']['reg_b']}",
                "/admin/sites/list/?psize_SiteView=abc"):
        resp = client.get(url)
        assert resp.status_code in (400, 403, 404), url
        page = text(resp)
        assert 'lang="zh-CN"' in page and "<h1>" in page
        assert "Not Found" not in page and "Forbidden" not in page and "Bad Request" not in page
        assert 'href="/admin/"' in page  # back to the back office's home, not the portal's


def test_portal_404_follows_the_page_language(client):
    assert "页面不存在" in text(client.get("/no-such-page"))
    client.set_cookie("lang", "en")
    page = text(client.get("/no-such-page"))
    assert 'lang="en"' in page and "Page not found" in page and "页面不存在" not in page
