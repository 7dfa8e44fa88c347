"""Fingerprinted static files (web/assets.py): names that change with the content, cached for a year."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from candidate_portal.blueprint import bp

PORTAL_CSS = Path(bp.static_folder) / "portal.css"


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/(?:admin/static|assets)/[^"?]+)"', html)


def test_portal_pages_link_fingerprinted_css_and_js_cached_for_a_year(client):
    urls = _asset_urls(client.get("/login").get_data(as_text=True))
    digest = hashlib.sha256(PORTAL_CSS.read_bytes()).hexdigest()[:10]
    assert f"/assets/portal.{digest}.css" in urls
    assert any(re.fullmatch(r"/assets/portal\.[0-9a-f]{10}\.js", u) for u in urls)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
    assert client.get(f"/assets/portal.{digest}.css").data == PORTAL_CSS.read_bytes()


def test_back_office_assets_are_fingerprinted_too(client):
    urls = _asset_urls(client.get("/admin/login/").get_data(as_text=True))
    assert urls and all(re.search(r"\.[0-9a-f]{10}\.\w+$", u) for u in urls)
    response = client.get(urls[0])
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]


def test_an_old_fingerprint_still_serves_the_file_but_is_not_kept(client):
    response = client.get("/assets/portal.0123456789.css")  # a page cached before a deployment
    assert response.status_code == 200 and response.data == PORTAL_CSS.read_bytes()
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_unknown_files_and_traversal_are_404(client):
    assert client.get("/assets/nothing.0123456789.css").status_code == 404
    assert client.get("/assets/..%2Fconfig.0123456789.py").status_code == 404


def test_pages_themselves_stay_uncached(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
