"""个人信息副本: the job that writes a candidate's copy (core/privacy/copies.py asks for it).

One ZIP: ``data.json`` (every registered collector's data, machine-readable) and ``个人信息副本.pdf`` (the same,
readable: one table per row, WeasyPrint, Noto Sans CJK SC). Written with mode 0600 under EXPORT_DIR; a
failed job leaves no file (core.jobs).
"""
from __future__ import annotations

import json
import zipfile
from datetime import datetime

from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import HTML

from core.db import db, to_shanghai, utcnow
from core.jobs import JobContext, JobResult, job_handler
from core.models import Candidate
from core.privacy.collectors import COLLECTORS, collect
from core.privacy.copies import COPY_JOB, MAKING_PDF, NO_ACCOUNT, READY
from core.services.errors import DomainError
from reports.application_form import TEMPLATES

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))

# Chinese labels for the PDF (data.json keeps the column names)
LABELS = {
    "id": "编号", "username": "用户名", "name": "姓名", "sex": "性别", "birth_date": "出生日期",
    "doc_type": "证件类型", "doc_number": "证件号码", "nationality": "国籍", "ethnic_group": "民族",
    "permit_number": "往来大陆通行证号码", "military_identity": "本人身份", "mobile": "手机", "email": "电子邮箱",
    "address": "通讯地址", "postcode": "邮编", "work_unit_name": "工作单位", "department": "科室", "title": "职称",
    "title_date": "职称取得时间", "post": "职务", "employment_status": "在岗情况", "practice_start": "试用期起始",
    "photo_path": "照片文件", "created_at": "创建时间", "updated_at": "更新时间", "last_login_at": "最近登录",
    "status": "状态", "payment_status": "缴费状态", "number": "报名号", "snapshot": "提交时冻结的报名信息",
    "submitted_at": "提交时间", "reject_reason": "审核不通过原因", "amount_fen": "金额（分）",
    "school_name": "学校", "major": "专业", "level": "层次", "study_mode": "学习形式", "start_ym": "开始年月",
    "end_ym": "结束年月", "notice_version": "告知版本", "sensitive": "同意处理敏感个人信息",
    "agreed_at": "同意时间", "action": "操作", "at": "时间", "actor_type": "操作人类型", "before": "修改前",
    "after": "修改后", "ip": "IP地址", "out_trade_no": "订单号", "receipt_no": "缴费凭证号", "paid_at": "缴费时间",
    "reason": "原因", "state": "锁定 / 验证", "verified_at": "验证时间",
}


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def render_pdf(data: dict, cand: Candidate) -> bytes:
    sections = []
    for key, c in COLLECTORS.items():
        value = data.get(key)
        items = value if isinstance(value, list) else [value] if value else []
        sections.append({"title": c.title, "rows": [{k: _cell(v) for k, v in i.items()} if isinstance(i, dict)
                                                     else {"": _cell(i)} for i in items]})
    html = _env.get_template("reports/privacy_copy.html").render(
        sections=sections, labels=LABELS, name=cand.name, username=cand.username,
        made_at=to_shanghai(utcnow()).strftime("%Y-%m-%d %H:%M"))
    return HTML(string=html).write_pdf()


@job_handler(COPY_JOB)
def make_copy(ctx: JobContext, params: dict) -> JobResult:
    cand = db.session.get(Candidate, ctx.owner_id) if ctx.owner_type == "candidate" else None
    if cand is None or cand.closed_at is not None:
        raise DomainError(NO_ACCOUNT)
    data = collect(cand.id)
    ctx.progress(50, MAKING_PDF)
    made = {"generated_at": datetime.now().astimezone().isoformat(timespec="seconds"), "data": data}
    path = ctx.output_path(".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.json", json.dumps(made, ensure_ascii=False, indent=2))
        z.writestr("个人信息副本.pdf", render_pdf(data, cand))
    return JobResult(path=path, name=f"personal-data-{cand.username}.zip",
                     message=READY)
