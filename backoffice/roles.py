"""Back-office roles, defined in code (FAB_ROLES) and created by `flask --app wsgi roles sync`.

A role says *what* a staff user may do; ``core.services.scope`` says *where* (StaffScope rows).
Each entry is [view-name regex, permission regex]; every regex here is anchored (FAB uses re.match).
Menu items and categories are named in Chinese: those names are the ``menu_access`` view names.
"""
from __future__ import annotations

from core.services.scope import FINANCE, NATIONAL_ADMIN, REGION_ADMIN, SITE_REVIEWER

__all__ = ["FAB_ROLES", "NATIONAL_ADMIN", "REGION_ADMIN", "SITE_REVIEWER", "FINANCE", "sync_roles"]


def _can(view: str, *perms: str) -> list[str]:
    return [f"^{view}$", f"^can_({'|'.join(perms)})$"]


def _menus(*names: str) -> list[str]:
    return [f"^({'|'.join(names)})$", "^menu_access$"]


# Every staff user may change their own password and see their own account.
_OWN_ACCOUNT = [_can("UserInfoEditView", "this_form_get", "this_form_post"),
                _can("ResetMyPasswordView", "this_form_get", "this_form_post"),
                _can("UserDBModelView", "userinfo"), ["^UserDBModelView$", "^resetmypassword$"]]

_ONLINE_REVIEW_MENUS = ("网上资格审核", "网上资格审核进度")
_REPORT_MENUS = ("统计报表", "统计分析", "数据导出", "批量打印报名申请表")
_ARRANGEMENT_MENUS = ("考场编排", "考场", "准考证打印时间", "导入考场", "入场核验")

FAB_ROLES = {
    NATIONAL_ADMIN: [[".*", ".*"]],
    REGION_ADMIN: _OWN_ACCOUNT + [
        _can("Candidate", "list", "page", "correct", "reset_password", "reveal", "reveal_contact", "photo",
             "identity_check"),
        _can("Notification", "list", "resend"),
        _can("Review", "list", "show", "decide"),
        _can("Registration", "list", "show"),
        _can("Payment", "list", "show"),
        _can("Refund", "list", "show"),
        _can("Region", "list", "show", "edit"),
        _can("Site", "list", "show", "edit", "add"),
        _can("Fee", "list", "show", "edit", "add", "delete"),
        _can("ReviewMode", "list", "show", "edit", "add"),
        _can("Statistics", "list", "download"),
        _can("Export", "list", "start"),
        _can("FormPrint", "form", "site"),
        _menus("考生管理", "考生查询", "发送失败的通知", "资格审核", "现场资格审核", "报名查询", "缴费管理",
               "缴费订单", "退费记录", "考试目录", "考区", "考点", "收费标准", *_REPORT_MENUS, *_ONLINE_REVIEW_MENUS,
               "资格审核方式"),
        _can("Arrangement", "list", "arrange", "print", "import", "checkin"),
        _can("ExamRoom", "list", "show", "add", "edit"),
        _can("TicketWindow", "list", "show", "add", "edit"),
        _menus(*_ARRANGEMENT_MENUS),
    ],
    SITE_REVIEWER: _OWN_ACCOUNT + [
        _can("Candidate", "list", "page", "correct", "reveal", "reveal_contact", "photo"),
        _can("Notification", "list"),
        _can("Review", "list", "show", "decide"),
        _can("Registration", "list", "show"),
        _can("Statistics", "list", "download"),
        _can("FormPrint", "form", "site"),
        _menus("考生管理", "考生查询", "发送失败的通知", "资格审核", "现场资格审核", "报名查询",
               "统计报表", "统计分析", "批量打印报名申请表", *_ONLINE_REVIEW_MENUS),
        _can("Arrangement", "list", "print", "checkin"),
        _can("ExamRoom", "list", "show"),
        _menus("考场编排", "考场", "入场核验"),
    ],
    FINANCE: _OWN_ACCOUNT + [
        _can("Registration", "list", "show"),
        _can("Payment", "list", "show"),
        _can("Refund", "list", "show", "execute"),
        _can("Statistics", "list", "download"),
        _can("Export", "list", "start"),
        _menus("资格审核", "报名查询", "缴费管理", "缴费订单", "退费记录", "统计报表", "统计分析", "数据导出"),
    ],
}


def sync_roles(admin_app) -> None:
    """Create the four roles (their permissions live in FAB_ROLES) and the permission catalogue."""
    with admin_app.app_context():
        appbuilder = admin_app.appbuilder
        sm = appbuilder.sm
        for name in list(FAB_ROLES) + [sm.auth_role_public]:
            if sm.find_role(name) is None:
                sm.add_role(name)
        appbuilder.add_permissions(update_perms=True)
