"""个人信息: the six groups on one page, saved only by 提交; the photo upload and its owner-only view.

The add (+) and delete icons, and the work-unit picker, re-render the page from what was posted:
nothing is saved and nothing typed is lost until 提交 succeeds. The registration wizard's 工作情况 step
opens the same picker as a page of its own (registration_work_unit_picker).
"""
from __future__ import annotations

import re

from flask import (abort, current_app, flash, redirect, render_template, request, send_file, url_for)
from flask_babel import gettext as _

from candidate_portal.auth import current_candidate, login_required
from candidate_portal.blueprint import bp
from candidate_portal.i18n import translate_message
from core.db import db, get_named
from core.documents import pages as doc_pages
from core.models import WorkUnit
from core.models.candidate import (DOC_TYPES, EDUCATION_LEVELS, EMPLOYMENT, ENTRY_LABELS,
                                   MILITARY, SEXES, STUDY_MODES)
from core.services import photos, profile_page, schools, staff_actions
from core.services import profile as profile_service
from core.registration.access import own_draft
from core.services.errors import DomainError, NotAllowed
from core.validators import FieldErrors, row_id

CONTACT_FIELDS = ("mobile", "email", "address", "postcode")
WORK_FIELDS = ("work_unit_id", "work_unit_name", "employment_status", "department", "title",
               "title_date", "post")
ROW_FIELDS = {
    "education": ("id", "school_id", "school_name", "level", "study_mode", "major", "major_id",
                  "start_ym", "end_ym", "diploma_number", "apprentice_certificate"),
    "training": ("id", "training_type_id", "institution", "major", "start_ym", "end_ym",
                 "certificate_number"),
    "certificate": ("id", "certificate_type_id", "issue_ym", "cert_number", "reg_ym", "reg_number"),
}
MAX_ROWS = 30
DOCUMENT_ACCEPT = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"


def _parse(form) -> profile_service.ProfileSubmission:
    sub = profile_service.ProfileSubmission(contact={k: form.get(k, "") for k in CONTACT_FIELDS},
                                    work={k: form.get(k, "") for k in WORK_FIELDS})
    for kind, fields in ROW_FIELDS.items():
        pattern = re.compile(rf"^{kind}-(\d{{1,2}})-")
        indexes = sorted({int(m.group(1)) for key in form if (m := pattern.match(key))})[:MAX_ROWS]
        sub.rows[kind] = [{f: form.get(f"{kind}-{i}-{f}", "").strip() for f in fields}
                          for i in indexes]
        sub.deleted[kind] = [i for i in form.getlist(f"delete-{kind}") if row_id(i)]
    return sub


def _from_database(cand, data: profile_page.ProfileData) -> profile_service.ProfileSubmission:
    sub = profile_service.ProfileSubmission(
        contact={k: getattr(cand, k) or "" for k in CONTACT_FIELDS},
        work={k: getattr(cand, k) or "" for k in WORK_FIELDS})
    for kind, fields in ROW_FIELDS.items():
        sub.rows[kind] = [{f: "" if getattr(e, f) is None else str(getattr(e, f)) for f in fields}
                          for e in data.entries[kind] if e.editable]
    return sub


def _error_labels(errors: dict) -> dict[str, str]:
    """'education-1-major' -> '教育经历 2：' so the summary says which row a message is about."""
    labels = {}
    for name in errors:
        if name in CONTACT_FIELDS or name in WORK_FIELDS:  # the group's name first, as the rows have theirs
            labels[name] = _("联系方式：") if name in CONTACT_FIELDS else _("工作情况：")
            continue
        kind, _sep, rest = name.partition("-")
        index = rest.split("-", 1)[0]
        if kind in ENTRY_LABELS and index.isdecimal():
            labels[name] = _("%(group)s %(row)s：", group=translate_message(ENTRY_LABELS[kind]),
                             row=int(index) + 1)
    return labels


def _render(cand, sub, errors=None, picker=None, status=200, summary=True, doc_errors=None, data=None):
    """summary: the 提交未成功 list above the form (after 提交; a reload only frames the fields in red);
    doc_errors: a refused upload or delete of a document, by slot, shown beside its field under 审核材料;
    data: the entries, type names and corrections flag, when the caller has read them already."""
    if data is None:
        data = profile_page.read(cand.id)
    fixed = {kind: [e for e in data.entries[kind] if not e.editable] for kind in ROW_FIELDS}
    corrections = staff_actions.corrections_for(cand.id) if data.corrected else []
    return render_template(
        "portal/profile/profile.html", cand=cand, sub=sub, errors=errors or {}, fixed=fixed, summary=summary,
        doc_groups=doc_pages.profile_groups(cand, data), doc_errors=doc_errors or {},
        entry_labels=ENTRY_LABELS,
        doc_accept=DOCUMENT_ACCEPT, doc_max_mb=current_app.config["DOCUMENT_MAX_BYTES"] // (1024 * 1024),
        error_labels=_error_labels(errors or {}),
        picker=picker, doc_types=DOC_TYPES, sexes=SEXES, military=MILITARY,
        employment=EMPLOYMENT, levels=EDUCATION_LEVELS, study_modes=STUDY_MODES,
        **data.types, photo_limits=photos.limits(), corrections=corrections), status


def _picker(form) -> dict:
    region = form.get("picker_region", "")
    query = form.get("picker_q", "")
    region_id = row_id(region)
    return {"q": query, "region": region, "regions": schools.regions(),
            "results": schools.search_work_units(query, region_id),
            "searched": bool(query or region_id)}


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    cand = current_candidate()
    if request.method == "GET":
        data = profile_page.read(cand.id)
        sub = _from_database(cand, data)
        if not data.entries["education"]:  # every exam needs an education entry: offer the first row
            sub.rows["education"].append({})
        return _render(cand, sub, data=data)
    sub = _parse(request.form)
    action = request.form.get("action", "submit")
    if action != "submit":  # a reload (+, 删除, 选择…): what was typed wrong keeps its red frame
        return _reload(cand, sub, action, profile_service.typed_errors(sub))
    try:
        profile_service.save_profile(cand, sub)
    except DomainError as exc:
        errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field or "form": exc.message}
        return _render(cand, sub, errors, status=422)
    flash(_("个人信息已提交保存。"), "success")
    return redirect(url_for("portal.profile"))


def _reload(cand, sub, action: str, errors: dict):
    """+ (a new row), 删除 (a row), 选择… (the work-unit picker) and choosing a unit: the page again, unsaved."""
    picker = None
    if action.startswith("add:") and action[4:] in ROW_FIELDS:
        sub.rows[action[4:]].append({})
    elif action.startswith("delete:"):
        _verb, kind, index = (action.split(":") + ["", ""])[:3]
        if kind in ROW_FIELDS and index.isdecimal() and int(index) < len(sub.rows[kind]):
            row = sub.rows[kind].pop(int(index))
            if row_id(row.get("id")):
                sub.deleted[kind].append(row["id"])
            errors = profile_service.typed_errors(sub)  # the rows after it moved up
    elif action == "pick_work_unit":
        picker = _picker(request.form)
    elif action.startswith("choose_work_unit:"):
        unit = _work_unit(action.split(":", 1)[1])
        if unit is not None:
            sub.work.update(work_unit_id=str(unit.id), work_unit_name=unit.name)
            errors = profile_service.typed_errors(sub)
    return _render(cand, sub, errors, picker=picker, summary=False)


def _work_unit(unit_id: str):
    return get_named(WorkUnit, unit_id)


# what the wizard's 工作情况 step posts besides the work unit, carried through the picker page
WIZARD_WORK_FIELDS = ("employment_status", "department", "title", "title_date", "post", "practice_start")


@bp.post("/registration/<int:registration_id>/work-unit-picker")
@login_required
def registration_work_unit_picker(registration_id: int):
    """工作单位选择页 of the wizard's 工作情况 step (its “选择…” button posts the step here).

    The step's other fields ride along hidden; choosing a unit posts them back to the step with the
    unit's id and name, where they are saved as the step saves them (and the step is shown again).
    """
    try:
        reg = own_draft(current_candidate(), registration_id)
    except NotAllowed:
        abort(404)
    form = request.form
    return render_template(
        "portal/profile/work_unit_picker.html", reg=reg, picker=_picker(form),
        carried={k: form.get(k, "") for k in WIZARD_WORK_FIELDS},
        typed={"work_unit_name": form.get("work_unit_name", ""), "work_unit_id": form.get("work_unit_id", "")},
        back=url_for("portal.registration_step_save", registration_id=registration_id, step="work"))


def render_with_document_errors(cand, doc_errors: dict, status: int = 422):
    """个人信息 as saved, with a refused document upload or delete beside its field (candidate_portal/document_views)."""
    data = profile_page.read(cand.id)
    return _render(cand, _from_database(cand, data), doc_errors=doc_errors, status=status, data=data)


@bp.post("/profile/photo")
@login_required
def upload_photo():
    cand = current_candidate()
    upload = request.files.get("photo")
    try:
        photos.save_photo(cand, upload.read() if upload else b"")
    except DomainError as exc:
        db.session.rollback()
        data = profile_page.read(cand.id)
        return _render(cand, _from_database(cand, data), {"photo": exc.message}, status=422, data=data)
    flash(_("照片已上传。"), "success")
    return redirect(url_for("portal.profile") + "#basic")


@bp.get("/profile/photo")
@login_required
def photo():
    """The candidate's own photo; there is no id in the URL, so nobody can ask for another's."""
    path = photos.photo_file(current_candidate())
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
