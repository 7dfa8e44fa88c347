"""缴费管理 for 财务: payment orders and refunds within the user's scope. Orders are read only; a refund
request is executed through the bank (执行退费) or recorded as refunded elsewhere (登记线下退费) by 财务 and
国家管理员 — the payment state machine and its audit entries live in core.payments.service."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from sqlalchemy import select

from core.db import db
from core.models import PaymentOrder, Refund
from core.models.payment import ORDER_LABELS, PROVIDER_LABELS, REFUND_LABELS
from core.payments import service
from core.services import scope
from core.services.errors import DomainError

from backoffice.base import Interface, ScopedModelView, scoped, shanghai, yuan


class PaymentOrderView(ScopedModelView):
    datamodel = Interface(PaymentOrder)
    route_base = "/payments"
    class_permission_name = "Payment"
    base_permissions = ["can_list", "can_show"]
    base_filters = scoped(scope.payment_clause)
    base_order = ("id", "desc")
    list_title, show_title = "缴费订单", "缴费订单"
    list_columns = ["out_trade_no", "registration.number", "amount_fen", "status", "paid_at", "provider"]
    show_columns = ["out_trade_no", "trade_no", "registration", "amount_fen", "status", "provider", "paid_at",
                    "closed_at", "created_at"]
    search_columns = ["out_trade_no", "trade_no", "status", "paid_at"]
    label_columns = {"out_trade_no": "订单号", "trade_no": "银行流水号", "registration": "报名",
                     "registration.number": "报名号", "amount_fen": "金额（元）", "status": "状态",
                     "provider": "支付渠道", "paid_at": "支付时间", "closed_at": "关闭时间", "created_at": "创建时间"}
    formatters_columns = {"amount_fen": yuan, "status": lambda s: ORDER_LABELS.get(s, s), "paid_at": shanghai,
                          "registration": lambda r: r.number if r is not None else "",
                          "provider": lambda p: PROVIDER_LABELS.get(p, p),
                          "closed_at": shanghai, "created_at": shanghai}


def _refund_clause(user):
    return Refund.order_id.in_(select(PaymentOrder.id).where(scope.payment_clause(user)))


class RefundView(ScopedModelView):
    datamodel = Interface(Refund)
    route_base = "/refunds"
    class_permission_name = "Refund"
    method_permission_name = {"list": "list", "show": "show", "execute": "execute",
                              "record_external": "execute"}
    base_permissions = ["can_list", "can_show", "can_execute"]
    base_filters = scoped(_refund_clause)
    base_order = ("id", "desc")
    list_title, show_title = "退费记录", "退费记录"
    list_columns = ["order.out_trade_no", "amount_fen", "status", "reason", "executed_at"]
    show_columns = ["order", "amount_fen", "status", "reason", "external_ref", "executed_at"]
    search_columns = ["status", "executed_at"]
    label_columns = {"order": "订单", "order.out_trade_no": "订单号", "amount_fen": "金额（元）", "status": "状态",
                     "reason": "原因", "external_ref": "外部凭证号", "executed_at": "办理时间"}
    formatters_columns = {"amount_fen": yuan, "status": lambda s: REFUND_LABELS.get(s, s),
                          "executed_at": shanghai}

    def _refund(self, pk) -> Refund:
        """The refund, looked up through the scope filter: outside the user's scope it does not exist."""
        refund = self._scoped_item(pk)
        if refund is None:
            abort(404)
        return refund

    def _render(self, template, refund, status=200, **extra):
        order = refund.order
        extra.setdefault("errors", {})
        return self.render_template(
            template, refund=refund, order=order, registration=order.registration, labels=REFUND_LABELS,
            order_labels=ORDER_LABELS, yuan=yuan, shanghai=shanghai, open=refund.status in ("requested", "failed"),
            may_execute=self.appbuilder.sm.has_access("can_execute", "Refund"), **extra), status

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        refund = self._refund(pk)
        return self._render("backoffice/refund.html", refund, title=f"退费记录：{refund.order.out_trade_no}")

    @expose("/<int:pk>/execute", methods=["GET", "POST"])
    @has_access
    def execute(self, pk):
        """执行退费: the refund through the bank's refund call, after a confirmation."""
        refund = self._refund(pk)
        if request.method == "POST":
            try:
                service.execute_refund(refund, g.user.id)
            except DomainError as exc:
                db.session.rollback()
                refund = self._refund(pk)
                return self._render("backoffice/refund_execute.html", refund, 409, title="执行退费",
                                    errors={"_": exc.message})
            flash("退费已通过银行原路退回，考生将看到“已退费”。", "success")
            return redirect(url_for(".show", pk=refund.id))
        return self._render("backoffice/refund_execute.html", refund, title="执行退费")

    @expose("/<int:pk>/external", methods=["GET", "POST"])
    @has_access
    def record_external(self, pk):
        """登记线下退费: refunded outside the gateway (e.g. bank transfer), with its reference."""
        refund = self._refund(pk)
        form = {"external_ref": "", "note": ""}
        if request.method == "POST":
            form = {k: request.form.get(k, "") for k in form}
            try:
                service.record_external_refund(refund, g.user.id, form["external_ref"],
                                               note=form["note"].strip()[:300] or None)
            except DomainError as exc:
                db.session.rollback()
                refund = self._refund(pk)
                return self._render("backoffice/refund_external.html", refund, 422 if exc.field else 409,
                                    title="登记线下退费", form=form, errors={exc.field or "_": exc.message})
            flash("线下退费已登记，考生将看到“已退费”。", "success")
            return redirect(url_for(".show", pk=refund.id))
        return self._render("backoffice/refund_external.html", refund, title="登记线下退费", form=form)
