"""验证联系方式: a code sent to the candidate's mobile number or e-mail address marks it verified."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from candidate_portal.auth import current_candidate, login_required
from candidate_portal.blueprint import bp
from candidate_portal.i18n import N_
from core.services import contact_codes
from core.services.errors import DomainError

LABELS = {"sms": "手机号码", "email": "电子邮箱"}
# core's fixed texts about codes (core/services/contact_codes.py), listed for ``pybabel extract``
CODE_TEXTS = (N_('获取验证码过于频繁，请1小时后再试。'), N_('请先点击“获取验证码”。'),
              N_('验证码已过期（10分钟内有效），请重新获取。'), N_('验证码错误次数过多，已失效，请重新获取。'),
              N_('请输入6位数字验证码。'), N_('请先填写并保存手机号码或电子邮箱。'),
              N_('该联系方式尚未验证，不能用于找回密码。'), N_('短信服务暂未开通，暂不能通过短信发送验证码。'),
              N_('邮件服务暂未开通，暂不能通过电子邮件发送验证码。'))


def _page(cand, channel: str, errors: dict | None = None, status: int = 200):
    return render_template("portal/profile/verify.html", cand=cand, channel=channel, label=LABELS[channel],
                           masked=contact_codes.mask(contact_codes.destination(cand, channel)),
                           verified=contact_codes.verified(cand, channel), errors=errors or {},
                           code_pending=cand.code_channel == channel and cand.code_purpose == "verify"), status


def _own_channel(channel: str):
    if channel not in contact_codes.CHANNELS:
        abort(404)
    cand = current_candidate()
    if not contact_codes.destination(cand, channel):
        flash(_("请先在个人信息中填写并保存%(label)s。", label=_(LABELS[channel])), "warning")
        return cand, redirect(url_for("portal.profile", _anchor="contact"))
    return cand, None


@bp.get("/profile/verify/<channel>")
@login_required
def verify_contact(channel: str):
    cand, away = _own_channel(channel)
    return away or _page(cand, channel)


@bp.post("/profile/verify/<channel>/send")
@login_required
def verify_contact_send(channel: str):
    cand, away = _own_channel(channel)
    if away:
        return away
    try:
        contact_codes.send(cand, channel, "verify", request.remote_addr)
    except DomainError as exc:
        return _page(cand, channel, {"code": exc.message}, 429 if exc.message == contact_codes.TOO_MANY_SENDS
                     else 422)
    flash(_("验证码已发送至 %(to)s，10分钟内有效。", to=contact_codes.mask(contact_codes.destination(cand, channel))),
          "success")
    return redirect(url_for("portal.verify_contact", channel=channel))


@bp.post("/profile/verify/<channel>")
@login_required
def verify_contact_check(channel: str):
    cand, away = _own_channel(channel)
    if away:
        return away
    try:
        contact_codes.verify_contact(cand, channel, request.form.get("code"))
    except DomainError as exc:
        return _page(cand, channel, {"code": exc.message}, 422)
    flash(_("%(label)s已验证。", label=_(LABELS[channel])), "success")
    return redirect(url_for("portal.profile", _anchor="contact"))
