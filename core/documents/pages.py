"""What the candidate's 审核材料 page shows for one registration: each required document with the current
upload, whether it may be changed now, and (after submission) the reviewer's verdict, reasons and note."""
from __future__ import annotations

from dataclasses import dataclass

from core.documents import modes, service
from core.documents.required import required_for
from core.models import Document, Registration, RegistrationDocument
from core.registration.draft import Draft
from core.registration.states import CORRECTION, DRAFT


@dataclass
class Row:
    slot: str
    label: str
    document: Document | None
    link: RegistrationDocument | None
    changeable: bool


def online_for(reg: Registration) -> bool:
    """网上审核 for this registration: decided at submission; for a draft, by its chosen region."""
    if reg.status != DRAFT:
        return reg.online_review
    return modes.is_online(Draft.of(reg).region_id, reg.exam_year_id)


def rows_for(reg: Registration) -> list[Row]:
    have = service.current(reg.candidate_id)
    if reg.status == DRAFT:
        return [Row(r.slot, r.full_label, have.get(r.slot), None,
                    r.slot not in have or service.replaceable(have[r.slot]))
                for r in required_for(reg)]
    return [Row(lk.slot, lk.label, lk.document, lk, reg.status == CORRECTION and lk.verdict == "correction")
            for lk in service.links_of(reg.id)]
