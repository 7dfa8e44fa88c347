"""修改 an entry from the registration wizard (issue 15): the 教育经历, 培训经历 and 证书情况 the wizard's steps
list open here in the 个人信息 centre's own form, are saved to the profile by its own rules, and the candidate
returns to the same step. Thin: parse, call core.registration.steps, render."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from candidate_portal.auth import login_required, own_registration
from candidate_portal.blueprint import bp
from candidate_portal.i18n import translate_message
from candidate_portal.profile_views import ROW_FIELDS
from core.db import db
from core.services import entry_types
from core.models.candidate import EDUCATION_LEVELS, ENTRY_LABELS, STUDY_MODES
from core.registration import steps
from core.registration.draft import STEPS
from core.services.errors import DomainError, NotAllowed
from core.services.profile import LOCKED_MESSAGE, VERIFIED_MESSAGE
from core.validators import FieldErrors


def _row(entry, kind: str) -> dict:
    return {f: "" if getattr(entry, f) is None else str(getattr(entry, f)) for f in ROW_FIELDS[kind] if f != "id"}


def _page(reg, step: str, kind: str, entry, row: dict, errors: dict | None = None, status: int = 200):
    options = {"levels": EDUCATION_LEVELS, "study_modes": STUDY_MODES, **entry_types.type_names()}
    reason = {"locked": LOCKED_MESSAGE, "verified": VERIFIED_MESSAGE}.get(entry.state)
    findings = [f for f in steps.findings_for_step(reg, step) if f.step == step]  # why the entry may need a fix
    return render_template("portal/registration/entry_edit.html", reg=reg, step=step, kind=kind, entry=entry,
                           row=row, errors=errors or {}, reason=reason, findings=findings, label=ENTRY_LABELS[kind],
                           step_label=dict(STEPS)[step], back=_back(reg.id, step, kind, entry.id),
                           **options), status


def _back(registration_id: int, step: str, kind: str, entry_id: int) -> str:
    return url_for("portal.registration_step", registration_id=registration_id, step=step) + f"#{kind}-{entry_id}"


def _entry(reg, step: str, kind: str, entry_id: int):
    try:
        return steps.entry_of_step(reg, step, kind, entry_id)
    except NotAllowed:
        abort(404)


@bp.get("/registration/<int:registration_id>/step/<step>/<kind>/<int:entry_id>")
@login_required
def registration_entry_edit(registration_id: int, step: str, kind: str, entry_id: int):
    reg = own_registration(registration_id, draft=True)
    entry = _entry(reg, step, kind, entry_id)
    return _page(reg, step, kind, entry, _row(entry, kind))


@bp.post("/registration/<int:registration_id>/step/<step>/<kind>/<int:entry_id>")
@login_required
def registration_entry_save(registration_id: int, step: str, kind: str, entry_id: int):
    reg = own_registration(registration_id, draft=True)
    entry = _entry(reg, step, kind, entry_id)
    form = {f: request.form.get(f, "").strip() for f in ROW_FIELDS[kind] if f != "id"}
    try:
        steps.edit_entry(reg, step, kind, entry_id, form)
    except DomainError as exc:
        db.session.rollback()
        errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field or "_form": exc.message}
        entry = _entry(reg, step, kind, entry_id)
        return _page(reg, step, kind, entry, form, errors, 422)
    flash(_("%(what)s已修改并保存到个人信息。", what=translate_message(ENTRY_LABELS[kind])), "success")
    return redirect(_back(registration_id, step, kind, entry_id), 303)
