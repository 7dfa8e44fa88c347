"""现场资格审核 and 报名查询: the per-site review queue, the review page, bulk approval, all registrations."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.db import db
from core.models import Registration
from core.models.candidate import ENTRY_LABELS
from core.models.registration import PAYMENT_LABELS
from core.registration.states import STATUS_LABELS, SUBMITTED
from core.services import review, scope
from core.services.audit import mask_document

from backoffice.base import ScopedModelView, committed, or_404, scoped, shanghai, yes_no

_LABELS = {"number": "报名号", "candidate": "考生", "candidate.name": "姓名", "subject": "报考类别",
           "subject.name": "报考类别", "site": "考点", "site.name": "考点", "region": "考区",
           "region.name": "考区", "status": "状态", "payment_status": "缴费状态", "submitted_at": "提交时间",
           "reviewed_at": "审核时间", "attempts": "累计报考次数", "reject_reason": "不通过原因",
           "exam_year": "考试年度", "exam_year.name": "考试年度", "military_unit": "加考军事医学",
           "needs_accessible_room": "需要无障碍考场", "document_count": "审核材料"}
_FORMATTERS = {"status": lambda s: STATUS_LABELS.get(s, s), "military_unit": yes_no, "needs_accessible_room": yes_no,
               "reject_reason": lambda r: r or "",
               "payment_status": lambda s: PAYMENT_LABELS.get(s, s),
               "submitted_at": shanghai, "reviewed_at": shanghai,
               # that they exist, never the scans: only reviewing roles open them (网上资格审核, audited)
               "document_count": lambda n: f"{n} 份（仅资格审核人员可在网上资格审核中查看）" if n else "无"}
# 现场资格审核's decisions and what each says when done
DECIDED = {"verify": "已核验该条目（已验证，考生不能再修改）。", "approve": "审核通过。",
           "reject": "已审核不通过，考生将看到原因。"}
_REL_SCOPE = {"site": scoped(scope.site_clause), "region": scoped(scope.region_clause)}


def review_context(reg) -> dict:
    """What both review pages (现场, 网上) show of a case: findings, frozen application, profile, entries."""
    snap = reg.snapshot or {}
    return dict(r=reg, snap=snap, c=reg.candidate, entries=review.used_entries(reg), findings=review.verdict(reg),
                labels=ENTRY_LABELS, status_label=STATUS_LABELS.get(reg.status, reg.status),
                masked=mask_document(reg.candidate.doc_number),
                snap_doc=mask_document((snap.get("candidate") or {}).get("doc_number")), shanghai=shanghai)


class ReviewQueueView(ScopedModelView):
    """The queue of submitted registrations at the user's sites; the review page is its 'show'."""

    datamodel = SQLAInterface(Registration)
    route_base = "/review"
    class_permission_name = "Review"
    method_permission_name = {"list": "list", "show": "show", "decide": "decide", "bulk_approve": "decide"}
    base_permissions = ["can_list", "can_show", "can_decide"]
    base_filters = scoped(scope.registration_clause) + [["status", FilterEqual, SUBMITTED],
                                                        ["online_review", FilterEqual, False]]
    base_order = ("submitted_at", "asc")
    list_title = "现场资格审核 · 待审核报名"
    list_columns = ["number", "candidate.name", "subject.name", "site.name", "submitted_at", "payment_status"]
    search_columns = ["number", "site", "subject", "submitted_at"]
    search_form_query_rel_fields = _REL_SCOPE
    label_columns = _LABELS
    formatters_columns = _FORMATTERS

    @action("bulk_approve", "批量审核通过", "确定将选中的报名全部审核通过？每一条都会再次核对范围与状态。",
            "fa-check", single=False)
    def bulk_approve(self, items):
        result = review.bulk_approve(g.user, [i.id for i in items])
        db.session.commit()
        if result.approved:
            flash(f"已审核通过 {len(result.approved)} 条报名。", "success")
        for message in result.refused:
            flash(message, "warning")
        if not items:
            flash("没有可审核的报名（所选报名不在您的范围内）。", "warning")
        return redirect(url_for(".list"))

    @expose("/show/<int:pk>")
    @has_access
    def show(self, pk):
        return self._review_page(or_404(review.registration_for_review, g.user, pk))

    def _review_page(self, reg, errors=None, reason=""):
        return self.render_template("backoffice/review.html", title=f"现场资格审核：{reg.number}",
                                    **review_context(reg), errors=errors or {}, reason=reason)

    @expose("/<int:pk>/decide", methods=["POST"])
    @has_access
    def decide(self, pk):
        """One POST per decision: verify=<kind>:<id>, approve, or reject (with reason)."""
        what = request.form.get("decision", "")
        if what not in DECIDED:
            abort(400)
        exc = committed(self._decide, pk, what)
        if exc:
            reg = or_404(review.registration_for_review, g.user, pk)
            return self._review_page(reg, errors={exc.field or "_": exc.message},
                                     reason=request.form.get("reason", "")), 422
        flash(DECIDED[what], "success")
        return redirect(url_for(".show", pk=pk))

    @staticmethod
    def _decide(pk, what):
        if what == "verify":
            kind, _, entry_id = request.form.get("entry", "").partition(":")
            review.verify_entry(g.user, pk, kind, int(entry_id or 0))
        elif what == "approve":
            review.approve(g.user, pk)
        else:
            review.reject(g.user, pk, request.form.get("reason"))


class RegistrationView(ScopedModelView):
    """报名查询: every registration in the user's scope, read only."""

    datamodel = SQLAInterface(Registration)
    route_base = "/registrations"
    class_permission_name = "Registration"
    base_permissions = ["can_list", "can_show"]
    base_filters = scoped(scope.registration_clause)
    base_order = ("submitted_at", "desc")
    list_title = "报名查询"
    show_title = "报名详情"
    list_columns = ["number", "candidate.name", "subject.name", "region.name", "site.name", "status",
                    "payment_status", "submitted_at"]
    show_columns = ["number", "candidate.name", "exam_year.name", "subject.name", "region.name", "site.name",
                    "status", "payment_status", "attempts", "military_unit", "needs_accessible_room", "submitted_at",
                    "reviewed_at", "reject_reason", "document_count"]
    search_columns = ["number", "status", "payment_status", "region", "site", "subject", "submitted_at",
                      "needs_accessible_room"]
    search_form_query_rel_fields = _REL_SCOPE
    label_columns = _LABELS
    formatters_columns = _FORMATTERS

