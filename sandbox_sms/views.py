"""The sandbox SMS gateway's HTTP side: ``/`` (SendSms, GET or POST form) and the ``/_sandbox/*`` controls."""
from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify, request

bp = Blueprint("sandbox_sms", __name__)


def _gateway():
    return current_app.extensions["sandbox_sms"]


@bp.route("/", methods=["GET", "POST"])
def send_sms():
    gateway = _gateway()
    if gateway.settings.delay:
        time.sleep(gateway.settings.delay)
    params = {**request.args.to_dict(), **request.form.to_dict()}
    status, answer = gateway.send_sms(params)
    return jsonify(answer), status


@bp.get("/_sandbox/messages")
def messages():
    return jsonify(_gateway().messages())


@bp.post("/_sandbox/settings")
def settings():
    data = request.get_json(force=True) or {}
    s = _gateway().settings
    s.error_code = data.get("error_code", s.error_code)
    s.http_500 = int(data.get("http_500", s.http_500))
    s.delay = float(data.get("delay", s.delay))
    return jsonify({"error_code": s.error_code, "http_500": s.http_500, "delay": s.delay})


@bp.post("/_sandbox/reset")
def reset():
    _gateway().reset()
    return jsonify({"ok": True})
