"""考生管理: search, the candidate's page, 更正基本信息, 密码重置, full document number, full contact data, photo.

Contact data (手机、电子邮箱、通讯地址) and document numbers are masked on the page, in its history and in the
search results; roles that may (core.services.scope) show them in full for one candidate, audited.

Every route looks the candidate up through ``core.services.scope`` (404 outside the user's scope).
"""
from __future__ import annotations

from flask import abort, g, redirect, request, send_file, session, url_for
from flask_appbuilder import BaseView, expose, has_access
from sqlalchemy import or_, select

from core.db import db
from core.models import AuditEntry, Candidate, Registration
from core.models.candidate import DOC_TYPES, ENTRY_STATE_LABELS, MILITARY, SEXES
from core.services import scope, staff_actions
from core.privacy.masking import CONTACT_MASKS, mask_contact_facts, mask_document
from core.services.errors import DomainError
from core.validators import FieldErrors, normalise_document

from backoffice.base import or_404, shanghai
from backoffice.security import SESSION_KEY

SEARCH_LIMIT = 50
CONTACT_LABELS = {"mobile": "手机号码", "email": "电子邮箱", "address": "通讯地址"}


def search_candidates(user, q: str) -> list[Candidate]:
    """Name (prefix), document number, registration number or username — within the user's scope."""
    q = (q or "").strip()
    if not q:
        return []
    doc = normalise_document(q)
    by_number = select(Registration.candidate_id).where(Registration.number == q,
                                                        scope.registration_clause(user))
    stmt = (select(Candidate)
            .where(or_(Candidate.name.startswith(q), Candidate.username == q, Candidate.doc_number == doc,
                       Candidate.id.in_(by_number)))
            .where(scope.candidate_clause(user))
            .order_by(Candidate.name, Candidate.id).limit(SEARCH_LIMIT))
    return list(db.session.scalars(stmt))


class CandidateView(BaseView):
    route_base = "/candidates"
    class_permission_name = "Candidate"
    default_view = "search"
    method_permission_name = {"search": "list", "page": "page", "reveal": "reveal", "photo": "photo",
                              "reveal_contact": "reveal_contact",
                              "correct": "correct", "reset_password": "reset_password",
                              "identity_check": "identity_check"}

    def _candidate(self, cid: int, manage: bool = False) -> Candidate:
        """Read access (history included), or with ``manage`` the right to change the account."""
        lookup = staff_actions.candidate_to_manage if manage else staff_actions.candidate_in_scope
        return or_404(lookup, g.user, cid)

    def _contact_labels(self) -> dict:
        """Which contact fields this user may show in full (the button) and which stay masked (the note)."""
        allowed = self.appbuilder.sm.has_access("can_reveal_contact", "Candidate")
        fields = scope.full_contact_fields(g.user) if allowed else ()
        return {"reveal_labels": [CONTACT_LABELS[f] for f in fields],
                "kept_labels": [label for f, label in CONTACT_LABELS.items() if f not in fields]}

    def _page(self, cand: Candidate, contacts: dict | None = None, **extra):
        regs = db.session.scalars(select(Registration)
                                  .where(Registration.candidate_id == cand.id,
                                         scope.registration_clause(g.user))
                                  .order_by(Registration.created_at.desc())).all()
        reg_ids = [r.id for r in regs]
        entries = {"educations": [e.id for e in cand.educations], "trainings": [t.id for t in cand.trainings],
                   "certificates": [c.id for c in cand.certificates], "registrations": reg_ids}
        history = db.session.scalars(
            select(AuditEntry).where(or_(
                (AuditEntry.object_type == "candidates") & (AuditEntry.object_id == cand.id),
                *[(AuditEntry.object_type == kind) & AuditEntry.object_id.in_(ids)
                  for kind, ids in entries.items() if ids]))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(200)).all()
        return self.render_template(
            "backoffice/candidate.html", title=f"考生信息：{cand.name}", c=cand, regs=regs, history=history,
            masked=mask_document(cand.doc_number), may_reveal=scope.can_see_full_documents(g.user),
            masked_permit=mask_document(cand.permit_number) or "",
            contacts={f: mask(getattr(cand, f)) for f, mask in CONTACT_MASKS.items()} | (contacts or {}),
            contacts_revealed=contacts is not None, mask_facts=mask_contact_facts,
            **self._contact_labels(),
            may_reset=self.appbuilder.sm.has_access("can_reset_password", "Candidate"),
            may_correct=self.appbuilder.sm.has_access("can_correct", "Candidate"),
            doc_types=DOC_TYPES, sexes=SEXES, military=MILITARY, shanghai=shanghai,
            entry_state_labels=ENTRY_STATE_LABELS,
            corrections=staff_actions.corrections_for(cand.id), **extra)

    @expose("/", methods=["GET", "POST"])
    @has_access
    def search(self):
        # The form posts (with CSRF): a document number typed here never ends up in a URL or access log.
        q = (request.form.get("q") if request.method == "POST" else request.args.get("q", "")) or ""
        rows = search_candidates(g.user, q)
        return self.render_template("backoffice/candidate_search.html", title="考生查询", q=q, rows=rows,
                                    mask=mask_document, doc_types=DOC_TYPES,
                                    may_identity=staff_actions.may_check_identity(g.user))

    @expose("/<int:cid>")
    @has_access
    def page(self, cid):
        return self._page(self._candidate(cid))

    @expose("/<int:cid>/reveal", methods=["POST"])
    @has_access
    def reveal(self, cid):
        number = or_404(staff_actions.reveal_document, g.user, cid)
        db.session.commit()
        return self._page(self._candidate(cid), revealed=number)

    @expose("/<int:cid>/reveal-contact", methods=["POST"])
    @has_access
    def reveal_contact(self, cid):
        contacts = or_404(staff_actions.reveal_contacts, g.user, cid)
        db.session.commit()
        return self._page(self._candidate(cid), contacts=contacts)

    @expose("/<int:cid>/photo")
    @has_access
    def photo(self, cid):
        cand = self._candidate(cid)
        from core.services.photos import photo_file
        path = photo_file(cand)
        if path is None:
            abort(404)
        return send_file(path, mimetype="image/jpeg", max_age=0)

    @expose("/<int:cid>/correct", methods=["GET", "POST"])
    @has_access
    def correct(self, cid):
        cand = self._candidate(cid, manage=True)
        errors, form = {}, {f: getattr(cand, f) for f in staff_actions.CORRECTABLE}
        form["birth_date"] = cand.birth_date.isoformat()
        form["doc_number"] = form["permit_number"] = ""  # never the full numbers: blank keeps them
        if request.method == "POST":
            form = {f: request.form.get(f, "") for f in list(staff_actions.CORRECTABLE) + ["reason"]}
            try:
                changed = staff_actions.correct_basic_info(g.user, cid, request.form.to_dict())
                db.session.commit()
                labels = "、".join(staff_actions.CORRECTABLE[f] for f in changed)
                return self._page(cand, notice=f"已更正：{labels}。更正记录已写入审计日志，考生可在“基本信息”中看到。")
            except FieldErrors as exc:
                db.session.rollback()
                errors = exc.errors
            except DomainError as exc:
                db.session.rollback()
                errors = {exc.field or "_": exc.message}
        return self.render_template("backoffice/candidate_correct.html", title=f"更正基本信息：{cand.name}",
                                    c=cand, form=form, errors=errors, labels=staff_actions.CORRECTABLE,
                                    doc_types=DOC_TYPES, sexes=SEXES, military=MILITARY,
                                    masked=mask_document(cand.doc_number),
                                    masked_permit=mask_document(cand.permit_number))

    @expose("/<int:cid>/reset-password", methods=["GET", "POST"])
    @has_access
    def reset_password(self, cid):
        token = session.get(SESSION_KEY)
        by_identity = staff_actions.grant_allows(token, g.user, cid)
        cand = db.session.get(Candidate, cid) if by_identity else self._candidate(cid, manage=True)
        if cand is None:
            abort(404)
        errors, one_time, reason = {}, None, ""
        if request.method == "POST":
            reason = request.form.get("reason", "")
            try:
                if by_identity:
                    one_time = staff_actions.reset_after_identity_check(g.user, cid, reason, token)
                else:
                    one_time = staff_actions.reset_candidate_password(g.user, cid, reason)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                errors = {exc.field or "_": exc.message}
        return self.render_template("backoffice/candidate_reset.html", title=f"密码重置：{cand.name}", c=cand,
                                    errors=errors, one_time=one_time, reason=reason, by_identity=by_identity,
                                    may_open_page=scope.can_see_candidate(g.user, cid),
                                    masked=mask_document(cand.doc_number))

    @expose("/identity-check", methods=["GET", "POST"])
    @has_access
    def identity_check(self):
        """身份核验: document type, full number and name from the original document, all three exact; a
        match opens only that candidate's 密码重置, for this staff session, for a short while."""
        if not staff_actions.may_check_identity(g.user):
            abort(403)
        form = {f: request.form.get(f, "") for f in ("doc_type", "doc_number", "name")}
        form["doc_type"] = form["doc_type"] or "id_card"
        errors = {}
        if request.method == "POST":
            try:
                cand = staff_actions.identity_lookup(g.user, form["doc_type"], form["doc_number"], form["name"])
                staff_actions.identity_grant(g.user, cand.id, session.get(SESSION_KEY))
                db.session.commit()
                return redirect(url_for("CandidateView.reset_password", cid=cand.id))
            except FieldErrors as exc:
                db.session.rollback()
                errors = exc.errors
            except DomainError as exc:
                db.session.commit()  # keeps the audit entry of the miss
                errors = {exc.field or "_": exc.message}
        return self.render_template("backoffice/identity_check.html", title="身份核验（密码重置）", form=form,
                                    errors=errors, doc_types=DOC_TYPES)
