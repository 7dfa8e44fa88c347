"""The reviewer's page of a 网上审核 case, put together: each entry the registration uses beside the documents
that prove it (an education with its 毕业证书 and 学历证书电子注册备案表, a certificate with its scan …), so what
was entered and what was uploaded are compared side by side.

A document's ``slot`` names what it proves (core.documents.required): ``kind:entry_kind:entry_id`` for an
entry, or a candidate-level kind — the identity documents and a 现役军人 certificate prove 本人身份 (the frozen
application's), a 试用期考核证明 the 工作情况. An entry with no document still appears (nothing to compare);
a document whose entry the registration no longer names goes under 其他材料.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.models import Registration, RegistrationDocument
from core.models.candidate import ENTRY_LABELS
from core.services.audit import mask_document
from core.services.review import used_entries

IDENTITY_KINDS = ("id_front", "id_back", "id_page", "military")


@dataclass
class EntryGroup:
    key: str  # "identity", "work", "education:12", "other": also the HTML anchor (entry-…)
    title: str  # 本人身份, 教育经历, …
    facts: list[tuple[str, str]]  # what was entered, as (label, value)
    links: list[RegistrationDocument] = field(default_factory=list)
    entry: object | None = None  # the education / training / certificate (its verification tick)


def _ym(start: str | None, end: str | None) -> str:
    return f"{start or ''} 至 {end or '今'}"


def _education(e) -> list[tuple[str, str]]:
    facts = [("学校", e.school_name + ("（手工填写）" if e.school_manual else "")),
             ("学历 / 学习形式", f"{e.level or '—'} / {e.study_mode}"), ("专业", e.major), ("起止", _ym(e.start_ym, e.end_ym))]
    if e.apprentice_certificate:
        return facts + [("出师证或确有专长证明编号", e.apprentice_certificate)]
    return facts + [("毕业证书编号", e.diploma_number or "—")]


def _training(t) -> list[tuple[str, str]]:
    return [("培训类型", t.training_type.name), ("培训基地", t.institution), ("专业", t.major or "—"),
            ("起止", _ym(t.start_ym, t.end_ym)), ("合格证书编号", t.certificate_number or "—（在培）")]


def _certificate(x) -> list[tuple[str, str]]:
    return [("证书类型", x.certificate_type.name), ("证书编号", x.cert_number), ("发证年月", x.issue_ym),
            ("注册年月 / 注册编号", f"{x.reg_ym or '—'} / {x.reg_number or '—'}")]


FACTS = {"education": _education, "training": _training, "certificate": _certificate}


def entry_groups(reg: Registration, links: list[RegistrationDocument]) -> list[EntryGroup]:
    """The groups of the review page, in order: 本人身份, 工作情况 (when a document proves it), then the entries
    the registration uses (教育, 培训, 证书), then 其他材料 (if any)."""
    snap = reg.snapshot or {}
    person, work = snap.get("candidate") or {}, snap.get("work") or {}
    identity = EntryGroup("identity", "本人身份", [
        ("姓名", person.get("name") or reg.candidate.name),
        ("性别 / 出生日期", f"{person.get('sex') or '—'} / {person.get('birth_date') or '—'}"),
        ("证件", f"{person.get('doc_type_label') or ''} {mask_document(person.get('doc_number')) or ''}".strip()),
        ("本人身份", person.get("military_identity") or "—")])
    work_group = EntryGroup("work", "工作情况", [
        ("工作单位", work.get("work_unit") or "—"), ("科室", work.get("department") or "—"),
        ("在岗情况", work.get("employment_status") or "—")])
    groups = {"identity": identity}
    for kind, entries in used_entries(reg).items():
        for entry in entries:
            if entry is not None:
                groups[f"{kind}:{entry.id}"] = EntryGroup(f"{kind}:{entry.id}", ENTRY_LABELS[kind],
                                                          FACTS[kind](entry), entry=entry)
    other = EntryGroup("other", "其他材料", [])
    for link in links:
        parts = link.slot.split(":")
        if parts[0] in IDENTITY_KINDS:
            target = identity
        elif parts[0] == "practice":
            target = groups.setdefault("work", work_group)
        else:
            target = groups.get(":".join(parts[1:3]), other)
        target.links.append(link)
    order = ["identity", "work", *(k for k in groups if ":" in k)]
    return [groups[k] for k in order if k in groups] + ([other] if other.links else [])
