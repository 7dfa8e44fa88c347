"""The audit log as a person reads it (审计日志): Chinese names for actions, object types, actors and fields.

The log itself keeps its namespaced actions (``registration.submitted``) and column names: they are what
queries and tests match. This module only words them; an action or field it does not know is shown as it is.
"""
from __future__ import annotations

from typing import Any

from core.db import db
from core.models import Candidate
from core.models.candidate import ENTRY_LABELS
from core.models.payment import ORDER_LABELS
from core.models.registration import PAYMENT_LABELS
from core.registration.states import STATUS_LABELS

ACTOR_TYPES = {"candidate": "考生", "staff": "考务人员", "system": "系统", "gateway": "支付网关"}

OBJECT_TYPES = {
    "candidates": "考生", "registrations": "报名", "payment_orders": "缴费订单", "refunds": "退费记录",
    "educations": "教育经历", "trainings": "培训经历", "certificates": "证书情况", "ab_user": "考务人员账户",
    "exam_families": "考试", "exam_years": "考试年度", "exam_subjects": "报考类别",
    "eligibility_rule_settings": "资格规则设置", "regions": "考区", "sites": "考点", "fees": "收费标准",
    "schools": "学校", "work_units": "工作单位", "training_types": "培训类型", "certificate_types": "证书类型",
    "pinyin_exceptions": "拼音例外", "staff_scopes": "考务人员数据范围", "jobs": "后台任务", "demo": "演示数据",
    "ethnic_groups": "民族", "majors": "专业", "notify_messages": "通知消息", "privacy_consents": "个人信息处理同意",
    "exam_sessions": "考试场次", "exam_rooms": "考场", "arrangement_runs": "考场编排", "ticket_windows": "准考证打印时间",
    "seat_assignments": "考场座位",
    "documents": "审核材料", "registration_documents": "报名所用审核材料", "review_modes": "资格审核方式",
}

ACTIONS = {
    "candidate.account.registered": "考生注册账户",
    "candidate.basic_info.corrected": "修订考生基本信息",
    "candidate.document.revealed": "查看完整证件号码",
    "candidate.contact.revealed": "查看完整联系方式",
    "candidate.identity.checked": "身份核验",
    "candidate.login.failed": "考生登录失败",
    "candidate.login.succeeded": "考生登录",
    "candidate.password.changed": "考生修改密码",
    "candidate.password.recovered": "考生找回密码",
    "candidate.code.sent": "发送验证码",
    "candidate.code.failed": "验证码错误",
    "candidate.contact.verified": "验证联系方式",
    "candidate.password.reset_by_staff": "考务人员重置考生密码",
    "candidate.photo.uploaded": "上传照片",
    "candidate.privacy.consented": "同意个人信息保护告知",
    "candidate.account.closed": "考生注销账户",
    "candidate.privacy.copy_requested": "申请个人信息副本",
    "candidate.privacy.copy_downloaded": "下载个人信息副本",
    "privacy.retention.enforced": "执行个人信息保存期限",
    "privacy.retention.requested": "手动执行个人信息保存期限",
    "candidate.profile.updated": "修改个人信息",
    "candidate.recovery.changed": "修改密码找回设置",
    "candidate.recovery.set": "设置密码找回问题",
    "candidate.recovery.failed": "密码找回答案错误",
    "candidate.recovery.locked": "密码找回已锁定",
    "registration.submitted": "提交报名",
    "registration.approved": "审核通过",
    "registration.rejected": "审核不通过",
    "registration.abandoned": "放弃报考",
    "registration.expired": "逾期未缴费",
    "registration.draft_discarded": "放弃填报中的报名",
    "registration.form.printed": "打印含完整证件号码的报名申请表",
    "registration.correction_requested": "要求补正（网上资格审核）",
    "registration.corrected": "补正后重新提交",
    "registration.correction_lapsed": "逾期未补正",
    "document.uploaded": "上传审核材料",
    "document.deleted": "删除审核材料",
    "document.replaced": "更换审核材料",
    "document.viewed": "查看审核材料原件",
    "document.reviewed": "审核材料（通过/需补正）",
    "review_mode.changed": "设置资格审核方式",
    "payment.order.created": "创建缴费订单",
    "payment.order.paid": "缴费成功",
    "payment.order.paid_after_close": "订单关闭后到账",
    "payment.order.closed": "关闭缴费订单",
    "payment.refund.requested": "申请退费",
    "payment.refund.executed": "执行退费",
    "payment.refund.failed": "退费失败",
    "payment.refund.recorded_external": "登记线下退费",
    "site.capacity.changed": "修改考点容量",
    "notify.message.resent": "重新发送通知",
    "staff.login": "考务人员登录",
    "staff.account.locked": "考务人员账户锁定",
    "staff.password.changed": "考务人员修改密码",
    "staff.password.reset": "重置考务人员密码",
    "staff.totp.enrolled": "绑定双因素验证器",
    "staff.totp.reset": "重置双因素认证",
    "staff.sessions.ended": "结束考务人员的登录会话",
    "report.export.requested": "申请数据导出",
    "report.forms.print_requested": "申请批量打印报名申请表",
    "report.file.downloaded": "下载导出文件",
    "dictionary.schools.imported": "导入学校字典",
    "dictionary.work_units.imported": "导入工作单位字典",
    "dictionary.majors.loaded": "载入专业目录",
    "dictionary.majors.imported": "导入专业目录",
    "candidate.education.major_confirmed": "考生确认专业",
    "catalogue.eligibility_settings.changed": "修改资格规则设置",
    "demo.loaded": "载入演示数据",
    "arrangement.planned": "考场预排",
    "arrangement.published": "发布考场编排",
    "arrangement.discarded": "作废考场预排",
    "arrangement.requested": "申请考场编排任务",
    "arrangement.room.closed": "停用考场",
    "arrangement.accessible_need.changed": "设置是否需要无障碍考场",
    "arrangement.rooms.imported": "导入考场",
    "arrangement.sheets.printed": "打印签到表和门贴",
    "arrangement.site.exported": "导出考点编排表",
    "arrangement.checkin": "考生入场核验",
    "arrangement.ticket.printed": "打印准考证",
}

_CATALOGUE_VERBS = {"added": "新增", "changed": "修改", "deleted": "删除"}

FIELDS = {
    "name": "姓名/名称", "username": "用户名", "sex": "性别", "birth_date": "出生日期", "doc_type": "证件类型",
    "doc_number": "证件号码", "nationality": "国籍", "ethnic_group": "民族", "permit_number": "通行证号码",
    "military_identity": "本人身份", "mobile": "手机号码", "email": "电子邮箱", "address": "通讯地址",
    "postcode": "邮政编码", "work_unit_name": "工作单位", "department": "科室", "title": "职称",
    "title_date": "获取职称年月", "post": "职务", "employment_status": "在岗情况", "practice_start": "执业起始年月",
    "status": "状态", "payment_status": "缴费状态", "number": "报名号", "site_id": "考点", "region_id": "考区",
    "subject_id": "报考类别", "reason": "原因", "reject_reason": "不通过原因", "amount_fen": "金额（分）",
    "out_trade_no": "订单号", "trade_no": "银行流水号", "external_ref": "外部凭证号", "note": "备注",
    "capacity": "容量", "taken": "已占用", "code": "代码", "result": "结果", "state": "状态", "kind": "类别",
    "entries_unlocked": "解锁的经历条目", "refund": "退费", "seat_released": "释放名额", "rows": "行数",
    "added": "新增", "updated": "更新", "bytes": "文件大小（字节）", "message": "说明", "params": "参数",
    "registration_id": "报名编号", "recovery_question": "找回问题", "recovery_failures": "找回失败次数",
    "enabled": "启用", "item": "收费项目", "online_payment_open": "开通网上缴费", "payment_deadline": "缴费截止",
    "fee_collection_note": "缴费说明", "window_opens_at": "报名开始", "window_closes_at": "报名截止",
    "year": "年度", "level": "级别", "major": "专业", "school_name": "毕业学校", "start_ym": "开始年月",
    "end_ym": "结束年月", "diploma_number": "毕业证书编号", "institution": "培训机构",
    "certificate_number": "证书编号", "cert_number": "证书编号", "reg_ym": "注册年月", "reg_number": "注册编号",
    "issue_ym": "发证年月", "category": "专业类别", "major_category": "专业类别", "active": "启用",
    "ministry_class": "所属专业类", "edition": "目录版本", "user_id": "考务人员", "site": "考点", "region": "考区", "actor": "操作者",
    "verdict": "审核结论", "reasons": "补正原因", "correction_deadline": "补正截止日期", "slot": "材料",
    "mode": "审核方式", "review_start": "审核开始", "review_end": "审核截止", "correction_days": "补正期限（天）",
    "pages": "页数", "document_id": "材料编号",
}

_VALUES = {"status": {**STATUS_LABELS, **ORDER_LABELS}, "payment_status": PAYMENT_LABELS}


def action_label(action: str | None) -> str:
    """``registration.submitted`` -> 提交报名; ``catalogue.sites.added`` -> 新增考点; unknown: as it is."""
    if not action:
        return ""
    if action in ACTIONS:
        return ACTIONS[action]
    parts = action.split(".")
    if len(parts) == 3 and parts[0] == "catalogue" and parts[2] in _CATALOGUE_VERBS:
        return _CATALOGUE_VERBS[parts[2]] + OBJECT_TYPES.get(parts[1], parts[1])
    if len(parts) == 3 and parts[0] == "candidate" and parts[2] == "added" and parts[1] in ENTRY_LABELS:
        return "添加" + ENTRY_LABELS[parts[1]]
    if len(parts) == 3 and parts[0] == "candidate" and parts[2] == "changed" and parts[1] in ENTRY_LABELS:
        return "修改" + ENTRY_LABELS[parts[1]]
    if len(parts) == 2 and parts[1] == "verified" and parts[0] in ENTRY_LABELS:
        return "核验" + ENTRY_LABELS[parts[0]]
    return action


def object_label(object_type: str | None) -> str:
    return OBJECT_TYPES.get(object_type or "", object_type or "")


def actor_label(actor_type: str, actor_id: int | None, actor_name: str | None) -> str:
    """Who did it, as a name: 'staff1（考务人员）', '张三（考生）', '系统'. Never 'None'."""
    kind = ACTOR_TYPES.get(actor_type, actor_type)
    name = actor_name or name_of(actor_type, actor_id)
    if name:
        return f"{name}（{kind}）"
    return kind if actor_id is None else f"{kind} #{actor_id}"


def name_of(actor_type: str, actor_id: int | None) -> str | None:
    """The candidate's name (or user name) or the staff member's user name, looked up by id."""
    if actor_id is None:
        return None
    if actor_type == "candidate":
        cand = db.session.get(Candidate, actor_id)
        return cand.username if cand else None
    if actor_type == "staff":
        from flask_appbuilder.security.sqla.models import User
        user = db.session.get(User, actor_id)
        return user.username if user else None
    return None


def field_changes(before: dict | None, after: dict | None) -> list[tuple[str, str, str]]:
    """(field label, before, after) for every field either side names, in a stable order."""
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return [(FIELDS.get(k, k), value_text(k, before.get(k)) if k in before else "",
             value_text(k, after.get(k)) if k in after else "") for k in keys]


def value_text(field: str, value: Any) -> str:
    """A logged value as text: labels for known states, lists joined, nested values as 'key: value'."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value_text(field, v) for v in value) or "（空）"
    if isinstance(value, dict):
        return "；".join(f"{FIELDS.get(k, k)}：{value_text(k, v)}" for k, v in value.items())
    return _VALUES.get(field, {}).get(value, str(value)) if isinstance(value, str) else str(value)


__all__ = ["ACTIONS", "OBJECT_TYPES", "action_label", "object_label", "actor_label", "field_changes",
           "value_text", "name_of"]
