"""统计报表 in the back office: statistics dashboard, Excel exports, printing application forms,
and the job pages (progress bar, download). Views stay thin: the work is in ``reports``; long work
is queued as a background job (core.jobs), never done inside the request.

Permissions (backoffice/roles.py): Statistics: list, download · Export: list, start ·
FormPrint: form, site. Job pages need only a staff login: a job is shown to its owner alone.
"""
from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, g, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from sqlalchemy import select

from core import jobs
from core.db import db, utcnow
from core.models import ExamSubject, ExamYear, Region, Registration, Site
from core.models.registration import PAYMENT_LABELS
from core.registration.states import STATUS_LABELS
from core.services import scope as staff_scope
from core.services import staff_actions
from core.services.errors import DomainError
from core.validators import row_id
from reports import statistics, tasks
from reports.application_form import TEMPLATES, application_form_pdf
from reports.charts import table_chart
from reports.exports import EXPORTED_STATUSES, EXPORTS, PURPOSES, RegistrationFilters
from reports.scope import ReportScope

EXPORT_KINDS = {kind: spec.title for kind, spec in EXPORTS.items()}


def _choices(user):
    """Filter choices, each limited to the user's scope."""
    years = db.session.execute(select(ExamYear.id, ExamYear.name).order_by(ExamYear.year.desc())).all()
    subjects = db.session.execute(select(ExamSubject.id, ExamSubject.code, ExamSubject.name, ExamYear.year)
                                  .join(ExamYear).order_by(ExamYear.year.desc(), ExamSubject.code)).all()
    regions = db.session.execute(select(Region.id, Region.name).where(staff_scope.region_clause(user))
                                 .order_by(Region.code)).all()
    sites = db.session.execute(select(Site.id, Site.name, Region.name).join(Region)
                               .where(staff_scope.site_clause(user)).order_by(Region.code, Site.code)).all()
    return {"exam_year_id": {str(i): n for i, n in years},
            "subject_id": {str(i): f"{y} {c} {n}" for i, c, n, y in subjects},
            "region_id": {str(i): n for i, n in regions},
            "site_id": {str(i): f"{r} {n}" for i, n, r in sites},
            "status": {s: STATUS_LABELS[s] for s in EXPORTED_STATUSES},
            "payment_status": dict(PAYMENT_LABELS)}


class StatisticsView(BaseView):
    """统计分析: counts within the user's scope, drawn as bars, downloadable as Excel."""

    route_base = "/reports/statistics"
    template_folder = str(TEMPLATES)
    class_permission_name = "Statistics"
    method_permission_name = {"dashboard": "list", "download": "download"}
    default_view = "dashboard"

    def _tables(self):
        year_id = row_id(request.args.get("exam_year_id"))
        if year_id is not None and db.session.get(ExamYear, year_id) is None:
            year_id = None
        return year_id, statistics.dashboard(ReportScope.for_user(g.user), year_id)

    @expose("/")
    @has_access
    def dashboard(self):
        year_id, tables = self._tables()
        return self.render_template("reports/statistics.html", title="统计分析", tables=tables,
                                    charts=[table_chart(t) for t in tables], year_id=year_id,
                                    years=_choices(g.user)["exam_year_id"],
                                    total=statistics.total_registrations(ReportScope.for_user(g.user), year_id))

    @expose("/download.xlsx")
    @has_access
    def download(self):
        _, tables = self._tables()
        return send_file(_bytes_io(statistics.tables_to_xlsx(tables)), as_attachment=True,
                         download_name=f"统计分析-{utcnow():%Y%m%d-%H%M}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _bytes_io(data: bytes):
    from io import BytesIO
    return BytesIO(data)


def _kinds(user) -> dict[str, str]:
    """The exports this user may choose: the de-identified statistics export is national only."""
    national = ReportScope.for_user(user).national
    return {k: t for k, t in EXPORT_KINDS.items() if national or k != "statistics"}


class ExportView(BaseView):
    """数据导出: choose the data and filters; the export runs as a background job."""

    route_base = "/reports/exports"
    template_folder = str(TEMPLATES)
    class_permission_name = "Export"
    method_permission_name = {"form": "list", "start": "start"}
    default_view = "form"

    def _render(self, values=None, errors=None, status=200):
        return self.render_template("reports/exports.html", title="数据导出", kinds=_kinds(g.user),
                                    purposes={p: p for p in PURPOSES},
                                    choices=_choices(g.user), values=values or {}, errors=errors or {},
                                    recent=jobs.jobs_of_owner("staff", g.user.id, 10)), status

    @expose("/")
    @has_access
    def form(self):
        return self._render()

    @expose("/", methods=["POST"])
    @has_access
    def start(self):
        values = {k: request.form.get(k, "") for k in ("kind", "purpose", *RegistrationFilters.__dataclass_fields__)}
        errors = {}
        if values["kind"] not in _kinds(g.user):
            errors["kind"] = "请选择要导出的数据。"
        if values["purpose"] not in PURPOSES:
            errors["purpose"] = "请选择导出用途。"
        choices = _choices(g.user)
        for name, allowed in choices.items():
            if values.get(name) and values[name] not in allowed:
                errors[name] = "所选项目不存在或不在您的管理范围内。"
        takes = EXPORTS[values["kind"]].filters if values["kind"] in EXPORTS else None
        for name in choices:
            if takes is not None and values.get(name) and name not in takes and name not in errors:
                errors[name] = "统计用去标识数据只按考试年度、报考类别、考区筛选（按其他条件导出再相减，可推算出隐去的小数）。"
        if errors:
            return self._render(values, errors, 400)
        try:
            job = tasks.start_export(g.user, values["kind"], RegistrationFilters.from_params(values),
                                     values["purpose"])
        except DomainError as exc:
            return self._render(values, {exc.field or "_": exc.message}, 400)
        return redirect(url_for("ReportJobView.page", job_id=job.id))


class FormPrintView(BaseView):
    """打印报名申请表 for staff: one form (within scope), or a whole site's forms as one PDF (a job)."""

    route_base = "/reports/print"
    template_folder = str(TEMPLATES)
    class_permission_name = "FormPrint"
    method_permission_name = {"form": "form", "site_form": "site", "start_site": "site"}
    default_view = "site_form"

    @expose("/registration/<int:registration_id>.pdf")
    @has_access
    def form(self, registration_id: int):
        reg = db.session.get(Registration, registration_id)
        if not reg or not reg.snapshot or not staff_scope.can_see_registration(g.user, reg):
            abort(404)
        full = staff_scope.can_see_full_documents(g.user)
        pdf = application_form_pdf(reg.snapshot, Path(current_app.config["PHOTO_DIR"]), mask_documents=not full)
        if full:  # the full document number printed: audited like 显示
            staff_actions.form_printed_in_full(g.user, reg)
            db.session.commit()
        return send_file(_bytes_io(pdf), mimetype="application/pdf",
                         download_name=f"报名申请表-{reg.number}.pdf")

    def _render(self, values=None, errors=None, status=200):
        sites = _choices(g.user)["site_id"]
        return self.render_template("reports/print_site.html", title="批量打印报名申请表", sites=sites,
                                    values=values or {}, errors=errors or {}), status

    @expose("/site")
    @has_access
    def site_form(self):
        return self._render()

    @expose("/site", methods=["POST"])
    @has_access
    def start_site(self):
        site_id = row_id(request.form.get("site_id"))
        if site_id is None:
            return self._render(request.form, {"site_id": "请选择考点。"}, 400)
        try:
            job = tasks.start_site_print(g.user, site_id)
        except DomainError as exc:
            return self._render(request.form, {exc.field or "site_id": exc.message}, 400)
        return redirect(url_for("ReportJobView.page", job_id=job.id))


class ReportJobView(BaseView):
    """后台任务: the owner's job page (progress bar polling JSON) and the download when done."""

    route_base = "/reports/jobs"
    template_folder = str(TEMPLATES)
    default_view = "page"

    def _job(self, job_id: int):
        user = g.user
        if user is None or not getattr(user, "is_authenticated", False):
            abort(404)
        job = jobs.job_for_owner(job_id, "staff", user.id)
        if job is None:
            abort(404)  # someone else's job: as if it did not exist
        return job

    def _status(self, job):
        data = jobs.status(job)
        data["download_url"] = url_for("ReportJobView.download", job_id=job.id) if data["has_file"] else None
        return data

    @expose("/<int:job_id>")
    def page(self, job_id: int):
        if not getattr(g.user, "is_authenticated", False):
            return redirect(self.appbuilder.get_url_for_login_with(request.full_path.rstrip("?")))
        job = self._job(job_id)
        return self.render_template("reports/job.html", title="后台任务", job=job, status=self._status(job),
                                    status_url=url_for("ReportJobView.status", job_id=job.id))

    @expose("/<int:job_id>.json")
    def status(self, job_id: int):
        return jsonify(self._status(self._job(job_id)))

    @expose("/<int:job_id>/download")
    def download(self, job_id: int):
        job = self._job(job_id)
        path = jobs.result_file(job)
        if path is None:
            abort(404)
        tasks.record_download(g.user, job)
        return send_file(path, as_attachment=True, download_name=job.result_name or path.name)


def register_report_views(appbuilder) -> None:
    category = "统计报表"
    appbuilder.add_view(StatisticsView, "统计分析", icon="fa-chart-bar", category=category,
                        category_label=category, label="统计分析")
    appbuilder.add_view(ExportView, "数据导出", icon="fa-file-excel", category=category,
                        category_label=category, label="数据导出")
    appbuilder.add_view(FormPrintView, "批量打印报名申请表", icon="fa-print", category=category,
                        category_label=category, label="批量打印报名申请表")
    appbuilder.add_view_no_menu(ReportJobView)
