"""The privacy notice's version and the consents given to it (PIPL Art. 14, 17, 28-29).

The notice's text is the portal template ``portal/privacy/_notice.html``; its version is here. Changing what
the notice says means a new ``NOTICE_VERSION``: every candidate is asked again at the next login, before any
other page opens (``candidate_portal.auth.login_required``).
"""
from __future__ import annotations

from sqlalchemy import bindparam, select

from core.db import db, utcnow
from core.models import Candidate, PrivacyConsent
from core.services import audit
from core.validators import FieldErrors

NOTICE_VERSION = "2026-12"
NOTICE_REQUIRED = "请阅读并同意《个人信息保护告知》。"
SENSITIVE_REQUIRED = "请单独同意处理证件号码、照片和证件扫描件等敏感个人信息；不同意则无法注册和报名。"


def check_agreement(agree_notice: str | None, agree_sensitive: str | None) -> dict[str, str]:
    """The two tick boxes of a form -> {field: message} for each one not ticked."""
    errors = {}
    if agree_notice != "yes":
        errors["agree_notice"] = NOTICE_REQUIRED
    if agree_sensitive != "yes":
        errors["agree_sensitive"] = SENSITIVE_REQUIRED
    return errors


def record_consent(cand: Candidate) -> PrivacyConsent:
    """Both consents to the current version, in the caller's transaction, audited."""
    consent = PrivacyConsent(candidate_id=cand.id, notice_version=NOTICE_VERSION, sensitive=True,
                             agreed_at=utcnow())
    db.session.add(consent)
    audit.record("candidate.privacy.consented", actor_type="candidate", actor_id=cand.id,
                 actor_name=cand.username, obj=cand,
                 after={"notice_version": NOTICE_VERSION, "sensitive": True})
    return consent


def agree(cand: Candidate, agree_notice: str | None, agree_sensitive: str | None) -> None:
    """同意 on the page that asks again: refused with the messages beside the boxes, else recorded."""
    errors = check_agreement(agree_notice, agree_sensitive)
    if errors:
        raise FieldErrors(errors)
    if not has_current_consent(cand.id):  # a second tab's 同意 adds nothing
        record_consent(cand)
    db.session.commit()


_CONSENT = (select(PrivacyConsent.id)  # built once; the version a parameter (tests set another NOTICE_VERSION)
            .where(PrivacyConsent.candidate_id == bindparam("cid"), PrivacyConsent.notice_version == bindparam("v"),
                   PrivacyConsent.sensitive.is_(True)).limit(1))


def has_current_consent(candidate_id: int) -> bool:
    return db.session.scalar(_CONSENT, {"cid": candidate_id, "v": NOTICE_VERSION}) is not None


def consents_of(candidate_id: int) -> list[PrivacyConsent]:
    return list(db.session.scalars(select(PrivacyConsent).where(PrivacyConsent.candidate_id == candidate_id)
                                   .order_by(PrivacyConsent.id)))
