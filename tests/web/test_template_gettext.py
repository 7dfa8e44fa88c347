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


def test_a_kept_translation_is_per_language_and_parameters_are_still_escaped(app):
    """`_('text')` without parameters is kept per catalogue (web/i18n.py): each language keeps its own, in an
    escaped page and in plain text alike; a translation with parameters escapes them as before."""
    template = app.jinja_env.from_string(
        "{{ _('上一步') }}|{{ _('删除%(what)s %(n)s', what='<b>', n=1) }}|{{ _('100%%') }}"
        "{% autoescape false %}|{{ _('上一步') }}|{{ _('删除%(what)s %(n)s', what='<b>', n=1) }}{% endautoescape %}")
    for lang, first in (("zh", "上一步"), ("en", "Previous"), ("zh", "上一步"), ("en", "Previous")):
        with app.test_request_context("/", headers={"Cookie": f"lang={lang}"}):
            shown = template.render().split("|")
        assert shown[0] == shown[3] == first
        assert "&lt;b&gt;" in shown[1] and "<b>" not in shown[1]
        assert "<b>" in shown[4]
        assert shown[2] == "100%"


def test_the_tr_filter_follows_force_locale(app):
    template = app.jinja_env.from_string("{{ text|tr }}")  # (a constant would be translated at compile time)
    with app.test_request_context("/", headers={"Cookie": "lang=zh"}):
        first = template.render(text="上一步")
        with force_locale("en"):
            forced = template.render(text="上一步")
        assert [first, forced, template.render(text="上一步")] == ["上一步", "Previous", "上一步"]


def test_a_constant_text_is_compiled_as_the_kept_filter_and_everything_else_is_left_alone(app):
    """`_('text')` becomes `('text'|kept_gettext)` at compile time (web/i18n.py, KeptGettext); a call with
    parameters, with a variable, with two literals, or `x._('text')` stays a call of `_`."""
    source = ("{{ _('上一步') }}|{{ _('a %(x)s', x=1) }}|{{ _(_('下一步')) }}|{{ obj._('c') }}|{{ _(\"上一步\") ~ '<b>' }}"
              "|{{ _('上' '一步') }}")
    code = app.jinja_env.compile(source, raw=True)
    assert code.count("t_1(context, ") == 3  # _('上一步'), the inner _('下一步'), _("上一步")
    assert code.count("context.call(") == 4
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        shown = app.jinja_env.from_string(source).render(obj={"_": lambda s: s.upper()})
    assert shown.split("|") == ["Previous", "a 1", "Next", "C", "Previous&lt;b&gt;", "Previous"]
