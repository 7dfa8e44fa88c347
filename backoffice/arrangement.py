"""考场编排 in the back office: 考试场次, 考场 and 准考证打印时间 as data; 预排, 发布, 签到表/门贴, the site's Excel,
导入考场 and 入场核验. Thin: parse, check scope, call core.arrangement, render. Every change is audited there or
by CatalogueView. A site outside the user's scope is a 404, like a site that does not exist.

Permissions (backoffice/roles.py): Arrangement: list, arrange, print, import, checkin · ExamRoom · TicketWindow.
"""
from __future__ import annotations

import io
from pathlib import Path

from flask import abort, current_app, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import select
from wtforms import BooleanField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from backoffice.base import InScope, scoped, shanghai, yes_no
from backoffice.catalogue import CatalogueView, region_in_scope
from core import jobs
from core.arrangement import admission, checkin, rooms_import, service
from core.arrangement import needs as arrangement_needs
from core.arrangement import report as run_report
from core.arrangement.job import KIND, start_region
from core.db import db
from core.models import (ArrangementRun, ExamRoom, ExamSession, ExamYear, Region, Registration, SeatAssignment,
                         Site, TicketWindow)
from core.models.arrangement import ARRANGED_PART_LABELS, PART_LABELS
from core.registration.lifecycle import Actor
from core.services import audit, scope
from core.services.errors import DomainError
from core.validators import row_id
from reports import tasks
from reports.admission_documents import site_workbook

TEMPLATES = Path(__file__).resolve().parent / "templates"
PLAN_PARTS = {"written": "医学综合（含军事医学），在报名考点", "skills": "实践技能，在实践技能基地"}
assert set(PLAN_PARTS) == set(ARRANGED_PART_LABELS)
NOT_YOURS = "不能为您管理范围以外的考点设置考场。"


def _room_site_clause(user):
    return ExamRoom.site_id.in_(select(Site.id).where(scope.site_clause(user)))


def _manageable_sites(user):
    return Site.region_id.in_(select(Region.id).where(scope.manageable_region_clause(user)))


def _windows_in_scope(user):
    return TicketWindow.region_id.in_(select(Region.id).where(scope.region_clause(user)))


def _site_in_scope(form, field):
    site = field.data
    if site is not None and not scope.can_manage_region(g.user, site.region_id):
        raise ValidationError(NOT_YOURS)


class ExamSessionView(CatalogueView):
    """考试场次: per exam year, part, level and category (national)."""

    datamodel = SQLAInterface(ExamSession)
    route_base = "/exam-sessions"
    class_permission_name = "ExamSession"
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_title, show_title, add_title, edit_title = "考试场次", "考试场次", "新增考试场次", "修改考试场次"
    list_columns = ["exam_year", "part_label", "level", "category", "name", "starts_at", "ends_at"]
    add_columns = edit_columns = show_columns = ["exam_year", "part", "level", "category", "name", "starts_at",
                                                 "ends_at"]
    label_columns = {"exam_year": "考试年度", "part": "考试部分", "part_label": "考试部分", "level": "级别（空：全部）",
                     "category": "类别（空：全部）", "name": "场次名称", "starts_at": "开始时间（北京时间）",
                     "ends_at": "结束时间（北京时间）"}
    formatters_columns = {"starts_at": shanghai, "ends_at": shanghai}
    shanghai_columns = ("starts_at", "ends_at")
    validators_columns = {"name": [InputRequired("请填写场次名称。")]}

    def before_write(self, item):
        if item.part not in PART_LABELS:
            raise DomainError("考试部分须为 skills（实践技能）、written（医学综合）或 military（军事医学）。")
        if item.starts_at and item.ends_at and item.ends_at <= item.starts_at:
            raise DomainError("结束时间须晚于开始时间。")


class ExamRoomView(CatalogueView):
    """考场 of the sites in scope: capacity, where, 无障碍, the sessions it hosts; 停用 for a re-arrangement."""

    datamodel = SQLAInterface(ExamRoom)
    route_base = "/exam-rooms"
    class_permission_name = "ExamRoom"
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    base_filters = [["id", InScope, _room_site_clause]]
    list_title, show_title, add_title, edit_title = "考场", "考场", "新增考场", "修改考场"
    list_columns = ["site", "number", "capacity", "floor", "accessible", "closed"]
    show_columns = add_columns = edit_columns = ["site", "number", "capacity", "address", "floor", "accessible",
                                                 "closed", "sessions"]
    label_columns = {"site": "考点", "number": "考场号", "capacity": "座位数", "address": "地址", "floor": "楼层",
                     "accessible": "无障碍考场", "closed": "停用", "sessions": "承担的场次"}
    formatters_columns = {"accessible": yes_no, "closed": yes_no}
    validators_columns = {"capacity": [InputRequired("请填写座位数。"),
                                       NumberRange(min=1, max=999, message="座位数须在 1 到 999 之间。")],
                          "number": [InputRequired("请填写考场号。"),
                                     NumberRange(min=1, max=999, message="考场号须在 1 到 999 之间。")],
                          "site": [_site_in_scope]}
    search_columns = ["site", "number", "accessible", "closed"]
    # FAB marks a NOT NULL boolean as required, so an unticked 无障碍/停用 was refused: plain checkboxes instead
    add_form_extra_fields = edit_form_extra_fields = {"accessible": BooleanField("无障碍考场"),
                                                      "closed": BooleanField("停用")}
    add_form_query_rel_fields = edit_form_query_rel_fields = {"site": [["id", InScope, _manageable_sites]]}
    search_form_query_rel_fields = {"site": scoped(scope.site_clause)}

    def before_write(self, item):
        site = item.site or db.session.get(Site, item.site_id)
        if site is None or not scope.can_manage_region(g.user, site.region_id):
            raise DomainError(NOT_YOURS)
        if rooms_import.mixed_parts(item.sessions or []):
            raise DomainError(rooms_import.MIXED_PARTS)


class TicketWindowView(CatalogueView):
    """准考证打印时间: per region and year, from when it prints and until when its QR code is valid."""

    datamodel = SQLAInterface(TicketWindow)
    route_base = "/ticket-windows"
    class_permission_name = "TicketWindow"
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    base_filters = [["id", InScope, _windows_in_scope]]
    list_title, show_title, add_title, edit_title = "准考证打印时间", "准考证打印时间", "设置准考证打印时间", "修改准考证打印时间"
    list_columns = ["region", "exam_year", "opens_at", "valid_until"]
    show_columns = add_columns = edit_columns = ["region", "exam_year", "opens_at", "valid_until", "rules"]
    label_columns = {"region": "考区", "exam_year": "考试年度", "opens_at": "开放打印时间（北京时间）",
                     "valid_until": "二维码有效期至（北京时间）", "rules": "考试须知（每行一条；空：默认）"}
    formatters_columns = {"opens_at": shanghai, "valid_until": shanghai}
    shanghai_columns = ("opens_at", "valid_until")
    validators_columns = {"region": [region_in_scope("不能为您管理范围以外的考区设置准考证打印时间。")]}
    add_form_query_rel_fields = edit_form_query_rel_fields = {"region": scoped(scope.manageable_region_clause)}

    def before_write(self, item):
        if not scope.can_manage_region(g.user, item.region_id or getattr(item.region, "id", None)):
            raise DomainError("不能为您管理范围以外的考区设置准考证打印时间。")
        if item.opens_at and item.valid_until and item.valid_until <= item.opens_at:
            raise DomainError("二维码有效期须晚于开放打印时间。")


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _site(site_id: int, manage: bool = False) -> Site:
    site = db.session.get(Site, site_id)
    if site is None or not scope.can_see_site(g.user, site) or (manage and not scope.can_manage_region(
            g.user, site.region_id)):
        abort(404)
    return site


def _years() -> dict[str, str]:
    return {str(i): n for i, n in db.session.execute(select(ExamYear.id, ExamYear.name)
                                                     .order_by(ExamYear.year.desc(), ExamYear.id.desc()))}


class ArrangementView(BaseView):
    route_base = "/arrangement"
    template_folder = str(TEMPLATES)
    class_permission_name = "Arrangement"
    method_permission_name = {"overview": "list", "plan": "arrange", "run": "arrange", "publish": "arrange",
                              "discard": "arrange", "sheets": "print", "workbook": "print",
                              "import_form": "import", "import_rooms": "import", "checkin_form": "checkin",
                              "checkin_post": "checkin", "photo": "checkin", "accessible": "arrange",
                              "region": "arrange"}
    default_view = "overview"

    def _overview(self, errors=None, values=None, status=200):
        site_ids = scope.allowed_site_ids(g.user)
        years = _years()
        year_id = row_id((values or {}).get("exam_year_id") or request.args.get("exam_year_id")) or row_id(
            next(iter(years), None))
        stats = service.site_statistics(site_ids, year_id)
        drafts: dict[int, dict[str, ArrangementRun]] = {}
        for r in db.session.scalars(select(ArrangementRun).where(
                ArrangementRun.site_id.in_(site_ids), ArrangementRun.state == "draft").order_by(ArrangementRun.id)):
            drafts.setdefault(r.site_id, {})[r.part] = r
        sites = {str(s["site_id"]): s["site"] for s in stats}
        needs = arrangement_needs.staff_list(g.user, year_id)
        regions = {str(i): n for i, n in db.session.execute(
            select(Region.id, Region.name).where(scope.manageable_region_clause(g.user)).order_by(Region.code))}
        return self.render_template("backoffice/arrangement.html", title="考场编排", stats=stats, drafts=drafts,
                                    sites=sites, parts=PLAN_PARTS, needs=needs, regions=regions,
                                    years=years, year_id=str(year_id or ""), errors=errors or {},
                                    values=values or {}), status

    @expose("/")
    @has_access
    def overview(self):
        return self._overview()

    @expose("/plan", methods=["POST"])
    @has_access
    def plan(self):
        site_id, year_id = row_id(request.form.get("site_id")), row_id(request.form.get("exam_year_id"))
        raw_seed = request.form.get("seed", "").strip()
        seed = _int(raw_seed)  # a number, not an id: range-checked below
        if raw_seed and (seed is None or not 0 <= seed < 2**31):
            return self._overview({"seed": "随机种子须为 0 到 2147483647 之间的整数，或留空由系统生成。"}, request.form, 400)
        if year_id is None or db.session.get(ExamYear, year_id) is None:
            return self._overview({"exam_year_id": "请选择考试年度。"}, request.form, 400)
        part = request.form.get("part", "written")
        if part not in PLAN_PARTS:
            return self._overview({"part": "请选择考试部分。"}, request.form, 400)
        site = _site(site_id or 0, manage=True)

        def audit_request(job):
            audit.record("arrangement.requested", **Actor.staff(g.user).audit_fields(), obj=job,
                         after={"site_id": site.id, "part": part, "seed": seed})

        job = jobs.enqueue(KIND, owner_type="staff", owner_id=g.user.id, on_created=audit_request,
                           params={"site_ids": [site.id], "exam_year_id": year_id, "seed": seed, "part": part},
                           message="考场预排已加入任务队列。")
        return redirect(url_for("ReportJobView.page", job_id=job.id))

    @expose("/region", methods=["POST"])
    @has_access
    def region(self):
        """全区预排 / 全区编排并发布: every site of one region as a background job (core/arrangement/job.py)."""
        year_id = row_id(request.form.get("region_exam_year_id"))
        if year_id is None or db.session.get(ExamYear, year_id) is None:
            return self._overview({"region_exam_year_id": "请选择考试年度。"}, request.form, 400)
        try:
            job = start_region(g.user, row_id(request.form.get("region_id")), year_id,
                               request.form.get("region_part", "written"), request.form.get("publish") == "1")
        except DomainError as exc:
            field = {"part": "region_part"}.get(exc.field, exc.field or "region_id")
            return self._overview({field: exc.message}, request.form, 400)
        return redirect(url_for("ReportJobView.page", job_id=job.id))

    @expose("/accessible", methods=["POST"])
    @has_access
    def accessible(self):
        """标记需要无障碍考场 by 报名号 (the next 预排 places the candidate in an accessible room)."""
        needed = request.form.get("needed") == "1"
        try:
            reg = service.set_accessible_need(g.user, request.form.get("number", "")[:20], needed)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            return self._overview({exc.field or "number": exc.message}, request.form, 400)
        flash(f"报名号 {reg.number}：{'需要' if needed else '不需要'}无障碍考场（下次预排生效）。", "success")
        return redirect(url_for("ArrangementView.overview"))

    def _run(self, run_id: int) -> ArrangementRun:
        run = db.session.get(ArrangementRun, run_id)
        if run is None:
            abort(404)
        _site(run.site_id, manage=True)
        return run

    @expose("/runs/<int:run_id>")
    @has_access
    def run(self, run_id: int):
        run = self._run(run_id)
        ids = [int(k) for k in run.unplaced]
        regs = {r.id: r for r in db.session.scalars(select(Registration).where(Registration.id.in_(ids)))}
        unplaced = [(regs[i].number, regs[i].candidate.name, run.unplaced[str(i)]) for i in ids if i in regs]
        return self.render_template("backoffice/arrangement_run.html", title=f"考场预排结果（{run.part_label}）", run=run,
                                    unplaced=unplaced, shortfall=run_report.shortfall(run),
                                    days=run_report.days(run))

    @expose("/runs/<int:run_id>/publish", methods=["POST"])
    @has_access
    def publish(self, run_id: int):
        run = self._run(run_id)
        try:
            service.publish(run.id, Actor.staff(g.user))
            flash("考场编排已发布。", "success")
        except DomainError as exc:
            flash(exc.message, "danger")
        return redirect(url_for("ArrangementView.run", run_id=run.id))

    @expose("/runs/<int:run_id>/discard", methods=["POST"])
    @has_access
    def discard(self, run_id: int):
        run = self._run(run_id)
        try:
            service.discard(run.id, Actor.staff(g.user))
            db.session.commit()
            flash("预排已作废。", "success")
        except DomainError as exc:
            flash(exc.message, "danger")
        return redirect(url_for("ArrangementView.run", run_id=run.id))

    @expose("/sites/<int:site_id>/sheets", methods=["POST"])
    @has_access
    def sheets(self, site_id: int):
        """签到表和门贴 of the whole site: a background job (photos downscaled, rooms laid out in parallel)."""
        site = _site(site_id)
        try:
            job = tasks.start_site_sheets(g.user, site.id)
        except DomainError as exc:
            flash(exc.message, "danger")
            return redirect(url_for("ArrangementView.overview"))
        return redirect(url_for("ReportJobView.page", job_id=job.id))

    @expose("/sites/<int:site_id>/arrangement.xlsx")
    @has_access
    def workbook(self, site_id: int):
        import tempfile
        site = _site(site_id)
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
            site_workbook(site.name, admission.site_sheets(site.id), admission.registration_numbers(site.id),
                          Path(tmp.name))
            data = Path(tmp.name).read_bytes()
        audit.record("arrangement.site.exported", **Actor.staff(g.user).audit_fields(), obj=site)
        db.session.commit()
        return send_file(io.BytesIO(data), as_attachment=True, download_name=f"考场编排-{site.code}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    def _import_page(self, errors=None, values=None, report=None, status=200):
        regions = {str(i): n for i, n in db.session.execute(
            select(Region.id, Region.name).where(scope.manageable_region_clause(g.user)).order_by(Region.code))}
        return self.render_template("backoffice/rooms_import.html", title="导入考场", regions=regions,
                                    years=_years(), errors=errors or {}, values=values or {},
                                    report=report), status

    @expose("/rooms/import")
    @has_access
    def import_form(self):
        return self._import_page()

    @expose("/rooms/import", methods=["POST"])
    @has_access
    def import_rooms(self):
        form = request.form
        region_id, year_id = row_id(form.get("region_id")), row_id(form.get("exam_year_id"))
        errors = {}
        if region_id is None or not scope.can_manage_region(g.user, region_id) \
                or db.session.get(Region, region_id) is None:
            errors["region_id"] = "请选择您管理的考区。"
        if year_id is None or db.session.get(ExamYear, year_id) is None:
            errors["exam_year_id"] = "请选择考试年度。"
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            errors["file"] = "请选择要上传的 Excel 文件。"
        if errors:
            return self._import_page(errors, form, status=400)
        try:
            report = rooms_import.import_rooms(upload.read(), region_id, year_id, Actor.staff(g.user))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            return self._import_page({exc.field or "file": exc.message}, form, status=400)
        return self._import_page(values=form, report=report)

    def _checkin_page(self, result=None, values=None, errors=None, status=200):
        sites = {str(i): n for i, n in db.session.execute(select(Site.id, Site.name).where(
            scope.site_clause(g.user)).order_by(Site.code))}
        sessions = {str(s.id): f"{s.exam_year.year} {s}" for s in db.session.scalars(
            select(ExamSession).order_by(ExamSession.starts_at))}
        return self.render_template("backoffice/checkin.html", title="入场核验", sites=sites, sessions=sessions,
                                    result=result, values=values or {}, errors=errors or {}), status

    @expose("/checkin")
    @has_access
    def checkin_form(self):
        return self._checkin_page(values=request.args)

    @expose("/checkin", methods=["POST"])
    @has_access
    def checkin_post(self):
        form = request.form
        site_id, session_id = row_id(form.get("site_id")), row_id(form.get("session_id"))
        errors = {}
        if site_id is None:
            errors["site_id"] = "请选择本考点。"
        else:
            _site(site_id)
        if not form.get("code", "").strip():
            errors["code"] = "请输入准考证号，或扫描准考证上的二维码。"
        if errors:
            return self._checkin_page(values=form, errors=errors, status=400)
        result = checkin.check_in(g.user, form["code"][:400], site_id, session_id)
        return self._checkin_page(result, {"site_id": form.get("site_id"), "session_id": form.get("session_id")})

    @expose("/checkin/photo/<admission_number>")
    @has_access
    def photo(self, admission_number: str):
        seat = db.session.scalar(select(SeatAssignment).where(SeatAssignment.admission_number == admission_number))
        if seat is None:
            abort(404)
        _site(seat.site_id)
        base = Path(current_app.config["PHOTO_DIR"]).resolve()
        path = (base / ((seat.registration.snapshot or {}).get("photo") or "-")).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            abort(404)
        return send_file(path, mimetype="image/jpeg", max_age=0)


def register_arrangement_views(appbuilder) -> None:
    category = "考场编排"
    for view, name, icon in ((ArrangementView, "考场编排", "fa-th"), (ExamRoomView, "考场", "fa-door-open"),
                             (ExamSessionView, "考试场次", "fa-clock"),
                             (TicketWindowView, "准考证打印时间", "fa-id-badge")):
        appbuilder.add_view(view, name, icon=icon, label=name, category=category, category_label=category)
    appbuilder.add_link("导入考场", href="ArrangementView.import_form", icon="fa-file-import",
                        category=category, label="导入考场")
    appbuilder.add_link("入场核验", href="ArrangementView.checkin_form", icon="fa-qrcode", category=category,
                        label="入场核验")
