"""个人信息保护告知: the notice (public) and the page that asks again for consent to a new version."""
from __future__ import annotations

from flask import redirect, render_template, request, session, url_for

from candidate_portal.account_views import _errors, _safe_next
from candidate_portal.auth import CONSENT_KEY, current_candidate, login_required
from candidate_portal.blueprint import bp
from core.privacy import notice
from core.services.errors import DomainError


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
