"""Which documents a registration needs for 网上资格审核, derived from the candidate, the entries it uses and
the eligibility rules that apply to its subject (core.eligibility), never from a fixed list.

Each requirement is a ``slot``: ``kind`` alone for the candidate (identity, military, practice) or
``kind:entry_kind:entry_id`` for one entry, so a document uploaded once serves every registration using it.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.eligibility.reading import chosen_ids, facts_for
from core.eligibility.year_settings import settings_for
from core.eligibility.routes import route_of
from core.eligibility.table import BY_ID
from core.models.candidate import ENTRY_MODELS

KINDS = {
    "id_front": "身份证件（人像面）", "id_back": "身份证件（国徽面）", "id_page": "身份证件（证件页）",
    "military": "所在部队出具的现役军人证明", "practice": "试用期考核证明（由工作单位出具）",
    "diploma": "毕业证书", "chsi": "教育部学历证书电子注册备案表", "apprentice": "出师证或确有专长证明",
    "training_done": "住院医师规范化培训合格证书", "training_ongoing": "在培证明",
    "certificate": "证书",
}
TWO_SIDED = ("id_card", "residence_permit")


@dataclass(frozen=True)
class Requirement:
    slot: str
    label: str  # what to upload, e.g. 毕业证书
    entry: str = ""  # which entry, e.g. 北京大学 本科 临床医学 (empty for the candidate's own)

    @property
    def full_label(self) -> str:
        return f"{self.label}（{self.entry}）" if self.entry else self.label


def required_for(reg, chosen: dict[str, set[int]] | None = None, entries: dict[str, list] | None = None
                 ) -> list[Requirement]:
    """The documents of a registration (a draft: the entries ticked so far) in the order shown. entries: kind ->
    the candidate's entries when the caller has read them already (个人信息: core.services.profile_page)."""
    cand = reg.candidate
    chosen = chosen or chosen_ids(reg)
    out = for_candidate(cand)
    if _practice_rule_applies(reg, chosen):
        out.append(Requirement("practice", KINDS["practice"]))
    for kind, model in ENTRY_MODELS.items():
        for entry in entries[kind] if entries is not None else getattr(cand, f"{kind}s"):
            if entry.id in chosen.get(kind, ()):
                out += for_entry(kind, entry)
    return out


def for_candidate(cand) -> list[Requirement]:
    """The candidate's own documents every registration needs: the identity document (both sides of a card),
    and the unit's certificate of an active serviceman."""
    out: list[Requirement] = []
    if cand.doc_type in TWO_SIDED:
        out += [Requirement("id_front", KINDS["id_front"]), Requirement("id_back", KINDS["id_back"])]
    else:
        out.append(Requirement("id_page", KINDS["id_page"]))
    if cand.military_identity == "active":
        out.append(Requirement("military", KINDS["military"]))
    return out


def for_entry(kind: str, entry) -> list[Requirement]:
    """The proof of one entry (毕业证书 and 备案表 of an education, …) when a registration uses it."""
    slot = lambda k: f"{k}:{kind}:{entry.id}"  # noqa: E731
    if kind == "education":
        where = " ".join(x for x in (entry.school_name, entry.level or entry.study_mode, entry.major) if x)
        if entry.study_mode in ("师承", "确有专长"):
            return [Requirement(slot("apprentice"), KINDS["apprentice"], where)]
        return [Requirement(slot("diploma"), KINDS["diploma"], where), Requirement(slot("chsi"), KINDS["chsi"], where)]
    if kind == "training":
        done = bool(entry.end_ym) and bool(entry.certificate_number)
        key = "training_done" if done else "training_ongoing"
        return [Requirement(slot(key), KINDS[key], f"{entry.institution} {entry.training_type.name}")]
    name = entry.certificate_type.name
    return [Requirement(slot("certificate"), name, f"编号 {entry.cert_number}")]


def _practice_rule_applies(reg, chosen) -> bool:
    """试用期考核证明: when R1 or R4 (years of practice) applies to this subject's route and is switched on;
    a graduating postgraduate exempt from R1 needs none."""
    facts = facts_for(reg, chosen)
    settings = settings_for(reg.exam_year)
    route = route_of(facts)
    for rule_id in ("R1", "R4"):
        rule = BY_ID[rule_id]
        if not settings.on(rule_id) or route is None or route.code not in rule.routes:
            continue
        if rule_id == "R1" and settings.p("R1", "exempt_graduating_postgraduate") \
                and facts.employment_status == "当年毕业研究生":
            continue
        return True
    return False


def slot_belongs_to(candidate, slot: str) -> bool:
    """A slot names one of the candidate's own entries (or a candidate-level kind): never another's."""
    parts = slot.split(":")
    if len(parts) == 1:
        return parts[0] in ("id_front", "id_back", "id_page", "military", "practice")
    if len(parts) != 3 or parts[1] not in ENTRY_MODELS or not parts[2].isdecimal():
        return False
    kinds = {"education": ("diploma", "chsi", "apprentice"), "training": ("training_done", "training_ongoing"),
             "certificate": ("certificate",)}[parts[1]]
    return parts[0] in kinds and any(e.id == int(parts[2]) for e in getattr(candidate, f"{parts[1]}s"))
