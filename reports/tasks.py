"""Background-job handlers for reports (registered with core.jobs; a Celery worker imports this).

The scope is recomputed from the owner's account when the job runs, so a job never sees more than
its owner may see at that moment (a disabled account gets nothing). The scope, the job row and the
audit entries use the primary (``db.session``); the rows exported or printed are read through
``core.db.reports_session`` (the read replica when ``REPORTS_DATABASE_URL`` is set).
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from core.db import db, reports_session, utcnow
from core.jobs import JobContext, JobResult, enqueue, job_handler
from core.models import Job, Registration, Site
from core.services import audit
from core.services.errors import DomainError
from core.registration.states import PRINTABLE
from reports import exports
from reports.application_form import forms_pdf
from reports.scope import ReportScope

EXPORT_JOB = "reports.export"
PRINT_JOB = "reports.print_site_forms"


def owner_scope(ctx: JobContext) -> ReportScope:
    if ctx.owner_type != "staff":
        raise DomainError("只有考务人员可以执行该任务。")
    user = db.session.get(User, ctx.owner_id)
    if user is None or not user.active:
        raise DomainError("账号不存在或已停用。")
    return ReportScope.for_user(user)


def _audited(user, action: str, after: dict):
    """The audit entry for a queued report, written in the job row's transaction."""
    def record(job: Job) -> None:
        audit.record(action, actor_type="staff", actor_id=user.id, actor_name=user.username, obj=job,
                     after=after)
    return record


def record_download(user, job: Job) -> None:
    """A staff user downloads a job's file (an export holds personal data): audited."""
    audit.record("report.file.downloaded", actor_type="staff", actor_id=user.id, actor_name=user.username,
                 obj=job, after={"kind": job.kind, "params": job.params})
    db.session.commit()


# --- Excel exports --------------------------------------------------------------------------------

def start_export(user, kind: str, filters: exports.RegistrationFilters, purpose: str) -> Job:
    """导出: queue an export for this staff user (the view calls this; the work runs elsewhere). The purpose
    (``exports.PURPOSES``) is required: it is in the file name, the job and the audit entry."""
    if kind not in exports.EXPORTS:
        raise DomainError("请选择要导出的数据。", field="kind")
    if purpose not in exports.PURPOSES:
        raise DomainError("请选择导出用途。", field="purpose")
    title = exports.EXPORTS[kind].title
    params = {"kind": kind, "filters": filters.to_params(), "purpose": purpose}
    return enqueue(EXPORT_JOB, owner_type="staff", owner_id=user.id, params=params,
                   message=f"“{title}”导出（用途：{purpose}）已加入任务队列。",
                   on_created=_audited(user, "report.export.requested", params))


@job_handler(EXPORT_JOB)
def run_export(ctx: JobContext, params: dict) -> JobResult:
    scope = owner_scope(ctx)
    kind = params["kind"]
    filters = exports.RegistrationFilters.from_params(params.get("filters"))
    path = ctx.output_path(".xlsx")
    rows = exports.export(kind, path, scope, filters, progress=ctx.progress)
    return JobResult(path=path, name=exports.file_name(kind, utcnow(), params.get("purpose", "")),
                     message=f"导出完成，共 {rows:,} 行。")


# --- batch printing of a site's forms -------------------------------------------------------------

# Batch printing has one purpose: the forms candidates sign at 现场资格审核 (named like an export's purpose).
PRINT_PURPOSE = "现场资格审核"


def start_site_print(user, site_id: int) -> Job:
    """批量打印: queue the printing of every submitted form of one site into one PDF. Its purpose
    (``PRINT_PURPOSE``) is in the file name, the job and the audit entry, as an export's is."""
    site = db.session.get(Site, site_id)
    if site is None or not ReportScope.for_user(user).covers_site(site):
        raise DomainError("所选考点不存在或不在您的管理范围内。", field="site_id")
    params = {"site_id": site_id, "purpose": PRINT_PURPOSE}
    return enqueue(PRINT_JOB, owner_type="staff", owner_id=user.id, params=params,
                   message=f"{site.name}报名申请表批量打印（用途：{PRINT_PURPOSE}）已加入任务队列。",
                   on_created=_audited(user, "report.forms.print_requested", params))


def site_snapshots(site_id: int) -> list[dict]:
    """The frozen forms of a site, read through ``reports_session`` (the replica when configured)."""
    with reports_session() as session:
        return list(session.scalars(
            select(Registration.snapshot).where(Registration.site_id == site_id,
                                                Registration.status.in_(PRINTABLE),
                                                Registration.snapshot.is_not(None))
            .order_by(Registration.number)))


@job_handler(PRINT_JOB)
def run_site_print(ctx: JobContext, params: dict) -> JobResult:
    scope = owner_scope(ctx)
    site = db.session.get(Site, params["site_id"])
    if site is None or not scope.covers_site(site):
        raise DomainError("所选考点不存在或不在您的管理范围内。")
    snapshots = site_snapshots(site.id)
    if not snapshots:
        raise DomainError(f"{site.name}没有可打印的报名申请表。")
    ctx.progress(1, f"共 {len(snapshots)} 份，正在排版……")
    path = ctx.output_path(".pdf")
    forms_pdf(snapshots, Path(current_app.config["PHOTO_DIR"]), mask_documents=not scope.full_documents,
              target=path, workers=current_app.config["PRINT_WORKERS"],
              progress=lambda done, total: ctx.progress(
                  90 * done / total, f"已排版 {done} / {total} 份"))
    purpose = params.get("purpose", PRINT_PURPOSE)
    return JobResult(path=path, name=f"报名申请表-{site.code}-{utcnow():%Y%m%d}-{purpose}.pdf",
                     message=f"已生成 {len(snapshots)} 份报名申请表（一个 PDF 文件）。")


# --- 签到表 and 门贴 of a whole site (考场编排) ------------------------------------------------------

SHEETS_JOB = "arrangement.sheets"


def _sheets_site(user, site_id: int) -> Site:
    from core.services import scope
    site = db.session.get(Site, site_id)
    if site is None or user is None or not user.active or not scope.can_see_site(user, site):
        raise DomainError("所选考点不存在或不在您的管理范围内。", field="site_id")
    return site


def start_site_sheets(user, site_id: int) -> Job:
    """签到表和门贴: queue the PDF of every room of one site (photos included) for this staff user; audited."""
    site = _sheets_site(user, site_id)
    params = {"site_id": site.id}
    return enqueue(SHEETS_JOB, owner_type="staff", owner_id=user.id, params=params,
                   message=f"{site.name}签到表和门贴已加入任务队列。",
                   on_created=_audited(user, "arrangement.sheets.requested", params))


@job_handler(SHEETS_JOB)
def run_site_sheets(ctx: JobContext, params: dict) -> JobResult:
    from core.arrangement import admission
    from reports.admission_documents import sheets_pdf
    if ctx.owner_type != "staff":
        raise DomainError("只有考务人员可以执行该任务。")
    site = _sheets_site(db.session.get(User, ctx.owner_id), int(params["site_id"]))  # the scope of now
    sheets = admission.site_sheets(site.id)
    if not sheets:
        raise DomainError(f"{site.name}尚无已发布的考场编排。")
    seats = sum(len(s["rows"]) for s in sheets)
    ctx.progress(1, f"共 {len(sheets)} 个考场、{seats} 人，正在缩小照片并排版……")
    path = ctx.output_path(".pdf")
    sheets_pdf(sheets, Path(current_app.config["PHOTO_DIR"]), target=path,
               workers=current_app.config["PRINT_WORKERS"],
               progress=lambda done, total: ctx.progress(95 * done / total, f"已排版 {done} / {total} 部分"))
    return JobResult(path=path, name=f"签到表和门贴-{site.code}-{utcnow():%Y%m%d}.pdf",
                     message=f"已生成 {len(sheets)} 个考场的签到表和门贴（{seats} 人，一个 PDF 文件）。")
