"""角色: the roles in Chinese, read only. Roles and their permissions are defined in code (backoffice/roles.py,
`roles sync`); FAB's own role pages listed permission names and regular expressions in English ("can list on
Payment") and offered edits that the next sync would undo (issue 15)."""
from __future__ import annotations

from flask_appbuilder import BaseView, expose, has_access

from backoffice.roles import FINANCE, NATIONAL_ADMIN, REGION_ADMIN, SITE_REVIEWER

_OWN = "修改本人密码和账户信息。"
ROLE_SUMMARIES = {
    NATIONAL_ADMIN: ("全部功能：考生、资格审核、报名、缴费与退费、考试目录、字典、系统管理（考务人员账户、数据范围、"
                     "审计日志）、统计报表。", "全国"),
    REGION_ADMIN: ("考生查询、更正、重置考生密码、查看完整证件号码、身份核验；现场资格审核；报名查询；缴费订单与退费记录"
                   "（查看）；考区设置、考点、收费标准；统计分析、数据导出、批量打印报名申请表。" + _OWN, "所属考区"),
    SITE_REVIEWER: ("考生查询、更正、查看完整证件号码；现场资格审核；报名查询；统计分析、批量打印报名申请表。" + _OWN,
                    "所属考点"),
    FINANCE: ("报名查询；缴费订单；退费记录与办理退费；统计分析、数据导出。" + _OWN, "所属考区"),
}
PUBLIC_LABEL = "公开（未登录的访客）"
PUBLIC_SUMMARY = ("没有任何权限，只能打开登录页。", "—")


class StaffRoleView(BaseView):
    """Replaces FAB's RoleModelView (StaffSecurityManager.rolemodelview) under its permission name."""

    route_base = "/roles"
    default_view = "list"
    class_permission_name = "RoleModelView"  # the permissions `roles sync` already made
    related_views: list = []

    @expose("/list/")
    @has_access
    def list(self):
        sm = self.appbuilder.sm
        rows = []
        for role in sorted(sm.get_all_roles(), key=lambda r: r.id):
            public = role.name == sm.auth_role_public
            does, where = PUBLIC_SUMMARY if public else ROLE_SUMMARIES.get(role.name, ("（未在系统中定义）", "—"))
            rows.append({"name": PUBLIC_LABEL if public else role.name, "does": does, "where": where,
                         "users": len(role.user)})
        return self.render_template("backoffice/roles.html", title="角色", rows=rows)
