"""审核材料 (网上资格审核): the documents of one registration — upload from the phone camera or a file,
thumbnails, replace and delete while allowed, and 补正后提交. Thin: parse, call core.documents, render."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from candidate_portal.auth import current_candidate, login_required, own_registration
from candidate_portal.blueprint import bp
from candidate_portal.document_texts import DOCUMENT_TEXTS  # noqa: F401 (extracted for English)
from candidate_portal.profile_views import DOCUMENT_ACCEPT as ACCEPT
from candidate_portal.profile_views import render_with_document_errors
from core.db import db
from core.documents import pages, review, service
from core.models.documents import REASONS
from core.services.errors import DomainError, NotAllowed
from web.errors import allow_upload, megabytes

UPLOAD_ENDPOINTS = ("portal.registration_document_upload", "portal.profile_document_upload")


@bp.url_value_preprocessor
def _document_upload_limit(endpoint, _values):
    """Uploads of documents may be larger than the app's MAX_CONTENT_LENGTH; set before CSRF reads the form
    (URL value preprocessors run before every before_request function)."""
    if endpoint in UPLOAD_ENDPOINTS:
        allow_upload(current_app.config["DOCUMENT_MAX_BYTES"])


def _page(reg, errors=None, status=200):
    return render_template("portal/registration/documents.html", reg=reg, rows=pages.rows_for(reg),
                           online=pages.online_for(reg), errors=errors or {}, accept=ACCEPT, reasons=REASONS,
                           max_mb=megabytes(current_app.config["DOCUMENT_MAX_BYTES"])), status


@bp.get("/registration/<int:registration_id>/documents")
@login_required
def registration_documents(registration_id: int):
    return _page(own_registration(registration_id))


@bp.post("/registration/<int:registration_id>/documents")
@login_required
def registration_document_upload(registration_id: int):
    reg = own_registration(registration_id)
    slot = request.form.get("slot", "")
    upload = request.files.get("document")
    try:
        service.upload(current_candidate(), slot, upload.read() if upload else b"")
    except NotAllowed:
        db.session.rollback()
        abort(404)
    except DomainError as exc:
        db.session.rollback()
        return _page(reg, {slot: exc.message}, 422)
    flash(_("材料已上传。"), "success")
    return redirect(url_for("portal.registration_documents", registration_id=registration_id) + _anchor(slot), 303)


@bp.post("/registration/<int:registration_id>/documents/<int:document_id>/delete")
@login_required
def registration_document_delete(registration_id: int, document_id: int):
    reg = own_registration(registration_id)
    try:
        doc = service.own_document(current_candidate(), document_id)
        service.delete(current_candidate(), document_id)
    except NotAllowed:
        db.session.rollback()
        abort(404)
    except DomainError as exc:
        db.session.rollback()
        return _page(reg, {doc.slot: exc.message}, 422)
    flash(_("材料已删除。"), "success")
    return redirect(url_for("portal.registration_documents", registration_id=registration_id), 303)


@bp.post("/registration/<int:registration_id>/resubmit")
@login_required
def registration_resubmit(registration_id: int):
    reg = own_registration(registration_id)
    try:
        review.resubmit(current_candidate(), reg.id)
    except DomainError as exc:
        db.session.rollback()
        return _page(reg, {"_form": exc.message}, 422)
    flash(_("补正材料已提交，请等待审核人员复审。"), "success")
    return redirect(url_for("portal.registrations"), 303)


def _anchor(slot: str) -> str:
    return "#doc-" + slot.replace(":", "-")


@bp.post("/profile/documents")
@login_required
def profile_document_upload():
    """审核材料 under 个人信息: the same upload as a registration's page (core.documents.service), back to 个人信息."""
    cand = current_candidate()
    slot = request.form.get("slot", "")
    upload = request.files.get("document")
    return _on_profile(cand, slot, lambda: service.upload(cand, slot, upload.read() if upload else b""),
                       _("材料已上传。"))


@bp.post("/profile/documents/<int:document_id>/delete")
@login_required
def profile_document_delete(document_id: int):
    cand = current_candidate()
    try:
        slot = service.own_document(cand, document_id).slot
    except NotAllowed:
        abort(404)
    return _on_profile(cand, slot, lambda: service.delete(cand, document_id), _("材料已删除。"))


def _on_profile(cand, slot: str, action, done: str):
    """Runs a document action from 个人信息: another's document 404, a refusal beside the slot, else back."""
    try:
        action()
    except NotAllowed:
        db.session.rollback()
        abort(404)
    except DomainError as exc:
        db.session.rollback()
        return render_with_document_errors(cand, {slot: exc.message})
    flash(done, "success")
    return redirect(url_for("portal.profile") + _anchor(slot), 303)


@bp.get("/documents/<int:document_id>/<any(thumb, page):which>")
@login_required
def document_file(document_id: int, which: str):
    """A thumbnail or page image (``?n=`` from 0) of the candidate's own document (another's id: 404).
    Always a JPEG we made, never the upload itself."""
    try:
        doc = service.own_document(current_candidate(), document_id)
        data, ctype = service.read(doc, which, request.args.get("n", 0, type=int))
    except NotAllowed:
        abort(404)
    except DomainError:
        abort(503)
    response = current_app.response_class(data, mimetype=ctype)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response
