"""打印报名申请表 and 打印准考证: the candidate prints their own documents (PDF), and only their own."""
from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, make_response, request
from flask_babel import get_locale

from candidate_portal.auth import login_required, own_registration
from candidate_portal.blueprint import bp
from core.arrangement import admission
from core.db import db
from core.registration.preview import preview_snapshot
from core.services import audit
from reports.admission_documents import ticket_pdf
from reports.application_form import application_form_pdf


@bp.get("/registrations/<int:registration_id>/application-form.pdf")
@login_required
def print_form(registration_id: int):
    registration = own_registration(registration_id)
    if not registration.snapshot:
        abort(404)  # no form yet (a draft): the same answer as for another candidate's
    pdf = application_form_pdf(registration.snapshot, Path(current_app.config["PHOTO_DIR"]))
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    how = "attachment" if request.args.get("download") == "1" else "inline"  # 下载申请表 / 打印申请表
    response.headers["Content-Disposition"] = (
        f"{how}; filename=\"application-{registration.number}.pdf\"; "
        f"filename*=UTF-8''%E6%8A%A5%E5%90%8D%E7%94%B3%E8%AF%B7%E8%A1%A8-{registration.number}.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/registration/<int:registration_id>/preview.pdf")
@login_required
def preview_form(registration_id: int):
    """预览申请表: the draft's form as 提交 would freeze it now (marked 预览), photo included."""
    snap = preview_snapshot(own_registration(registration_id, draft=True))
    if snap is None:
        abort(404)  # no 考点 yet: the 选择考区及考点 step offers the preview only once one is chosen
    response = make_response(application_form_pdf(snap, Path(current_app.config["PHOTO_DIR"])))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'inline; filename="preview.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/registrations/<int:registration_id>/admission-ticket.pdf")
@login_required
def print_ticket(registration_id: int):
    """打印准考证: the candidate's own, once published and from the region's date on (else 404 / the card says when)."""
    registration = own_registration(registration_id)
    if admission.ticket_state(registration).state != "open":
        abort(404)
    data = admission.ticket_data(registration)
    lang = "en" if str(get_locale() or "").startswith("en") else "zh"
    pdf = ticket_pdf(data, Path(current_app.config["PHOTO_DIR"]), lang)
    audit.record("arrangement.ticket.printed", actor_type="candidate", actor_id=registration.candidate_id,
                 obj=registration)
    db.session.commit()
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f"inline; filename=\"admission-ticket-{data['admission_number']}.pdf\"; "
        f"filename*=UTF-8''%E5%87%86%E8%80%83%E8%AF%81-{data['admission_number']}.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response
