"""注册, 登录/退出, 安全设置 (修改密码, 密码找回设置) and 找回密码."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (flash, redirect, render_template, request, session, url_for)
from flask_babel import gettext as _

from candidate_portal.auth import SESSION_KEY, current_candidate, log_in, log_out, login_required
from candidate_portal.blueprint import bp
from core.db import db
from core.models import Candidate
from core.models.candidate import DOC_TYPES, MILITARY, SEXES
from core.notify import events as notify_events
from core.notify import prefs as notify_prefs
from core.services import accounts, contact_codes
from core.services.errors import DomainError
from core.validators import ETHNIC_GROUPS, FieldErrors

RECOVERY_STEP_SECONDS = 600
DEVICE_COOKIE = "device"  # a random token per browser: a login from an unknown one is told to the candidate


def _errors(exc: DomainError) -> dict[str, str]:
    return exc.errors if isinstance(exc, FieldErrors) else {exc.field or "form": exc.message}


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (never //host, /\\host, a scheme or control characters)."""
    if not target:
        return None
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(c) < 32 for c in target)):
        return None
    return target


# open while a staff-issued one-time password is still to be changed; every other page goes to 安全设置
WHILE_MUST_CHANGE = {"portal.security", "portal.change_password", "portal.logout", "portal.static",
                     "portal.set_language"}


@bp.before_request
def _password_change_first():
    if request.endpoint in WHILE_MUST_CHANGE or not session.get(SESSION_KEY):
        return None
    cand = current_candidate()
    if cand is not None and cand.must_change_password:
        flash(_("您的密码已由考试管理机构重置，请先修改密码。"), "warning")
        return redirect(url_for("portal.security"))
    return None


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = request.form.to_dict() if request.method == "POST" else {"military_identity": "civilian"}
    errors: dict[str, str] = {}
    doc_taken = False  # the document number has an account: offer 去登录 / 找回密码
    if request.method == "POST":
        try:
            cand = accounts.register(form, request.remote_addr)
        except DomainError as exc:
            errors = _errors(exc)
            doc_taken = "已经注册" in errors.get("doc_number", "")
        else:
            flash(_("注册成功。请牢记注册时的用户名和密码，然后登录完善个人信息。"), "success")
            return redirect(url_for("portal.login", username=cand.username))
    form.pop("password", None)
    form.pop("password2", None)
    return render_template("portal/account/register.html", form=form, errors=errors,
                           doc_types=DOC_TYPES, sexes=SEXES, military=MILITARY,
                           ethnic_groups=ETHNIC_GROUPS, doc_taken=doc_taken), (422 if errors else 200)


@bp.route("/login", methods=["GET", "POST"])
def login():
    errors: dict[str, str] = {}
    username = request.form.get("username", request.args.get("username", ""))
    if request.method == "POST":
        try:
            cand, first_login = accounts.authenticate(username, request.form.get("password", ""),
                                                      request.remote_addr)
        except DomainError as exc:
            errors = {"form": exc.message}
        else:
            prefs = notify_prefs.remember_language(cand.id, request.cookies.get("lang", "zh"))
            device = notify_events.device_login(cand.id, request.cookies.get(DEVICE_COOKIE), first_login, prefs)
            log_in(cand)  # commits the login, the device (and its 新设备登录 message) with the session
            if cand.must_change_password:  # reset by the exam authority: choose an own password first
                flash(_("您的密码已由考试管理机构重置，请先修改密码。"), "warning")
                response = redirect(url_for("portal.security"))
            elif first_login:  # the guide: 首次进入系统将直接跳转至个人信息模块
                response = redirect(url_for("portal.profile"))
            else:
                response = redirect(_safe_next(request.args.get("next")) or url_for("portal.index"))
            response.set_cookie(DEVICE_COOKIE, device, max_age=400 * 86400, samesite="Lax", httponly=True,
                                secure=request.is_secure)
            return response
    return render_template("portal/account/login.html", username=username, errors=errors), \
        (401 if errors else 200)


@bp.post("/logout")
def logout():
    log_out()
    flash(_("您已安全退出。"), "success")
    return redirect(url_for("portal.login"))


@bp.get("/security")
@login_required
def security():
    return _security_page({}, {})


def _security_page(errors: dict, form: dict, status: int = 200):
    cand = current_candidate()
    return render_template("portal/account/security.html", cand=cand, errors=errors, form=form,
                           questions=accounts.RECOVERY_QUESTIONS,
                           go_to_authority=accounts.GO_TO_AUTHORITY), status


@bp.post("/security/password")
@login_required
def change_password():
    cand = current_candidate()
    f = request.form
    try:
        accounts.change_password(cand, f.get("current_password", ""), f.get("new_password", ""),
                                 f.get("new_password2", ""))
    except DomainError as exc:
        return _security_page(_errors(exc), {}, 422)
    log_in(cand)  # every old session ended: this browser gets a fresh one
    flash(_("密码已修改。其他设备上的登录已退出。"), "success")
    return redirect(url_for("portal.security"))


@bp.post("/security/recovery")
@login_required
def set_recovery():
    cand = current_candidate()
    f = request.form
    question = f.get("recovery_question", "")
    try:
        accounts.set_recovery(cand, f.get("recovery_current_password", ""), question,
                              f.get("recovery_answer", ""))
    except DomainError as exc:
        return _security_page(_errors(exc), {"recovery_question": question}, 422)
    flash(_("密码找回问题和答案已保存。"), "success")
    return redirect(url_for("portal.security"))


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """找回密码: step 1 username + document number; step 2 either the recovery answer or a code sent to a
    verified mobile / e-mail (``send``, then ``code``), with the new password."""
    errors: dict[str, str] = {}
    cand = _recovery_candidate()
    f = request.form
    if request.method == "POST" and f.get("step") == "1":
        session.pop("recover_cid", None)
        session.pop("recover_channel", None)
        try:
            cand = accounts.find_for_recovery(f.get("username", ""), f.get("doc_number", ""),
                                              request.remote_addr)
        except DomainError as exc:
            errors, cand = {"form": exc.message}, None
        else:
            session["recover_cid"], session["recover_at"] = cand.id, time.time()
    elif request.method == "POST" and cand is not None and f.get("step") == "send":
        channel = f.get("channel", "")
        try:
            if channel not in accounts.recovery_channels(cand):
                raise DomainError(_("请选择已验证的手机号码或电子邮箱。"), "send")
            contact_codes.send(cand, channel, "recover", request.remote_addr)
        except DomainError as exc:
            errors = {"send": exc.message}
        else:
            session["recover_channel"] = channel
            flash(_("验证码已发送至 %(to)s，10分钟内有效。", to=accounts.recovery_channels(cand)[channel]), "success")
            return redirect(url_for("portal.forgot_password"))
    elif request.method == "POST" and cand is not None and f.get("step") == "code":
        try:
            accounts.recover_by_code(cand, session.get("recover_channel", ""), f.get("code", ""),
                                     f.get("code_new_password", ""), f.get("code_new_password2", ""))
        except DomainError as exc:
            errors = {("code_" + k if k.startswith("new_password") else k): m for k, m in _errors(exc).items()}
        else:
            session.pop("recover_cid", None)
            session.pop("recover_channel", None)
            flash(_("密码已重置，请用新密码登录。"), "success")
            return redirect(url_for("portal.login", username=cand.username))
    elif request.method == "POST" and cand is not None:
        try:
            accounts.recover_password(cand, f.get("recovery_answer", ""), f.get("new_password", ""),
                                      f.get("new_password2", ""))
        except DomainError as exc:
            errors = _errors(exc)
        else:
            session.pop("recover_cid", None)
            flash(_("密码已重置，请用新密码登录。"), "success")
            return redirect(url_for("portal.login", username=cand.username))
    elif request.method == "POST":
        errors = {"form": _("操作已超时，请重新填写用户名和证件号码。")}
    elif request.args.get("restart"):
        session.pop("recover_cid", None)
        cand = None
    channels = accounts.recovery_channels(cand) if cand else {}
    return render_template("portal/account/forgot.html", cand=cand, errors=errors, channels=channels,
                           code_channel=session.get("recover_channel") if cand else None,
                           username=f.get("username", ""), go_to_authority=accounts.GO_TO_AUTHORITY), \
        ((429 if errors.get("send") == contact_codes.TOO_MANY_SENDS else 422) if errors else 200)


def _recovery_candidate() -> Candidate | None:
    cid, at = session.get("recover_cid"), session.get("recover_at", 0)
    if not cid or time.time() - at > RECOVERY_STEP_SECONDS:
        return None
    return db.session.get(Candidate, cid)


@bp.get("/lang/<code>")
def set_language(code: str):
    response = redirect(_safe_next(request.args.get("next")) or url_for("portal.index"))
    if code in ("zh", "en"):
        response.set_cookie("lang", code, max_age=365 * 86400, samesite="Lax", httponly=True)
        cand = current_candidate()
        if cand is not None:  # messages follow the portal's language
            notify_prefs.remember_language(cand.id, code)
            db.session.commit()
    return response
