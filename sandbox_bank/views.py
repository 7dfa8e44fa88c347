"""The sandbox bank's pages and API (the same URLs and parameters as the real gateway)."""
from __future__ import annotations

import json
import time
from dataclasses import fields

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request

from sandbox_bank.bank import Bank, Settings, Trade, parse_beijing

bp = Blueprint("bank", __name__)


def _bank() -> Bank:
    return current_app.extensions["sandbox_bank"]


@bp.route("/gateway.do", methods=["GET", "POST"])
def gateway():
    params = {**request.args.to_dict(), **request.form.to_dict()}
    method = params.get("method", "")
    if method == "alipay.trade.page.pay":
        return _page_pay(params)
    if method in ("alipay.trade.query", "alipay.trade.close", "alipay.trade.refund"):
        return _api(method, params)
    return _message("请求无效", "不支持的接口。", 400)


def _message(title: str, text: str, status: int = 200, back_token: str | None = None):
    return render_template("sandbox_bank/message.html", title=title, text=text, back_token=back_token), status


def _biz(params: dict) -> dict:
    try:
        biz = json.loads(params.get("biz_content") or "{}")
    except ValueError:
        return {}
    return biz if isinstance(biz, dict) else {}


def _page_pay(params: dict):
    bank = _bank()
    if not bank.merchant_signed(params):
        return _message("验签失败", "商户请求的签名无效（isv.invalid-signature），本次支付已拒绝。", 400)
    biz = _biz(params)
    out_trade_no, amount = biz.get("out_trade_no"), biz.get("total_amount")
    if not out_trade_no or not amount:
        return _message("请求无效", "缺少订单号或金额。", 400)
    with bank.lock:
        trade = bank.trade(params["app_id"], out_trade_no)
        if trade is None:
            trade = Trade(app_id=params["app_id"], out_trade_no=out_trade_no, total_amount=amount,
                          subject=biz.get("subject", ""), notify_url=params.get("notify_url", ""),
                          return_url=params.get("return_url", ""), time_expire=parse_beijing(biz.get("time_expire")))
            bank.trades[(trade.app_id, out_trade_no)] = trade
        elif trade.total_amount != amount:
            return _message("订单信息不一致", "同一订单号的金额与之前不同（ACQ.CONTEXT_INCONSISTENT）。", 400)
    if trade.status == "TRADE_SUCCESS":
        return _message("该订单已支付", "该订单已支付成功，请勿重复支付。")
    if trade.status == "TRADE_CLOSED" or bank.expired(trade):
        bank.close(trade)
        return _message("交易已关闭", "该订单已超时或已关闭，请回到报名系统重新发起缴费。")
    return render_template("sandbox_bank/pay.html", trade=trade)


# the bank page's 银行确认 choice: (notify_delay seconds, notify at all); "fail" takes no money
OUTCOMES = {"now": (0.0, True), "delay": (120.0, True), "lost": (None, False)}


@bp.post("/pay/<token>")
def pay(token: str):
    bank = _bank()
    trade = bank.by_token(token) or abort(404)
    outcome = request.form.get("outcome", "now")
    if outcome == "fail":
        return _message("付款失败", "账户余额不足，付款失败，未扣款。请返回报名系统重新缴费。", 402, trade.token)
    delay, notify = OUTCOMES.get(outcome, OUTCOMES["now"])
    if outcome == "now":
        delay = None  # the bank's settings (tests may delay every notification)
    if not bank.pay(trade, notify_delay=delay, notify=notify) and trade.status != "TRADE_SUCCESS":
        return _message("交易已关闭", "该订单已超时或已关闭，未扣款。")
    if not trade.return_url:
        return _message("付款成功", "付款成功。")
    return redirect(f"{trade.return_url}{'&' if '?' in trade.return_url else '?'}{bank.return_query(trade)}", 303)


@bp.post("/cancel/<token>")
def cancel(token: str):
    trade = _bank().by_token(token) or abort(404)
    if not trade.return_url:
        return _message("已取消", "您已取消付款。")
    sep = "&" if "?" in trade.return_url else "?"
    return redirect(f"{trade.return_url}{sep}out_trade_no={trade.out_trade_no}", 303)


def _api(method: str, params: dict):
    bank = _bank()
    key = method.replace(".", "_") + "_response"
    if not bank.merchant_signed(params):
        return jsonify(error_response={"code": "40002", "msg": "Invalid Arguments",
                                       "sub_code": "isv.invalid-signature", "sub_msg": "验签出错"})
    if bank.settings.query_delay:
        time.sleep(bank.settings.query_delay)
    if bank.settings.query_refuse:
        return _answer(key, {"code": "20000", "msg": "Service Currently Unavailable", "sub_code": "isp.unknow-error",
                             "sub_msg": "系统繁忙"})
    biz = _biz(params)
    trade = bank.trade(params["app_id"], biz.get("out_trade_no", ""))
    if trade is None:
        return _answer(key, {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST",
                             "sub_msg": "交易不存在"})
    if method == "alipay.trade.query":
        return _answer(key, {"code": "10000", "msg": "Success", "out_trade_no": trade.out_trade_no,
                             "trade_no": trade.trade_no, "trade_status": trade.status,
                             "total_amount": trade.total_amount})
    if method == "alipay.trade.close":
        if not bank.close(trade):
            return _answer(key, {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_STATUS_ERROR",
                                 "sub_msg": "交易状态不合法"})
        return _answer(key, {"code": "10000", "msg": "Success", "out_trade_no": trade.out_trade_no,
                             "trade_no": trade.trade_no})
    outcome = bank.refund(trade, biz.get("out_request_no", ""), biz.get("refund_amount", ""))
    if outcome != "ok":
        return _answer(key, {"code": "40004", "msg": "Business Failed", "sub_code": outcome, "sub_msg": "退款失败"})
    return _answer(key, {"code": "10000", "msg": "Success", "out_trade_no": trade.out_trade_no,
                         "trade_no": trade.trade_no, "refund_fee": biz.get("refund_amount"), "fund_change": "Y"})


def _answer(key: str, answer: dict):
    return current_app.response_class(_bank().signed_answer(key, answer), mimetype="application/json")


# the test API ------------------------------------------------------------------------------------------
@bp.before_request
def _test_api_guard():
    if request.path.startswith("/_sandbox/") and not current_app.config["SANDBOX_TEST_API"]:
        abort(404)


@bp.post("/_sandbox/settings")
def change_settings():
    bank = _bank()
    known = {f.name for f in fields(Settings)}
    changes = {k: v for k, v in (request.get_json(silent=True) or {}).items() if k in known}
    with bank.lock:
        for name, value in changes.items():
            setattr(bank.settings, name, tuple(value) if name == "retry_after" else value)
    return jsonify(bank.snapshot()["settings"])


@bp.get("/_sandbox/state")
def state():
    return jsonify(_bank().snapshot())


@bp.get("/_sandbox/trades/<out_trade_no>")
def trade_state(out_trade_no: str):
    bank = _bank()
    trade = next((t for t in bank.trades.values() if t.out_trade_no == out_trade_no), None) or abort(404)
    return jsonify(out_trade_no=trade.out_trade_no, status=trade.status, trade_no=trade.trade_no,
                   total_amount=trade.total_amount, refunds=trade.refunds)


@bp.post("/_sandbox/flush")
def flush():
    """Deliver every waiting notification now (held ones too), newest first when reorder is set."""
    return jsonify(sent=_bank().deliver_due(force=True))


@bp.post("/_sandbox/reset")
def reset():
    _bank().reset()
    return jsonify(ok=True)
