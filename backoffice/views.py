"""Registers every back-office view and menu (Chinese names: they are also the menu permission names)."""
from __future__ import annotations

from backoffice.candidates import CandidateView
from backoffice.catalogue import ExamFamilyView, ExamSubjectView, ExamYearView, FeeView, RegionView, SiteView
from backoffice.dictionaries import (CertificateTypeView, MajorView, PinyinExceptionView, SchoolView,
                                     TrainingTypeView, WorkUnitView)
from backoffice.notify import NotifyView
from backoffice.online_review import OnlineReviewView, ReviewModeView
from backoffice.payments import PaymentOrderView, RefundView
from backoffice.retention import RetentionView
from backoffice.review import RegistrationView, ReviewQueueView
from backoffice.rules import RuleSettingsView
from backoffice.system import AuditLogView, StaffScopeView

MENU = [
    # (view, menu name, category, icon)
    (CandidateView, "考生查询", "考生管理", "fa-user"),
    (NotifyView, "发送失败的通知", "考生管理", "fa-envelope"),
    (ReviewQueueView, "现场资格审核", "资格审核", "fa-check-square"),
    (OnlineReviewView, "网上资格审核", "资格审核", "fa-file-image"),
    (RegistrationView, "报名查询", "资格审核", "fa-list"),
    (PaymentOrderView, "缴费订单", "缴费管理", "fa-credit-card"),
    (RefundView, "退费记录", "缴费管理", "fa-undo"),
    (ExamFamilyView, "考试", "考试目录", "fa-book"),
    (ExamYearView, "考试年度与报名时间", "考试目录", "fa-calendar"),
    (ExamSubjectView, "报考类别", "考试目录", "fa-tags"),
    (RuleSettingsView, "资格规则设置", "考试目录", "fa-gavel"),
    (RegionView, "考区", "考试目录", "fa-map"),
    (SiteView, "考点", "考试目录", "fa-building"),
    (FeeView, "收费标准", "考试目录", "fa-yen-sign"),
    (ReviewModeView, "资格审核方式", "考试目录", "fa-sliders-h"),
    (SchoolView, "学校", "字典", "fa-graduation-cap"),
    (WorkUnitView, "工作单位", "字典", "fa-hospital"),
    (MajorView, "专业目录", "字典", "fa-stethoscope"),
    (TrainingTypeView, "培训类型", "字典", "fa-certificate"),
    (CertificateTypeView, "证书类型", "字典", "fa-id-card"),
    (PinyinExceptionView, "拼音例外", "字典", "fa-font"),
    (AuditLogView, "审计日志", "系统管理", "fa-history"),
    (StaffScopeView, "考务人员数据范围", "系统管理", "fa-sitemap"),
    (RetentionView, "个人信息保存期限", "系统管理", "fa-hourglass-half"),
]

# FAB's own security menu, in Chinese.
SECURITY_LABELS = {"Security": "账户与权限", "List Users": "考务人员账户", "List Roles": "角色",
                   "List Groups": "用户组", "User's Statistics": "登录统计", "Base Permissions": "基础权限",
                   "Views/Menus": "视图与菜单", "Permission on Views/Menus": "权限分配"}


def register_views(appbuilder) -> None:
    for view, name, category, icon in MENU:
        appbuilder.add_view(view, name, icon=icon, label=name, category=category, category_label=category)
    appbuilder.add_link("网上资格审核进度", href="/admin/online-review/progress", icon="fa-tasks", label="网上资格审核进度",
                        category="资格审核", category_label="资格审核")
    for item in appbuilder.menu.get_list():
        if item.name in SECURITY_LABELS:
            item.label = SECURITY_LABELS[item.name]
            for child in item.childs or []:
                child.label = SECURITY_LABELS.get(child.name, child.label)
    from backoffice.report_views import register_report_views  # 统计报表 (reports)
    register_report_views(appbuilder)
    from backoffice.arrangement import register_arrangement_views  # 考场编排 (issue 18)
    register_arrangement_views(appbuilder)
