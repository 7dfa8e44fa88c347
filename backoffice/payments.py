"""缴费管理 for 财务: payment orders and refunds within the user's scope, read only here (the payment
state machine lives in core; refunds are executed there)."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import select

from core.models import PaymentOrder, Refund
from core.models.payment import REFUND_STATUSES
from core.services import scope

from backoffice.base import ScopedModelView, scoped, shanghai, yuan

ORDER_LABELS = {"pending": "待支付", "paid": "已支付", "closed": "已关闭", "refund_pending": "退费处理中",
                "refunded": "已退费"}
REFUND_LABELS = dict(zip(REFUND_STATUSES, ("已申请", "已退费", "退费失败", "线下退费")))


class PaymentOrderView(ScopedModelView):
    datamodel = SQLAInterface(PaymentOrder)
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
                          "closed_at": shanghai, "created_at": shanghai}


def _refund_clause(user):
    return Refund.order_id.in_(select(PaymentOrder.id).where(scope.payment_clause(user)))


class RefundView(ScopedModelView):
    datamodel = SQLAInterface(Refund)
    route_base = "/refunds"
    class_permission_name = "Refund"
    base_permissions = ["can_list", "can_show"]
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
