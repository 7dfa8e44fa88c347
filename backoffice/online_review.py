"""网上资格审核: the queue of online cases (state, waiting time), the review page (documents beside the
entries, per-document verdicts, the whole-case decision), the document images, progress, review modes."""
from __future__ import annotations

import hashlib

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterInFunction
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import select
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from core.db import db, utcnow
from core.documents import grouping, review, service
from core.models import ExamYear, Region, Registration, RegistrationDocument, ReviewMode
from core.models.documents import REASONS, REVIEW_MODES
from core.registration.errors import StaleState
from core.registration.states import CORRECTION, STATUS_LABELS, UNDER_REVIEW
from core.services import scope
from core.services.errors import DomainError, NotAllowed

from web.security import cache_privately

from backoffice.base import ScopedModelView, committed, or_404, scoped, shanghai
from backoffice.catalogue import CatalogueView, region_in_scope
from backoffice.review import review_context

QUEUE_STATES = (*UNDER_REVIEW, CORRECTION)
THUMB_MAX_AGE = 3600  # a review session; page images and originals are never cached (no-store)


def _waiting(updated_at) -> str:
    if updated_at is None:
        return ""
    hours = int((utcnow() - updated_at).total_seconds() // 3600)
    return f"{hours // 24}天{hours % 24}小时" if hours >= 24 else f"{hours}小时"


class OnlineReviewView(ScopedModelView):
    """The queue: 网上审核 cases in scope waiting for a reviewer (and those waiting for the candidate)."""

    datamodel = SQLAInterface(Registration)
    route_base = "/online-review"
    class_permission_name = "Review"
    method_permission_name = {"list": "list", "show": "show", "judge": "decide", "decide": "decide",
                              "thumb": "show", "page": "show", "original": "show", "progress": "list"}
    base_permissions = ["can_list", "can_show", "can_decide"]
    base_filters = scoped(scope.registration_clause) + [["online_review", FilterEqual, True],
                                                        ["status", FilterInFunction, lambda: QUEUE_STATES]]
    base_order = ("updated_at", "asc")
    list_title = "网上资格审核 · 审核队列"
    list_columns = ["number", "candidate.name", "subject.name", "site.name", "status", "updated_at"]
    search_columns = ["number", "status", "site", "subject"]
    search_form_query_rel_fields = {"site": scoped(scope.site_clause)}
    label_columns = {"number": "报名号", "candidate.name": "姓名", "subject.name": "报考类别", "site.name": "考点",
                     "status": "审核状态", "updated_at": "已等待", "site": "考点",
                     "subject": "报考类别"}
    formatters_columns = {"status": lambda s: STATUS_LABELS.get(s, s), "updated_at": lambda t: _waiting(t) or "—"}

    @expose("/show/<int:pk>")
    @has_access
    def show(self, pk):
        return self._page(self._case(pk))

    def _case(self, pk):
        return or_404(review.online_case, g.user, pk)

    def _page(self, reg, errors=None, status=200):
        links = service.links_of(reg.id)
        return self.render_template(
            "backoffice/online_review.html", title=f"网上资格审核：{reg.number}", **review_context(reg),
            links=links, groups=grouping.entry_groups(reg, links), reasons=REASONS, errors=errors or {}, form=request.form,
            under_review=reg.status in UNDER_REVIEW, all_passed=all(lk.verdict == "passed" for lk in links),
            waiting=_waiting(reg.updated_at)), status

    @expose("/documents/<int:link_id>", methods=["POST"])
    @has_access
    def judge(self, link_id):
        pk = self._registration_of(link_id)
        exc = committed(review.judge_document, g.user, pk, link_id, request.form.get("verdict", ""),
                        request.form.getlist("reasons"), request.form.get("note"))
        if exc:
            return self._page(self._case(pk), {f"{link_id}-{exc.field or '_'}": exc.message, "_": exc.message}, 422)
        return redirect(url_for(".show", pk=pk) + f"#doc-{link_id}")

    @staticmethod
    def _registration_of(link_id: int) -> int:
        """The case a document link belongs to (the scope is checked on the case by core, then)."""
        link = db.session.get(RegistrationDocument, link_id)
        if link is None:
            abort(404)
        return link.registration_id

    @expose("/<int:pk>/decide", methods=["POST"])
    @has_access
    def decide(self, pk):
        decision = request.form.get("decision", "")
        exc = committed(review.decide, g.user, pk, decision, request.form.get("version", type=int) or 0,
                        request.form.get("reason"))
        if isinstance(exc, StaleState):
            return self._page(self._case(pk), {"_": exc.message}, 409)
        if exc:
            return self._page(self._case(pk), {exc.field or "_": exc.message, "_": exc.message}, 422)
        flash({"approve": "审核通过，所用经历已核验。", "request_correction": "已要求补正，考生将看到需补正的材料和截止日期。",
               "reject": "已审核不通过，考生将看到原因。"}[decision], "success")
        return redirect(url_for(".list"))

    @expose("/documents/<int:link_id>/thumb")
    @has_access
    def thumb(self, link_id):
        """A thumbnail: asked for by every case page, so cheap — one query (link, case, scope, key), an ETag
        from the key (its bytes never change), 304 when the browser has it, cached privately for an hour."""
        try:
            key = review.thumbnail_key(g.user, link_id)
        except NotAllowed:
            abort(404)
        etag = hashlib.sha256(key.encode()).hexdigest()[:32]
        if request.if_none_match.contains(etag):
            response = current_app.response_class(status=304)
        else:
            try:
                response = _image(service.fetch(key), "image/jpeg")
            except NotAllowed:
                abort(404)
            except DomainError:
                abort(503)
        response.set_etag(etag)
        return cache_privately(response, THUMB_MAX_AGE)

    @expose("/documents/<int:link_id>/page")
    @has_access
    def page(self, link_id):
        """A page image (``?n=`` from 0) of a document of a case in scope."""
        return self._image(link_id, "page")

    def _image(self, link_id, which):
        """A thumbnail or a page image (JPEGs we made, never the upload) of a document of a case in scope."""
        try:
            doc = review.document_for_staff(g.user, self._registration_of(link_id), link_id)
            data, ctype = service.read(doc, which, request.args.get("n", 0, type=int))
        except NotAllowed:
            abort(404)
        except DomainError:
            abort(503)
        return _image(data, ctype)

    @expose("/documents/<int:link_id>/original")
    @has_access
    def original(self, link_id):
        """The full-size stored file (a re-encoded JPEG or the checked PDF), downloaded; audited."""
        try:
            doc = review.view_original(g.user, self._registration_of(link_id), link_id)
            data, ctype = service.read(doc, "original")
            db.session.commit()
        except NotAllowed:
            db.session.rollback()
            abort(404)
        except DomainError:
            db.session.rollback()
            abort(503)
        response = _image(data, ctype)
        suffix = "pdf" if ctype == "application/pdf" else "jpg"
        response.headers["Content-Disposition"] = f'attachment; filename="document-{link_id}.{suffix}"'
        return response

    @expose("/progress")
    @has_access
    def progress(self):
        years = db.session.execute(select(ExamYear.id, ExamYear.name).order_by(ExamYear.year.desc())).all()
        year_id = request.args.get("exam_year_id", type=int)
        rows = review.progress(g.user, year_id)
        return self.render_template("backoffice/online_progress.html", title="网上资格审核进度", rows=rows,
                                    regions=review.region_totals(rows), labels=review.PROGRESS_LABELS,
                                    years=years, year_id=year_id, shanghai=shanghai)


def _image(data: bytes, ctype: str):
    response = current_app.response_class(data, mimetype=ctype)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _window(form, field):
    if form.review_start.data and field.data and field.data < form.review_start.data:
        raise ValidationError("审核截止日期不能早于开始日期。")


def _one_per_region_year(form, field):
    pk = (request.view_args or {}).get("pk")
    twin = db.session.scalar(select(ReviewMode.id).where(
        ReviewMode.region_id == form.region_id.data, ReviewMode.exam_year_id == field.data,
        ReviewMode.id != (int(pk) if pk else 0)))
    if twin is not None:
        raise ValidationError("该考区本年度已设置审核方式，请修改原有记录。")


def _region_choices():
    return [(rid, name) for rid, name in db.session.execute(
        select(Region.id, Region.name).where(scope.manageable_region_clause(g.user)).order_by(Region.code))]


def _year_choices():
    return [(yid, name) for yid, name in db.session.execute(
        select(ExamYear.id, ExamYear.name).order_by(ExamYear.year.desc()))]


OUT_OF_SCOPE = "不能为您管理范围以外的考区设置审核方式。"


class ReviewModeView(CatalogueView):
    """资格审核方式 per region and exam year: 现场审核 or 网上审核, the window, the 补正 deadline rule."""

    datamodel = SQLAInterface(ReviewMode)
    route_base = "/review-modes"
    class_permission_name = "ReviewMode"
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    base_filters = scoped(lambda user: ReviewMode.region_id.in_(
        select(Region.id).where(scope.manageable_region_clause(user))))
    list_title, show_title, add_title, edit_title = "资格审核方式", "资格审核方式", "设置资格审核方式", "修改资格审核方式"
    list_columns = show_columns = ["region", "exam_year", "mode", "review_start", "review_end", "correction_days"]
    add_columns = edit_columns = ["region_id", "exam_year_id", "mode", "review_start", "review_end",
                                 "correction_days"]
    label_columns = {"region": "考区", "region_id": "考区", "exam_year": "考试年度", "exam_year_id": "考试年度",
                     "mode": "审核方式", "review_start": "审核开始日期", "review_end": "审核截止日期",
                     "correction_days": "补正期限（天）"}
    description_columns = {"correction_days": "要求补正之日起的天数；截止日期不晚于审核截止日期。"}
    formatters_columns = {"mode": lambda m: REVIEW_MODES.get(m, m)}
    add_form_extra_fields = edit_form_extra_fields = {
        "region_id": SelectField("考区", coerce=int, choices=_region_choices,
                                 validators=[region_in_scope(OUT_OF_SCOPE)]),
        "exam_year_id": SelectField("考试年度", coerce=int, choices=_year_choices,
                                    validators=[_one_per_region_year]),
        "mode": SelectField("审核方式", choices=list(REVIEW_MODES.items())),
        "review_start": DateField("审核开始日期", validators=[InputRequired("请填写审核开始日期。")]),
        "review_end": DateField("审核截止日期", validators=[InputRequired("请填写审核截止日期。"), _window]),
        "correction_days": IntegerField("补正期限（天）", default=5, validators=[
            InputRequired("请填写补正期限。"), NumberRange(1, 60, "补正期限为1至60天。")]),
    }

    def before_write(self, item):
        if not scope.can_manage_region(g.user, item.region_id):
            raise DomainError(OUT_OF_SCOPE)

