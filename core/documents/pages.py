"""What the candidate's 审核材料 page shows for one registration: each required document with the current
upload, whether it may be changed now, and (after submission) the reviewer's verdict, reasons and note; and
what 个人信息 shows of the candidate's documents, entry by entry."""
from __future__ import annotations

from dataclasses import dataclass

from core.documents import modes, service
from core.documents.required import KINDS, Requirement, for_candidate, for_entry, required_for
from core.eligibility.year_settings import review_modes
from core.models import Document, Registration, RegistrationDocument
from core.models.candidate import ENTRY_MODELS
from core.registration.access import registrations_of
from core.registration.draft import Draft
from core.registration.states import CORRECTION, DRAFT


@dataclass
class Row:
    slot: str
    label: str
    document: Document | None  # or the row core.services.profile_page read (id, slot, content_type, pages)
    link: RegistrationDocument | None
    changeable: bool


def online_for(reg: Registration) -> bool:
    """网上审核 for this registration: decided at submission; for a draft, by its chosen region."""
    if reg.status != DRAFT:
        return reg.online_review
    region_id = Draft.of(reg).region_id
    return region_id is not None and modes.is_online_mode(review_modes(reg.exam_year).get(region_id))


def rows_for(reg: Registration) -> list[Row]:
    have = service.current(reg.candidate_id)
    if reg.status == DRAFT:
        return [Row(r.slot, r.full_label, have.get(r.slot), None,
                    r.slot not in have or service.replaceable(have[r.slot]))
                for r in required_for(reg)]
    return [Row(lk.slot, lk.label, lk.document, lk, reg.status == CORRECTION and lk.verdict == "correction")
            for lk in service.links_of(reg.id)]


# --- 个人信息: the candidate's documents by entry (issue 16 item 2) ----------------------------------

@dataclass
class ProfileRow:
    slot: str
    label: str  # what to upload, e.g. 毕业证书
    document: Document | None  # or the row core.services.profile_page read (id, slot, content_type, pages)
    changeable: bool  # upload or replace now (not frozen by a registration under review)
    deletable: bool
    needed_by: list[str]  # the candidate's 网上审核 registrations (their subjects) that need it


@dataclass
class ProfileGroup:
    kind: str  # "own" (identity, military, practice) or an entry kind
    entry: str  # the entry in words, e.g. 北京大学 本科 临床医学 (empty for "own")
    anchor: str
    rows: list[ProfileRow]


def profile_groups(candidate, data) -> list[ProfileGroup]:
    """What 个人信息 shows under 审核材料: the candidate's own documents, then each entry's proof (education →
    毕业证书 and 备案表, …), each with its upload, whether it may be changed now, and which of the candidate's
    网上审核 registrations need it (the same rules as the registration's 审核材料 page: core.documents.required).
    data: the entries, current documents (with their uses) and whether there is a live registration, read
    in one statement (core.services.profile_page.ProfileData)."""
    have = data.documents
    needed = _needed_by(candidate, data.entries) if data.live_registrations else {}

    def rows(requirements) -> list[ProfileRow]:
        out = []
        for r in requirements:
            doc = have.get(r.slot)
            out.append(ProfileRow(r.slot, r.label, doc, doc is None or service.replaceable(doc, doc.uses),
                                  doc is not None and service.deletable(doc, doc.uses), needed.get(r.slot, [])))
        return out

    own = for_candidate(candidate)
    if "practice" in needed or "practice" in have:
        own.append(Requirement("practice", KINDS["practice"]))
    groups = [ProfileGroup("own", "", "docs-own", rows(own))]
    for kind in ENTRY_MODELS:
        for entry in data.entries[kind]:
            requirements = for_entry(kind, entry)
            groups.append(ProfileGroup(kind, requirements[0].entry, f"docs-{kind}-{entry.id}", rows(requirements)))
    return groups


def _needed_by(candidate, entries: dict[str, list]) -> dict[str, list[str]]:
    """slot -> the subjects of the candidate's live 网上审核 registrations that need it: a draft by the entries
    ticked so far, a submitted one by the documents frozen with it."""
    out: dict[str, list[str]] = {}
    for reg in registrations_of(candidate):
        if not reg.is_live or not online_for(reg):
            continue
        slots = ([r.slot for r in required_for(reg, entries=entries)] if reg.status == DRAFT
                 else [link.slot for link in service.links_of(reg.id)])
        for slot in slots:
            out.setdefault(slot, []).append(reg.subject.name)
    return out


def entry_documents(reg: Registration) -> dict[str, list[tuple[str, bool]]]:
    """The wizard's 教育经历 and 证书 steps of a draft in a 网上审核 region: beside each entry, the documents it
    needs when ticked and whether they are uploaded ("education-3" -> [("毕业证书", True), …]); {} elsewhere."""
    if not online_for(reg):
        return {}
    have = service.current(reg.candidate_id)
    return {f"{kind}-{entry.id}": [(r.label, r.slot in have) for r in for_entry(kind, entry)]
            for kind in ENTRY_MODELS for entry in getattr(reg.candidate, f"{kind}s")}
