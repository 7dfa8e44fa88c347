"""个人信息保护: the notice (public), the page that asks again for consent to a new version, and the
candidate's copy of their data (个人信息副本)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _

from candidate_portal.account_views import _errors, _safe_next
from candidate_portal.auth import CONSENT_KEY, current_candidate, log_out, login_required
from candidate_portal.blueprint import bp
from candidate_portal.i18n import translate_message
from core.db import to_shanghai
from core.privacy import closure, copies, notice
from core.services.errors import DomainError, NotAllowed
from reports import privacy_copy as _copy_job  # noqa: F401  (registers the job's handler in this process)


@bp.get("/privacy")
def privacy_notice():
    return render_template("portal/privacy/notice.html")


@bp.route("/privacy/consent", methods=["GET", "POST"])
@login_required(consent=False)
def privacy_consent():
    cand = current_candidate()
    target = _safe_next(request.values.get("next")) or url_for("portal.index")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            notice.agree(cand, request.form.get("agree_notice"), request.form.get("agree_sensitive"))
        except DomainError as exc:
            errors = _errors(exc)
        else:
            session[CONSENT_KEY] = notice.NOTICE_VERSION
            return redirect(target)
    elif notice.has_current_consent(cand.id):
        return redirect(target)
    return render_template("portal/privacy/consent.html", errors=errors, next=target), (422 if errors else 200)


# --- 个人信息副本 (Art. 45) --------------------------------------------------------------------------

@bp.get("/privacy/copy")
@login_required
def privacy_copy():
    job = copies.latest(current_candidate().id)
    return render_template("portal/privacy/copy.html", job=job, offered=job is not None and copies.offered(job),
                           expires=to_shanghai(copies.expires_at(job)) if job else None,
                           valid_days=copies.COPY_VALID.days)


@bp.post("/privacy/copy")
@login_required
def request_privacy_copy():
    _job, new = copies.request_copy(current_candidate())
    flash(_("已开始生成您的个人信息副本，完成后可在本页下载。") if new
          else _("您已申请过副本，无需重复申请；请在本页查看进度或下载。"), "success" if new else "info")
    return redirect(url_for("portal.privacy_copy"))


@bp.get("/privacy/copy/<int:job_id>/download")
@login_required
def download_privacy_copy(job_id: int):
    try:
        path, name = copies.file_for_download(current_candidate(), job_id)
    except NotAllowed:
        abort(404)
    except DomainError as exc:
        flash(translate_message(exc.message), "warning")
        return redirect(url_for("portal.privacy_copy"))
    response = send_file(path, mimetype="application/zip", as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- 注销账户 (Art. 47) -----------------------------------------------------------------------------

@bp.route("/account/close", methods=["GET", "POST"])
@login_required
def close_account():
    cand = current_candidate()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            closure.close_account(cand, request.form.get("password"), request.form.get("confirm"))
        except DomainError as exc:
            errors = _errors(exc)
        else:
            log_out()
            flash(_("您的账户已注销。需要保留的报名和缴费记录按保存期限处理，您的其他个人信息已删除。"), "success")
            return redirect(url_for("portal.login"))
    refused = closure.refusal(cand)
    return render_template("portal/privacy/close.html", errors=errors, refused=refused), \
        (422 if errors else 200)
