"""首页: the candidate's registrations and notices (read only), or the welcome page."""
from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from candidate_portal.auth import consent_missing, current_candidate
from candidate_portal.blueprint import bp
from core.documents import review
from core.registration.states import CORRECTION
from core.services import home_page


def _notices(cand) -> list[str]:
    """What the candidate still has to do, in the guide's words."""
    notices = []
    if cand.must_change_password:
        notices.append(_("您的密码已由考试管理机构重置，请在“安全设置”中修改密码。"))
    if cand.profile_completed_at is None:
        notices.append(_("请完善个人信息：此处填报的个人信息将作为考试报名的数据来源，请如实、完整、认真填写。"))
    if not cand.photo_path:
        notices.append(_("尚未上传照片（jpg格式，不要大于40k）。"))
    if not cand.recovery_answer_hash:
        notices.append(_("尚未设置密码找回问题，请在“安全设置”中设置。"))
    return notices


@bp.get("/")
def index():
    cand = current_candidate()
    if cand is None:
        return render_template("portal/index.html")
    if (ask := consent_missing(cand)) is not None:
        return ask
    registrations = home_page.registrations(cand.id)
    corrections = [(r, review.to_correct(r)) for r in registrations if r.status == CORRECTION]
    return render_template("portal/home.html", cand=cand, registrations=registrations, notices=_notices(cand),
                           corrections=corrections)
