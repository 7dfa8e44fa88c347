"""Template translations looked up once per request (web/i18n.py) still follow the request's language and
``force_locale``."""
from __future__ import annotations

from flask_babel import force_locale


def _render(app, lang: str) -> list[str]:
    template = app.jinja_env.from_string("{{ _('上一步') }}|{{ ngettext('%(num)d 项', '%(num)d 项', 2) }}")
    with app.test_request_context("/", headers={"Cookie": f"lang={lang}"}):
        first = template.render()
        with force_locale("en"):
            forced = template.render()
        return [first, forced, template.render()]


def test_the_portal_template_language_follows_the_request_and_force_locale(app):
    assert _render(app, "zh") == ["上一步|2 项", "Previous|2 项", "上一步|2 项"]
    assert _render(app, "en")[0].startswith("Previous|")


def test_an_english_page_has_english_buttons(client):
    client.set_cookie("lang", "en")
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html and "登录" not in html.split("<main", 1)[-1].split("</main>")[0]
