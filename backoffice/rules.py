"""资格规则设置: an exam year's eligibility settings on one page (national administrators only).

Each route has its own 开放 switch; each rule its 启用 switch (of its check: a route's conditions stay),
with what switching it off does in words, and its parameters as labelled fields; R7's table as a grid of
checkboxes. Saving during an open registration window asks for a confirmation; changes are audited
(core/services/rule_settings.py).
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access

from core.db import db
from core.eligibility.majors import EXAM_CATEGORIES, MAJOR_CATEGORIES
from core.eligibility.routes import CLOSABLE
from core.eligibility.table import RULES
from core.models import ExamYear
from core.registration.window import window_state, window_text
from core.services import rule_settings
from core.services.errors import DomainError, NotAllowed
from core.validators import FieldErrors


class RuleSettingsView(BaseView):
    route_base = "/rule-settings"
    class_permission_name = "RuleSetting"
    method_permission_name = {"years": "list", "page": "list", "save": "edit"}
    default_view = "years"

    @expose("/")
    @has_access
    def years(self):
        years = db.session.scalars(db.select(ExamYear).order_by(ExamYear.year.desc())).all()
        return self.render_template("backoffice/rule_years.html", title="资格规则设置", years=years)

    def _render(self, year, values, errors=None, status=200):
        return self.render_template(
            "backoffice/rule_settings.html", title=f"资格规则设置：{year.name}", year=year, values=values,
            errors=errors or {}, rules=RULES, routes=CLOSABLE, majors=MAJOR_CATEGORIES, exams=EXAM_CATEGORIES,
            window_open=window_state(year) == "open", window=window_text(year)), status

    @expose("/<int:year_id>")
    @has_access
    def page(self, year_id):
        year = db.session.get(ExamYear, year_id) or abort(404)
        return self._render(year, rule_settings.current(year.id))

    @expose("/<int:year_id>", methods=["POST"])
    @has_access
    def save(self, year_id):
        year = db.session.get(ExamYear, year_id) or abort(404)
        try:
            diff = rule_settings.save_settings(g.user, year.id, request.form)
            db.session.commit()
        except NotAllowed:
            abort(404)
        except FieldErrors as exc:
            db.session.rollback()
            values, _errors = rule_settings.parse(request.form)
            return self._render(year, values, exc.errors, 422)
        except DomainError as exc:
            db.session.rollback()
            return self._render(year, rule_settings.parse(request.form)[0], {"_": exc.message}, 422)
        flash("资格规则设置已保存。" if diff else "没有修改。", "success" if diff else "info")
        return redirect(url_for(".page", year_id=year.id))
