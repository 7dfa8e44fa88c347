"""Flask-AppBuilder's own staff-account pages (考务人员账户, 登录统计) in Chinese: its labels, help texts (which
speak of LDAP and OID, unused here) and chart series are English, some outside its translation catalogue.

An administrator's edit of an account (roles, 启用, anything) ends its sessions on every server, and so do
deletion and 结束全部会话; audited (core.services.staff_sessions). Every edit rather than only a change of
roles or 启用: FAB's form flushes the item while it fills it (the role field queries), so the attribute
history cannot say reliably what changed; a name edit costing the user a login is the cheap side of that trade."""
from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.security.views import UserDBModelView, UserStatsChartView
from flask_appbuilder.validators import PasswordComplexityValidator
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo

from backoffice.base import shanghai, yes_no
from core.db import db
from core.services import staff_sessions

USER_LABELS = {
    "get_full_name": "姓名", "first_name": "名", "last_name": "姓", "username": "用户名", "password": "密码",
    "conf_password": "确认密码", "active": "启用", "email": "电子邮箱", "roles": "角色", "groups": "用户组",
    "last_login": "最近登录", "login_count": "登录次数", "fail_login_count": "登录失败次数",
    "created_on": "创建时间", "created_by": "创建人", "changed_on": "修改时间", "changed_by": "修改人",
}

USER_HELP = {
    "first_name": "考务人员的名。",
    "last_name": "考务人员的姓。",
    "username": "登录用的用户名，不能与其他账户重复。",
    "password": "至少12位，包含大写字母、小写字母、数字、符号中的三类。",
    "conf_password": "请再输入一次密码。",
    "active": "人员离岗时请取消“启用”，不要删除账户：审计日志仍要指向它。",
    "email": "考务人员的工作电子邮箱。",
    "roles": "角色决定能做什么；能看到哪些考区、考点在 系统管理 → 考务人员数据范围 中设置。",
    "groups": "用户组把多个角色一起授予（一般不需要）。",
}

_FIELDSETS = [("账户", {"fields": ["username", "active", "roles", "login_count"]}),
              ("个人信息", {"fields": ["first_name", "last_name", "email"], "expanded": True})]


class StaffUserView(UserDBModelView):
    """考务人员账户 (FAB's user list, add, edit and show)."""

    class_permission_name = "UserDBModelView"  # FAB's permission names, which roles (backoffice/roles.py) grant

    list_title, show_title, add_title, edit_title = "考务人员账户", "考务人员账户", "添加用户", "修改用户"
    label_columns = dict(USER_LABELS)  # a copy: FAB writes into it
    description_columns = USER_HELP
    formatters_columns = {"active": yes_no, "last_login": shanghai, "created_on": shanghai,
                          "changed_on": shanghai}
    add_form_extra_fields = {
        "password": PasswordField("密码", description=USER_HELP["password"], widget=BS3PasswordFieldWidget(),
                                  validators=[DataRequired("请填写密码。"), PasswordComplexityValidator()]),
        "conf_password": PasswordField("确认密码", description=USER_HELP["conf_password"],
                                       widget=BS3PasswordFieldWidget(),
                                       validators=[DataRequired("请再输入一次密码。"),
                                                   EqualTo("password", message="两次输入的密码不一致。")]),
    }
    show_fieldsets = [*_FIELDSETS, ("记录信息", {"fields": ["last_login", "fail_login_count", "created_on",
                                                         "created_by", "changed_on", "changed_by"],
                                               "expanded": False})]
    user_show_fieldsets = _FIELDSETS

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


class StaffUserStatsView(UserStatsChartView):
    """登录统计: logins and failed logins per staff member."""

    class_permission_name = "UserStatsChartView"
    route_base = "/userstatschartview"  # FAB's URL, from its class name

    chart_title = "登录统计"
    label_columns = dict(USER_LABELS)  # a copy: FAB writes into it
    definitions = [{"label": "登录次数", "group": "username", "series": ["login_count"]},
                   {"label": "登录失败次数", "group": "username", "series": ["fail_login_count"]}]
