"""gzip for HTML, CSS and JavaScript when the browser accepts it, in both apps (issue 15)."""
from __future__ import annotations

import gzip

import pytest


@pytest.mark.parametrize("url", ["/login", "/assets/portal.css", "/assets/portal.js", "/admin/login/"])
def test_text_responses_are_gzipped_when_accepted(client, url):
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    body = gzip.decompress(packed.get_data())
    if url.startswith("/assets/"):  # the same file, smaller
        assert body == plain.get_data() and len(packed.get_data()) < len(body) * 0.8
    else:  # a page with its own CSRF token and nonce: the same page
        assert b"</html>" in body and len(packed.get_data()) < len(body)


def test_small_binary_and_partial_responses_stay_plain(client):
    assert "Content-Encoding" not in client.get("/healthz", headers={"Accept-Encoding": "gzip"}).headers
    part = client.get("/assets/portal.css", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert "Content-Encoding" not in client.get("/assets/favicon.svg", headers={"Accept-Encoding": "identity"}).headers
