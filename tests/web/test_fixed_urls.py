"""The templates' links that never differ between requests are built once (web/urls.py): still under each
request's script root, and links with values are built for each request."""
from __future__ import annotations

import re


def _links(client, base_url: str = "http://localhost/") -> list[str]:
    html = client.get("/login", base_url=base_url).get_data(as_text=True)
    return re.findall(r'(?:href|src)="([^"#]+)"', html)


def test_kept_links_follow_the_script_root_a_proxy_mounts_the_site_under(client):
    at_root = _links(client)
    mounted = _links(client, "http://localhost/exam/")
    assert "/login" in at_root and "/register" in at_root
    assert any(re.fullmatch(r"/assets/portal\.[0-9a-f]{10}\.css", u) for u in at_root)
    assert mounted == ["/exam" + u for u in at_root]
    assert _links(client) == at_root  # and back: nothing of the mounted request was kept for the root


def test_links_with_values_are_built_for_each_request(app):
    template = app.jinja_env.from_string(
        "{{ url_for('portal.login', next=path) }}|{{ url_for('portal.index', _anchor='x') }}|"
        "{{ url_for('portal.index', _external=True) }}|{{ url_for('portal.index') }}")
    for host, path in (("a.example", "/one"), ("b.example", "/two")):
        with app.test_request_context("/", base_url=f"https://{host}/"):
            assert template.render(path=path) == f"/login?next={path}|/#x|https://{host}/|/"


def test_without_a_request_the_link_is_flasks_own(app):
    saved = app.config.get("SERVER_NAME")
    app.config["SERVER_NAME"] = "portal.example"
    try:
        with app.app_context():
            assert app.jinja_env.from_string("{{ url_for('portal.index') }}").render() == "http://portal.example/"
    finally:
        app.config["SERVER_NAME"] = saved
