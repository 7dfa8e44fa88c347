"""`{% from ... import %}` (web/jinja.py): the kept macro module when the importer has no globals of its own,
a fresh one that sees them when it has, as in Jinja itself."""
from __future__ import annotations

from jinja2 import DictLoader, Environment

from web.jinja import QuickImportTemplate


def _env() -> Environment:
    env = Environment(loader=DictLoader({
        "macros.html": "{% macro hello() %}hello {{ who }}{{ whom }}{% endmacro %}",
        "page.html": "{% from 'macros.html' import hello %}{{ hello() }}"}))
    env.template_class = QuickImportTemplate
    env.globals["who"] = "world"
    return env


def test_an_import_without_new_globals_uses_the_kept_module(app):
    env = _env()
    assert env.get_template("page.html").render() == "hello world"
    macros = env.get_template("macros.html")
    kept = macros._get_default_module()
    assert macros._get_default_module(env.get_template("page.html").new_context()) is kept
    assert isinstance(app.jinja_env.get_template("portal/base.html"), QuickImportTemplate)


def test_an_importer_with_its_own_globals_gets_a_module_that_sees_them():
    env = _env()
    page = env.get_template("page.html", globals={"whom": " and page"})
    macros = env.get_template("macros.html")
    assert macros._get_default_module(page.new_context()) is not macros._get_default_module()
    assert page.render() == "hello world and page"
