"""提交: the draft becomes a submitted registration — checked again, numbered, frozen, seated — at once.

The same token sent twice (double click, retried request) returns the same registration; a second tab
finds the draft already submitted. A full site raises SiteFull and leaves the draft as it was.
"""
from __future__ import annotations

import secrets

from core import eligibility
from core.db import db, utcnow
from core.models import Candidate, Region, Registration, Site
from core.registration import lifecycle
from core.registration.access import own_registration
from core.registration.draft import Draft
from core.documents import modes
from core.documents import service as documents
from core.registration.errors import (DocumentsMissing, Incomplete, NotEligible, RegistrationError, SiteFull,
                                      StaleState)
from core.registration.states import DRAFT
from core.registration.steps import SITE_WITH_REGION, missing_steps
from core.registration.window import require_window_open
from core.services import snapshot
from core.services.errors import NotAllowed


def new_submit_token() -> str:
    return secrets.token_urlsafe(24)


def registration_number(year: int, region: Region, registration_id: int) -> str:
    """报名号: exam year + region code + the registration's own id, e.g. 202711000000000123."""
    return f"{year}{region.code}{registration_id:08d}"


def submit_registration(candidate: Candidate, registration_id: int, token: str) -> Registration:
    """Validate again, then the ``submit`` transition (seat, entry locks, audit) with the frozen snapshot."""
    if not token or len(token) > 64:
        raise RegistrationError("提交已过期，请刷新页面后再提交。")
    reg = own_registration(candidate, registration_id)
    if reg.status != DRAFT:
        if reg.submit_token == token or reg.is_live:
            return reg  # a repeat of the request that submitted it, or a second tab
        raise NotAllowed("该报名已放弃，请重新“开始新的报名”。")
    require_window_open(reg.exam_year)
    missing = missing_steps(reg)
    if missing:
        step, message = missing[0]
        raise Incomplete(message, step)
    draft = Draft.of(reg)
    site = db.session.get(Site, draft.site_id, options=SITE_WITH_REGION)  # the 考点 step's, in the session
    # the year's rules and the region's review mode (kept: no statement once read)
    settings, review_mode = eligibility.settings_and_review_mode(reg.exam_year, site.region_id)
    rows = eligibility.entry_rows(candidate.id)  # educations and trainings in one statement, as rows
    findings = eligibility.blocking(eligibility.check(reg, settings, rows=rows))
    if findings:
        raise NotEligible(findings)
    if site.seats_left <= 0:  # a cheap early answer; the transition's conditional UPDATE is the real guard
        raise SiteFull.at(site)
    online = modes.is_online_mode(review_mode)  # 网上资格审核: every document first
    if online and (lacking := documents.missing(reg)):
        raise DocumentsMissing([r.full_label for r in lacking])
    ids = eligibility.chosen_ids(reg)
    now = utcnow()
    number = registration_number(reg.exam_year.year, site.region, reg.id)
    military_unit = settings.on("R8") and candidate.military_identity == "active"
    photo = snapshot.freeze_photo(candidate, number, secrets.token_hex(4))
    try:
        frozen = snapshot.build_snapshot(reg, site=site, number=number, attempts=draft.attempts,
                                         military_unit=military_unit, ids=ids, photo=photo, submitted_at=now,
                                         rows=rows)
        outcome = lifecycle.transition(
            reg, "submit", lifecycle.Actor.candidate(candidate),
            values=dict(site_id=site.id, region_id=site.region_id, number=number, attempts=draft.attempts,
                        military_unit=military_unit, snapshot=frozen, submit_token=token, submitted_at=now,
                        draft_step=None, online_review=online,
                        draft_data=reg.draft_data),  # as the 考点 step held it (steps.save_site)
            entry_ids={k: list(v) for k, v in ids.items()},
            detail={"subject": frozen["subject"]["code"], "site": site.code})
        if online:
            documents.freeze(reg, ids)
        db.session.commit()
    except StaleState:  # another tab or a retried request submitted it a moment ago
        db.session.rollback()
        snapshot.discard_frozen_photo(photo)
        return own_registration(candidate, registration_id)
    except Exception:
        db.session.rollback()
        snapshot.discard_frozen_photo(photo)
        raise
    outcome.keep_loaded(reg)
    return reg
