"""审计日志 (read only for everybody, even FAB's own routes) and 考务人员数据范围 (staff scope rows)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import inspect as sa_inspect
from wtforms.validators import ValidationError

from core.db import db
from core.models import AuditEntry, StaffScope
from core.privacy.masking import mask_contact_facts
from core.services import audit_text, staff_sessions, totp
from core.services.errors import DomainError

from backoffice.base import ScopedModelView, shanghai
from backoffice.catalogue import CatalogueView


class AuditLogView(ScopedModelView):
    """审计日志: filter by actor, action, object and time; nobody can add, edit or delete."""

    datamodel = SQLAInterface(AuditEntry)
    route_base = "/audit-log"
    class_permission_name = "AuditLog"
    base_permissions = ["can_list", "can_show"]
    base_order = ("id", "desc")
    list_title, show_title = "审计日志", "审计记录"
    list_columns = ["at", "actor_type", "actor_name", "action", "object_type", "object_id"]
    show_columns = list_columns + ["actor_id", "before", "after", "ip"]
    search_columns = ["actor_name", "actor_type", "actor_id", "action", "object_type", "object_id", "at"]
    label_columns = {"at": "时间", "actor_type": "操作者类型", "actor_name": "操作者", "actor_id": "操作者编号",
                     "action": "操作", "object_type": "对象类型", "object_id": "对象编号", "before": "修改前",
                     "after": "修改后", "ip": "IP地址"}
    formatters_columns = {"at": shanghai, "action": audit_text.action_label, "object_type": audit_text.object_label,
                          "actor_type": lambda t: audit_text.ACTOR_TYPES.get(t, t),
                          "object_id": lambda i: "—" if i is None else i,
                          "actor_name": lambda n: n or "—"}

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """One entry as a person reads it: names, not ids; the changed fields as a table, not JSON."""
        entry = self._scoped_item(pk)
        if entry is None:
            abort(404)
        obj = audit_text.object_label(entry.object_type)
        return self.render_template(
            "backoffice/audit_entry.html", title="审计记录", entry=entry, at=shanghai(entry.at), shanghai=shanghai,
            actor=audit_text.actor_label(entry.actor_type, entry.actor_id, entry.actor_name),
            action=audit_text.action_label(entry.action),
            object=f"{obj} #{entry.object_id}" if entry.object_id is not None else obj or "（无）",
            # contact data masked here too: in full only through 显示完整联系方式 (audited)
            changes=audit_text.field_changes(mask_contact_facts(entry.before), mask_contact_facts(entry.after)))


REGION_XOR_SITE = "请在考区与考点中选择且只选择一项。"


def _exactly_one(region, site) -> bool:
    return (region is None) != (site is None)


def _region_xor_site(form, field):
    if not _exactly_one(form.region.data, form.site.data):
        raise ValidationError(REGION_XOR_SITE)


class StaffScopeView(CatalogueView):
    """考务人员数据范围: bind a staff account to a region (考区管理员, 财务) or a site (考点审核员)."""

    datamodel = SQLAInterface(StaffScope)
    route_base = "/staff-scopes"
    class_permission_name = "StaffScope"
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete", "can_reset_totp"]
    method_permission_name = {"reset_totp": "reset_totp"}
    list_title, show_title, add_title, edit_title = "考务人员数据范围", "数据范围", "新增数据范围", "修改数据范围"
    list_columns = show_columns = add_columns = edit_columns = ["user", "region", "site"]
    search_columns = ["user", "region", "site"]
    label_columns = {"user": "考务人员", "region": "考区（整个考区）", "site": "考点（单个考点）"}
    description_columns = {"region": "考区与考点二选一", "site": "考区与考点二选一"}
    formatters_columns = {"region": lambda r: r or "—", "site": lambda s: s or "—"}
    validators_columns = {"region": [_region_xor_site]}

    # A change of scope ends the sessions of the users concerned (the old and the new one of an edit).
    def post_add(self, item):
        staff_sessions.end_all(item.user_id, "scope changed", g.user)
        super().post_add(item)

    def pre_update(self, item):
        super().pre_update(item)
        hist = sa_inspect(item).attrs.user.history
        for user in {*hist.added, *hist.deleted, *hist.unchanged}:
            staff_sessions.end_all(user.id, "scope changed", g.user)

    def pre_delete(self, item):
        super().pre_delete(item)
        staff_sessions.end_all(item.user_id, "scope changed", g.user)

    def before_write(self, item):
        """Backstop for a post without the region field at all (WTForms' Optional then drops the message)."""
        if not _exactly_one(item.region, item.site):
            raise DomainError(REGION_XOR_SITE)

    @action("reset_totp", "重置双因素认证", "该人员下次登录时须重新绑定验证器，确定？", "fa-key", single=False)
    def reset_totp(self, items):
        for user_id in sorted({i.user_id for i in items}):
            totp.reset(user_id, g.user)
        db.session.commit()
        flash("已重置所选人员的双因素认证。", "success")
        return redirect(url_for(".list"))
