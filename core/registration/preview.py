"""预览申请表: the application form as 提交 would freeze it now, shown before the irreversible 提交 (issue 15).

Nothing is written: no number, no frozen photo copy, no seat. The form is marked as a preview."""
from __future__ import annotations

from core import eligibility
from core.db import db, utcnow
from core.models import Registration, Site
from core.registration.draft import Draft
from core.services import snapshot

PREVIEW_NUMBER = "（预览，提交后生成报名号）"


def preview_snapshot(reg: Registration) -> dict | None:
    """The snapshot of a draft with its 考点 chosen, marked ``preview``; None before a 考点 is chosen."""
    draft = Draft.of(reg)
    site = db.session.get(Site, draft.site_id) if draft.site_id else None
    if site is None:
        return None
    settings = eligibility.settings_for(reg.exam_year)
    military_unit = settings.on("R8") and reg.candidate.military_identity == "active"
    frozen = snapshot.build_snapshot(reg, site=site, number=PREVIEW_NUMBER, attempts=draft.attempts,
                                     military_unit=military_unit, ids=eligibility.chosen_ids(reg),
                                     photo=reg.candidate.photo_path, submitted_at=utcnow())
    return {**frozen, "preview": True}
