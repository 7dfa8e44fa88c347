"""考务人员账户 (FAB's user list): a change of roles or of 启用 ends the user's sessions on every server, and
结束全部会话 ends them on request. Both audited (core.services.staff_sessions)."""
from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask_appbuilder.actions import action
from flask_appbuilder.security.views import UserDBModelView
from sqlalchemy import inspect as sa_inspect

from core.db import db
from core.services import staff_sessions


def access_changed(item) -> bool:
    """True when an edit changes what the user may do: roles or active (pending, before the flush)."""
    state = sa_inspect(item)
    return any(state.attrs[name].history.has_changes() for name in ("roles", "active"))


class StaffUserView(UserDBModelView):
    def pre_update(self, item):
        super().pre_update(item)
        if access_changed(item):
            staff_sessions.end_all(item.id, "roles or active changed", g.user)

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
