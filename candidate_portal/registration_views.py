"""考试报名 pages: the list, 选择报考类别, the wizard steps, 提交 and 放弃报考. Thin: parse, call, render."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from candidate_portal.auth import current_candidate, login_required, own_draft_and_site, own_registration
from candidate_portal.blueprint import bp
from candidate_portal.i18n import translate_message
from core import eligibility
from core.arrangement import admission
from core.arrangement import needs
from core.db import db, to_shanghai
from core.models import (CertificateType, ExamFamily, Registration, TrainingType)
from core.models.candidate import (EDUCATION_LEVELS, EMPLOYMENT, MILITARY, STUDY_MODES)
from core.models.catalogue import LEVELS, ROUTES
from core.payments.card import payment_cards
from core.registration import access, choices, draft, steps, submission, withdrawal, window
from core.documents import pages as doc_pages
from core.documents import review
from core.documents import service as documents
from core.registration.errors import DocumentsMissing, Incomplete, NotEligible, SiteFull
from core.registration.states import CORRECTION, LIVE, PAYABLE, PRINTABLE
from core.services.errors import DomainError, NotAllowed
from core.validators import FieldErrors, row_id

_STEP_KINDS = {"entries": ("education", "training"), "certificates": ("certificate",)}
ENTRY_ACTIONS = {"add_education": "education", "add_training": "training", "add_certificate": "certificate"}
# The guide's six steps: 1 选择报考类别 (the subject page), then the wizard's five.
BAR = (("subjects", "选择报考类别"),) + draft.STEPS
BAR_NAMES = [key for key, _label in BAR]


def _errors(exc: DomainError) -> dict[str, str]:
    return exc.errors if isinstance(exc, FieldErrors) else {exc.field or "_form": exc.message}


def _endpoint_url(endpoint: str, **values) -> str | None:
    """A link to a page another area builds (缴费, 打印申请表) only once that page exists."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.get("/registration")
@login_required
def registrations():
    return _registration_list()


def _registration_list(errors: dict[int, str] | None = None, status: int = 200):
    """The cards; ``errors``: registration id -> the message beside its 无障碍考场 field."""
    regs = access.registrations_of(current_candidate())
    rows = []
    cards = payment_cards(regs)
    seated = needs.published_among(regs)
    for reg in regs:
        window_open = window.window_state(reg.exam_year) == "open"
        card = cards[reg.id]
        rows.append({
            "reg": reg, "window_open": window_open, "payment": card,
            "can_abandon": window_open and reg.is_live,
            "pay_url": (_endpoint_url("portal.pay", registration_id=reg.id)
                        if reg.status in PAYABLE and reg.payment_status == "unpaid" and reg.region
                        and reg.region.online_payment_open and not card.confirming else None),
            "status_url": (_endpoint_url("portal.payment_status", out_trade_no=card.out_trade_no)
                           if card.confirming else None),
            "print_url": (_endpoint_url("portal.print_form", registration_id=reg.id)
                          if reg.status in PRINTABLE else None),
            "ticket": admission.ticket_state(reg),
            "documents_url": (url_for("portal.registration_documents", registration_id=reg.id)
                              if reg.is_live and doc_pages.online_for(reg) else None),
            "to_correct": review.to_correct(reg) if reg.status == CORRECTION else [],
            "abandoned_at": reg.abandoned_at and to_shanghai(reg.abandoned_at).strftime("%Y-%m-%d %H:%M"),
            "need": ({"can_change": needs.can_change(reg, seated), "error": (errors or {}).get(reg.id)}
                     if reg.status in LIVE else None),
        })
    return render_template("portal/registration/list.html", rows=rows), status


@bp.post("/registration/<int:registration_id>/accessible-need")
@login_required
def registration_accessible_need(registration_id: int):
    """需要无障碍考场: declared on the card until the arrangement is published (core.arrangement.needs)."""
    reg = own_registration(registration_id)
    needed = request.form.get("needs_accessible_room") == "1"
    try:
        changed = needs.declare(current_candidate(), reg, needed)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _registration_list({reg.id: translate_message(exc.message)}, 422)
    if changed:
        flash(_("已保存：需要无障碍考场。") if needed else _("已保存：不需要无障碍考场。"), "success")
    return redirect(url_for("portal.registrations") + f"#registration-{reg.id}")


@bp.get("/registration/subjects")
@login_required
def registration_subjects():
    args = request.args
    filters = choices.SubjectFilter(
        family_id=args.get("family_id", type=int), level=args.get("level") or None,
        category=args.get("category") or None, route=args.get("route") or None,
        q=args.get("q") or None)
    subjects = choices.list_subjects(filters)
    all_subjects = choices.list_subjects() if any(vars(filters).values()) else subjects
    rows = [{"subject": s, "state": window.window_state(s.exam_year), "window": window.window_text(s.exam_year),
             "message": window.window_message(s.exam_year)} for s in subjects]
    bar = [{"label": label, "current": key == "subjects"} for key, label in BAR]
    return render_template(
        "portal/registration/subjects.html", rows=rows, filters=filters, bar=bar,
        families=db.session.scalars(_FAMILIES).all(),
        levels=LEVELS, routes=ROUTES, categories=sorted({s.category for s in all_subjects}))


@bp.post("/registration/start")
@login_required
def registration_start():
    try:
        reg = draft.start_registration(current_candidate(), request.form.get("subject_id", type=int))
    except DomainError as exc:
        flash(translate_message(exc.message), "error")
        return redirect(url_for("portal.registration_subjects"))
    return redirect(url_for("portal.registration_step", registration_id=reg.id, step=reg.draft_step or "basic"))


@bp.get("/registration/<int:registration_id>")
@login_required
def registration_resume(registration_id: int):
    """Back after closing the browser: the draft opens where the candidate was."""
    reg = own_registration(registration_id)
    if reg.status != "draft":
        return redirect(url_for("portal.registrations"))
    return redirect(url_for("portal.registration_step", registration_id=reg.id, step=reg.draft_step or "basic"))


def _pairs(values) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


# The statements of every page's fixed lists, built once (not a select and its cache key per request).
_TRAINING_TYPES = db.select(TrainingType).order_by(TrainingType.id)
_CERTIFICATE_TYPES = db.select(CertificateType).order_by(CertificateType.id)
_FAMILIES = db.select(ExamFamily).order_by(ExamFamily.name)


def _options(step: str) -> dict:
    """The choices of a step's selects, as (value, text) pairs."""
    if step == "work":
        return {"employment": _pairs(EMPLOYMENT)}
    if step == "entries":
        types = db.session.scalars(_TRAINING_TYPES)
        return {"levels": _pairs(EDUCATION_LEVELS), "modes": _pairs(STUDY_MODES),
                "training_types": [(t.id, t.name) for t in types]}
    if step == "certificates":
        types = db.session.scalars(_CERTIFICATE_TYPES)
        return {"certificate_types": [(t.id, t.name) for t in types]}
    return {}


def _bar(reg: Registration, step: str) -> list[dict]:
    """The step bar: each step's label, and the step a button there goes to (earlier ones, and done ones)."""
    done = set(draft.Draft.of(reg).done)
    here = BAR_NAMES.index(step)
    return [{"label": label, "current": key == step,
             "done": key == "subjects" or key in done,
             "goto": key if key != step and (i < here or key in done) else None}
            for i, (key, label) in enumerate(BAR)]


def _chosen(reg: Registration, step: str, form) -> dict:
    """The entries ticked: as sent when the page is shown again with its form, else as in the draft."""
    chosen = eligibility.chosen_ids(reg)
    if form is not None and hasattr(form, "getlist"):
        for kind in _STEP_KINDS.get(step, ()):
            chosen[kind] = {row_id(x) for x in form.getlist(f"{kind}_ids")} - {None}
    return chosen


def _render_step(reg: Registration, step: str, errors: dict | None = None, form=None, status: int = 200):
    cand = reg.candidate
    index = draft.STEP_NAMES.index(step)
    kept = draft.unsaved(reg, step) if form is None else None
    if kept:  # refused when the candidate went back: shown again as typed, with its messages
        form, errors = MultiDict(kept["form"]), kept["errors"]
    chosen = _chosen(reg, step, form)
    settings = eligibility.settings_for(reg.exam_year)  # read once for the findings and the certificate
    # the educations and trainings the findings read, once: the candidate's collections on the step that lists them
    # (教育经历和培训经历), both in one statement for 选择证书 (its findings and whether a certificate is required) and
    # for the 考点 step (its findings and its summary of what is ticked); on the steps before, only if their rules
    # need them (eligibility.check)
    rows = ((cand.educations, cand.trainings) if step == "entries"
            else eligibility.entry_rows(cand.id) if step in ("certificates", "site") else None)
    context = dict(
        reg=reg, cand=cand, step=step, steps=draft.STEPS, index=index, errors=errors or {},
        form=form or {}, findings=steps.findings_for_step(reg, step, chosen, settings, rows), military=MILITARY,
        chosen=chosen, bar=_bar(reg, step),
        done=set(draft.Draft.of(reg).done), window=window.window_text(reg.exam_year),
        opt=_options(step))
    if step == "certificates":
        context["certificate_required"] = steps.certificate_required(reg, settings, rows)
    if step in _STEP_KINDS:
        context["entry_docs"] = doc_pages.entry_documents(reg)
    if step == "site":
        chosen = draft.Draft.of(reg)
        context.update(educations=rows[0], trainings=rows[1],
                       regions=choices.regions(), sites=choices.sites_of(chosen.region_id),
                       missing=steps.missing_steps(reg),
                       submit_token=submission.new_submit_token(),
                       region_id=chosen.region_id, site_id=chosen.site_id, attempts=chosen.attempts,
                       blocking=eligibility.blocking(context["findings"]),
                       documents_missing=documents.missing(reg) if doc_pages.online_for(reg) else None)
    return render_template("portal/registration/wizard.html", **context), status


@bp.get("/registration/<int:registration_id>/step/<step>")
@login_required
def registration_step(registration_id: int, step: str):
    reg = own_registration(registration_id, draft=True)
    if step not in draft.STEP_NAMES:
        abort(404)
    missing = steps.first_step_missing(reg, step)
    if missing:  # a later step's URL opened directly: the steps are passed in order
        flash(translate_message(missing[1]), "error")
        return redirect(url_for("portal.registration_step", registration_id=registration_id, step=missing[0]))
    page = _render_step(reg, step)
    draft.go_to_step(reg, step)  # after rendering: its commit would have the page load everything again
    return page


def _save(reg: Registration, step: str, form, then: str, submitting: bool = False):
    """Saves the step, with ``then``, the page the candidate goes to (recorded in the same commit: that page's GET
    writes nothing); the 考点 step returns the site it read (with its region) for 提交 to find in the session, and
    before 提交 leaves its draft for the submission to write."""
    if step == "basic":
        upload = request.files.get("photo")
        steps.save_basic(reg, form, upload.read() if upload and upload.filename else None, then=then)
    elif step == "work":
        steps.save_work(reg, form, then=then)
    elif step == "entries":
        steps.save_entries(reg, form.getlist("education_ids"), form.getlist("training_ids"), then=then)
    elif step == "certificates":
        steps.save_certificates(reg, form.getlist("certificate_ids"), then=then)
    elif step == "site":
        return steps.save_site(reg, form, then=then, hold=submitting)
    return None


@bp.post("/registration/<int:registration_id>/step/<step>")
@login_required
def registration_step_save(registration_id: int, step: str):
    # the 考点 step reads the site the form names with the registration; held here, it stays in the session for
    # steps.save_site and 提交 to find (the session holds objects weakly)
    reg, _site = (own_draft_and_site(registration_id, request.form.get("site_id")) if step == "site"
                  else (own_registration(registration_id, draft=True), None))
    if step not in draft.STEP_NAMES:
        abort(404)
    form, action = request.form, request.form.get("action", "next")
    if action == "region" and step == "site":  # 选择考区 without JavaScript: its 考点, keeping what was typed
        steps.choose_region(reg, form.get("region_id"))
        return _render_step(reg, step, form={k: v for k, v in form.items() if k not in ("region_id", "site_id")})
    if action in ENTRY_ACTIONS:  # the “+” button: saved to the profile, then ticked here
        kind = ENTRY_ACTIONS[action]
        steps.remember_ticks(reg, step, {k: form.getlist(f"{k}_ids") for k in _STEP_KINDS.get(step, ())})
        fields = {k.removeprefix(f"new_{kind}-"): v for k, v in form.items() if k.startswith(f"new_{kind}-")}
        try:
            steps.add_entry(reg, kind, fields, select_it=form.get(f"new_{kind}-select") == "1")
        except DomainError as exc:
            db.session.rollback()
            errors = {f"new_{kind}-{k}": m for k, m in _errors(exc).items()}
            return _render_step(reg, step, errors, form, 422)
        flash(_("已保存到个人信息，并可在此选择。"), "success")
        return redirect(url_for("portal.registration_step", registration_id=registration_id, step=step) + f"#{kind}")
    if action.startswith("edit:"):  # 修改 beside an entry: what is ticked is kept, then the entry's form
        kind, _sep, entry_id = action.removeprefix("edit:").partition(":")
        steps.keep_ticks(reg, step, {k: form.getlist(f"{k}_ids") for k in _STEP_KINDS.get(step, ())})
        return redirect(url_for("portal.registration_entry_edit", registration_id=registration_id, step=step,
                                kind=kind, entry_id=row_id(entry_id) or 0), 303)
    if action.startswith("confirm_major:") and step == "entries":  # 确认专业 beside a flagged education
        return _confirm_major(reg, action.removeprefix("confirm_major:"), form)
    here = BAR_NAMES.index(step)
    there = _destination(here, action)
    missing = steps.first_step_missing(reg, step)
    if missing and there >= here:  # saving a step whose earlier steps are not passed: go there first
        flash(translate_message(missing[1]), "error")
        return redirect(url_for("portal.registration_step", registration_id=registration_id, step=missing[0]))
    saved = None
    try:
        # held until 提交: the site it read stays in the session
        saved = _save(reg, step, form, BAR_NAMES[there], submitting=action == "submit" and step == "site")
    except DomainError as exc:
        db.session.rollback()
        if there >= here:  # 下一步 and 提交 stay until the step is right
            return _render_step(reg, step, _errors(exc), form, 422)
        # 上一步 always goes back: the refused input is kept in the draft (never in the profile)
        draft.heading_to(reg, BAR_NAMES[there])  # in keep_unsaved's commit
        draft.keep_unsaved(reg, step, {k: form.getlist(k) for k in form}, _errors(exc))
        flash(_("“%(step)s”中有填写有误的内容，未保存；您填写的内容已保留，回到这一步即可按提示修改。",
                step=translate_message(BAR[here][1])), "error")
    if action == "submit" and step == "site":
        return _submit(reg, form.get("submit_token", ""), saved, held=reg.draft_data if saved else None)
    if BAR_NAMES[there] == "subjects":
        return redirect(url_for("portal.registration_subjects"))
    # the id from the URL: reg.id after the step's commit would read the row back
    return redirect(url_for("portal.registration_step", registration_id=registration_id, step=BAR_NAMES[there]))


def _confirm_major(reg: Registration, education_id: str, form):
    prefix = f"confirm-{education_id}-"
    try:
        steps.confirm_major(reg, education_id, form.get(prefix + "major_id"), form.get(prefix + "major"),
                            {k: form.getlist(f"{k}_ids") for k in _STEP_KINDS["entries"]})
    except NotAllowed:
        raise  # another's entry: 404
    except DomainError as exc:
        db.session.rollback()
        return _render_step(reg, "entries", {prefix + k: m for k, m in _errors(exc).items()}, form, 422)
    flash(_("专业已确认并保存到个人信息。"), "success")
    return redirect(url_for("portal.registration_step", registration_id=reg.id, step="entries")
                    + f"#education-{education_id}")


def _destination(here: int, action: str) -> int:
    """Where a navigation button leads, as a place in BAR: 上一步, 下一步, a step-bar button ("goto:work")."""
    if action == "prev":
        return here - 1
    if action == "next":
        return min(here + 1, len(BAR) - 1)
    target = action.removeprefix("goto:")
    return BAR_NAMES.index(target) if action.startswith("goto:") and target in BAR_NAMES else here


def _submit(reg: Registration, token: str, site_read=None, held: dict | None = None):
    """site_read: the site the 考点 step has just read, referenced here so that it stays in the session (whose
    identity map holds objects weakly) and submit_registration's session.get of it runs no statement; held: the
    draft that step left for the submission to write, saved on its own when 提交 is refused."""
    try:
        done = submission.submit_registration(current_candidate(), reg.id, token)
    except DomainError as exc:
        if held is not None:
            draft.write_held(reg, held)
        return _refused(reg, exc)
    flash(_("报名已提交，报名号 %(number)s。请打印报名申请表，并按考区公告参加现场资格审核。", number=done.number), "success")
    return redirect(url_for("portal.registrations"), 303)


def _refused(reg: Registration, exc: DomainError):
    if isinstance(exc, Incomplete):
        flash(translate_message(exc.message), "error")
        return redirect(url_for("portal.registration_step", registration_id=reg.id, step=exc.step))
    if isinstance(exc, SiteFull):
        return _render_step(db.session.get(Registration, reg.id), "site", {"site_id": exc.message}, None, 409)
    if isinstance(exc, DocumentsMissing):
        flash(translate_message(exc.message), "error")
        return redirect(url_for("portal.registration_documents", registration_id=reg.id), 303)
    if isinstance(exc, NotEligible):
        return _render_step(db.session.get(Registration, reg.id), "site",
                            {"_form": _("报名未能提交：请按以下提示修改后再提交。")}, None, 422)
    flash(translate_message(exc.message), "error")
    return redirect(url_for("portal.registrations"))


@bp.get("/registration/<int:registration_id>/sites")
@login_required
def registration_sites(registration_id: int):
    """The 考点 of the chosen 考区 (an HTML fragment the 选择考区及考点 step loads on a 考区 change)."""
    reg = own_registration(registration_id, draft=True)
    region = choices.region_or_none(request.args.get("region_id"))
    return render_template("portal/registration/_sites.html", sites=choices.sites_of(region.id if region else None),
                           region_id=region.id if region else None, site_id=draft.Draft.of(reg).site_id,
                           form={}, errors={})


@bp.post("/registration/<int:registration_id>/submit")
@login_required
def registration_submit(registration_id: int):
    """提交 without re-saving the site (a retried request, a second tab)."""
    reg = own_registration(registration_id)
    return _submit(reg, request.form.get("submit_token", ""))


@bp.post("/registration/<int:registration_id>/abandon")
@login_required
def registration_abandon(registration_id: int):
    own_registration(registration_id)
    try:
        reg = withdrawal.abandon_registration(current_candidate(), registration_id)
    except DomainError as exc:
        flash(translate_message(exc.message), "error")
    else:
        extra = _("已缴费用将按考区公告办理退费。") if reg.payment_status == "refund_pending" else ""
        flash(_("已放弃报考%(subject)s。%(extra)s如需报考，请重新“开始新的报名”。", subject=reg.subject.name, extra=extra),
              "success")
    return redirect(url_for("portal.registrations"), 303)
