"""网上缴费 pages: 缴费 (itemised fees), the return from the bank, the payment status, the gateway's notify URL.

Thin: every rule and state change is in core.payments.service. The return from the bank proves nothing;
only the signed notification (or reconciliation) moves an order to paid.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from candidate_portal.auth import current_candidate, login_required, own_registration
from candidate_portal.blueprint import bp
from core.db import db, to_shanghai
from core.models import PaymentOrder, Refund, Region, Registration
from core.models.payment import REFUND_LABELS
from core.money import fen_to_yuan
from core.payments import service
from core.payments.provider import GatewayError
from core.services.errors import DomainError
from web.security import csp_header


@bp.record
def _exempt_notify_from_csrf(state):
    """The gateway cannot send our CSRF token: the notify URL is protected by the RSA2 signature instead."""
    state.app.extensions["csrf"].exempt(f"{__name__}.payment_notify")


@bp.app_template_filter("yuan")
def _yuan(fen: int | None) -> str:
    return str(fen_to_yuan(fen or 0))


def _own_order(out_trade_no: str) -> PaymentOrder:
    order = db.session.scalar(db.select(PaymentOrder).filter_by(out_trade_no=out_trade_no))
    if order is None or order.registration.candidate_id != current_candidate().id:
        abort(404)
    return order


def _back_url() -> str:
    """考试报名 (the registration list), or the home page while that page does not exist."""
    endpoint = "portal.registrations" if "portal.registrations" in current_app.view_functions else "portal.index"
    return url_for(endpoint)


def _gateway_origin() -> str:
    parts = urlsplit(current_app.config["PAYMENT_GATEWAY_URL"])
    return f"{parts.scheme}://{parts.netloc}"


def _render_pay(registration: Registration, status: int = 200):
    view = service.payment_view(registration)
    region = db.session.get(Region, registration.region_id) if registration.region_id else None
    html = render_template("portal/payment/pay.html", reg=registration, view=view, region=region,
                           deadline=to_shanghai(region.payment_deadline) if region else None,
                           refund_labels=REFUND_LABELS, back_url=_back_url())
    response = make_response(html, status)
    # the 缴费 form is answered by a redirect to the bank: allow exactly that origin as a form target
    response.headers["Content-Security-Policy"] = csp_header(form_action=_gateway_origin())
    return response


@bp.get("/registration/<int:registration_id>/pay")
@login_required
def pay(registration_id: int):
    """缴费: the itemised fees and the button that sends the candidate to the bank."""
    return _render_pay(own_registration(registration_id))


@bp.post("/registration/<int:registration_id>/pay")
@login_required
def pay_start(registration_id: int):
    registration = own_registration(registration_id)
    base = current_app.config["PAYMENT_PUBLIC_BASE_URL"].rstrip("/")
    try:
        payment = service.start_payment(
            registration, current_candidate(), ip=request.remote_addr,
            notify_url=base + url_for("portal.payment_notify", provider=current_app.config["PAYMENT_PROVIDER"]),
            return_url=base + url_for("portal.payment_return"))
    except DomainError as exc:
        flash(exc.message, "error")
        return _render_pay(registration, 409)
    except GatewayError as exc:
        current_app.logger.error("payment start: %s", exc)
        flash(_("暂时无法连接银行支付平台，请稍后再试。"), "error")
        return _render_pay(registration, 503)
    return redirect(payment.url, 303)


@bp.get("/payment/return")
@login_required
def payment_return():
    """The bank sends the candidate back here. Not proof of payment: show the confirmation page."""
    out_trade_no = request.args.get("out_trade_no", "")
    order = _own_order(out_trade_no)
    return redirect(url_for("portal.payment_status", out_trade_no=order.out_trade_no, returned=1), 303)


@bp.get("/payment/<out_trade_no>")
@login_required
def payment_status(out_trade_no: str):
    """支付结果: 确认中 (refreshing itself) until the gateway confirms, then 已缴费."""
    order = _own_order(out_trade_no)
    refund = db.session.scalar(db.select(Refund).filter_by(order_id=order.id))
    return render_template("portal/payment/status.html", order=order, reg=order.registration, refund=refund,
                           returned=request.args.get("returned") == "1", refund_labels=REFUND_LABELS,
                           paid_at=to_shanghai(order.paid_at), back_url=_back_url())


@bp.post("/payment/notify/<provider>")
def payment_notify(provider: str):
    """The gateway's asynchronous notification: verified on the raw body, answered as its protocol expects."""
    if provider not in ("alipay", "sandbox"):
        abort(404)
    body, status = service.handle_notification(provider, request.get_data(as_text=True))
    return current_app.response_class(body, status=status, mimetype="text/plain")
