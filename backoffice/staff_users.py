"""考务人员账户 (FAB's user list): an administrator's edit of an account (roles, 启用, anything) ends its
sessions on every server, and so do deletion and 结束全部会话. Audited (core.services.staff_sessions).

Every edit rather than only a change of roles or 启用: FAB's form flushes the item while it fills it (the
role field queries), so the attribute history cannot say reliably what changed; a name edit costing the
user a login is the cheap side of that trade."""
from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask_appbuilder.actions import action
from flask_appbuilder.security.views import UserDBModelView

from core.db import db
from core.services import staff_sessions


class StaffUserView(UserDBModelView):
    def pre_update(self, item):
        super().pre_update(item)
        staff_sessions.end_all(item.id, "account edited", g.user)

    def pre_delete(self, item):
        super().pre_delete(item)
        staff_sessions.end_all(item.id, "account deleted", g.user)

    @action("end_sessions", "结束全部会话", "所选人员在所有服务器上的登录将立即失效，确定？", "fa-sign-out-alt",
            single=False)
    def end_sessions(self, items):
        items = items if isinstance(items, list) else [items]
        for user in items:
            if user is not None:
                staff_sessions.end_all(user.id, "ended by administrator", g.user)
        db.session.commit()
        flash("已结束所选人员的全部会话。", "success")
        return redirect(url_for(".list"))
