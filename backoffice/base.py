"""What every back-office view shares: the scope filter, the scoped ModelView, Chinese defaults."""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.fieldwidgets import Select2ManyWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup, escape
from sqlalchemy import Join, Table

from core.db import db, to_shanghai
from core.money import fen_to_yuan
from core.services.errors import DomainError, NotAllowed


def or_404(action, *args, **kwargs):
    """What a core service returns, or 404 when it refuses (``NotAllowed``: outside the user's scope or
    role): a page never hints that the object exists."""
    try:
        return action(*args, **kwargs)
    except NotAllowed:
        abort(404)


def committed(action, *args, **kwargs) -> DomainError | None:
    """Run one core action and commit it. A refusal rolls back: ``NotAllowed`` (outside the user's scope) is a
    404; any other ``DomainError`` is returned, for the page to show its message."""
    try:
        action(*args, **kwargs)
        db.session.commit()
    except NotAllowed:
        db.session.rollback()
        abort(404)
    except DomainError as exc:
        db.session.rollback()
        return exc
    return None


class InScope(BaseFilter):
    """Base filter: ``value`` is a function of the current user returning a SQL condition (per request)."""

    name = "在权限范围内"
    arg_name = None

    def apply(self, query, value):
        return query.filter(value(g.user))


class Interface(SQLAInterface):
    """FAB's interface, except that a model counts as joined only when it is in the query's FROM.

    FAB looks for the table anywhere in the statement: a scope filter's subquery on ``payment_orders`` made it
    skip the join needed to sort 退费记录 by 订单号, and the database refused the ORDER BY.
    """

    @staticmethod
    def is_model_already_joined(query, model) -> bool:
        def tables(clause):
            if isinstance(clause, Join):
                yield from tables(clause.left)
                yield from tables(clause.right)
            elif isinstance(clause, Table):
                yield clause
        return any(t is model.__table__ for f in query.statement.get_final_froms() for t in tables(f))


def scoped(clause_fn) -> list:
    """``base_filters`` / ``*_query_rel_fields`` entry limiting rows to the current user's scope."""
    return [["id", InScope, clause_fn]]


def shanghai(value) -> str:
    """Stored naive UTC -> 'YYYY-MM-DD HH:MM' in Asia/Shanghai."""
    return to_shanghai(value).strftime("%Y-%m-%d %H:%M") if value else ""


def yuan(fen) -> str:
    return "" if fen is None else str(fen_to_yuan(fen))


def yes_no(value) -> str:
    return "是" if value else "否"


class ScopedModelView(ModelView):
    """A ModelView whose single and bulk actions see only rows the base filters (scope) let through.

    FAB's own ``action``/``action_post`` load rows unfiltered and check no base permission: here an
    unknown action is refused, and every posted id is looked up through the base filters first.
    """

    datamodel: SQLAInterface
    page_size = 25
    list_title = show_title = add_title = edit_title = ""

    def _get_list_widget(self, *args, order_column="", order_direction="", page_size=None, **kwargs):
        """Sort only by a sortable column, and never more rows per page than ADMIN_MAX_PAGE_SIZE."""
        if order_column not in (self.order_columns or []) or order_direction not in ("asc", "desc"):
            order_column, order_direction = "", ""
        limit = current_app.config["ADMIN_MAX_PAGE_SIZE"]
        page_size = min(page_size, limit) if page_size and page_size > 0 else None
        return super()._get_list_widget(*args, order_column=order_column, order_direction=order_direction,
                                        page_size=page_size, **kwargs)

    def _get_add_widget(self, form, *args, **kwargs):
        return super()._get_add_widget(_blank_in_chinese(form), *args, **kwargs)

    def _get_edit_widget(self, form, *args, **kwargs):
        return super()._get_edit_widget(_blank_in_chinese(form), *args, **kwargs)

    def _scoped_item(self, pk):
        return self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)

    def _allowed_action(self, name):
        act = self.actions.get(name)
        if act is None:
            abort(404)
        perm = self.get_action_permission_name(name)
        if perm not in self.base_permissions or not self.appbuilder.sm.has_access(perm, self.class_permission_name):
            abort(403)
        return act

    @expose("/action/<string:name>/<pk>", methods=["POST"])
    def action(self, name, pk):
        act = self._allowed_action(name)
        item = self._scoped_item(pk)
        if item is None:
            abort(404)
        return act.func(item)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        act = self._allowed_action(request.form.get("action", ""))
        items = [self._scoped_item(pk) for pk in request.form.getlist("rowid")]
        return act.func([i for i in items if i is not None])

    def flash_error(self, exc: DomainError):
        flash(exc.message, "danger")
        return redirect(self.get_redirect())


def _blank_in_chinese(form):
    """An optional dropdown's empty choice reads 不选, not FAB's '__None' (WTForms 3.3 shows the value)."""
    for field in form:
        if getattr(field, "allow_blank", False) and not getattr(field, "blank_text", "x"):
            field.blank_text = "（不选）"
    return form


def link(url: str, text: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url, text)


__all__ = ["Interface", "InScope", "scoped", "shanghai", "yuan", "yes_no", "ScopedModelView", "link", "escape"]


def _boolean_multiple(call):
    """FAB's many-select writes ``multiple="true"``, which HTML does not allow (html-validate); write ``multiple``."""
    def render(self, field, **kwargs):
        return Markup(str(call(self, field, **kwargs)).replace(' multiple="true"', " multiple", 1))
    return render


Select2ManyWidget.__call__ = _boolean_multiple(Select2ManyWidget.__call__)
