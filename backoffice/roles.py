"""Back-office roles, defined in code (FAB_ROLES) and synced by `flask --app wsgi roles sync`.

Scope (which region or sites a user sees) is data in core.models.StaffScope; the role says what a
user may do, the scope where.
"""
NATIONAL_ADMIN = "国家管理员"
REGION_ADMIN = "考区管理员"
SITE_REVIEWER = "考点审核员"
FINANCE = "财务"

_COMMON = [["UserInfoEditView", "can_this_form_get"], ["UserInfoEditView", "can_this_form_post"],
           ["ResetMyPasswordView", "can_this_form_get"], ["ResetMyPasswordView", "can_this_form_post"],
           ["UserDBModelView", "can_userinfo"], ["UserDBModelView", "resetmypassword"]]

FAB_ROLES = {
    # 国家管理员 is FAB's admin role (AUTH_ROLE_ADMIN): every permission.
    REGION_ADMIN: _COMMON + [
        [".*(Candidate|Registration|Review|Site|Region|Fee|Audit|Statistics|Export).*", "can_.*"],
        ["(候选人|考生管理|报名管理|资格审核|考点考区|统计报表|审计日志)", "menu_access"],
        [".*", "menu_access"],
    ],
    SITE_REVIEWER: _COMMON + [
        [".*(Candidate|Registration|Review).*", "can_(list|show|get|review|approve|reject|verify|edit|print).*"],
        [".*", "menu_access"],
    ],
    FINANCE: _COMMON + [
        [".*(Payment|Refund|Registration|Statistics|Export).*", "can_(list|show|get|refund|export).*"],
        [".*", "menu_access"],
    ],
}


def sync_roles(admin_app) -> None:
    """Create the roles and the permission rows for every registered view (run at deploy time)."""
    from flask_appbuilder.security.manager import BaseSecurityManager

    with admin_app.app_context():
        appbuilder = admin_app.appbuilder
        BaseSecurityManager.create_db(appbuilder.sm)  # roles only: tables come from Alembic
        appbuilder.add_permissions(update_perms=True)
