"""The rules' inputs from the database: a year's settings, a registration's facts, its verdict."""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import bindparam, inspect, literal, null, select, union_all

from core.db import db
from core.eligibility.facts import CertificateFact, EducationFact, Facts, Finding, TrainingFact
from core.eligibility.table import RULES, RuleSettings, certificate_required, evaluate
from core.eligibility.year_settings import settings_for
from core.models import Education, Training, TrainingType
from core.models.candidate import ENTRY_MODELS
from core.registration.draft import STEP_NAMES, Draft
from core.registration.states import DRAFT


# By wizard step: whether a finding shown there reads the entries (no rule of 基本情况 does; a route, known
# from the diplomas, is shown from 教育经历 on).
_ENTRY_FACTS = {"educations", "trainings", "certificates"}
_READS_ENTRIES = {step: any(_ENTRY_FACTS & set(r.reads) for r in RULES if STEP_NAMES.index(r.step) <= i)
                  or i >= STEP_NAMES.index("entries") for i, step in enumerate(STEP_NAMES)}


class EducationRow(NamedTuple):
    """What the rules and the frozen application read of an 教育经历 (``entry_rows``)."""
    id: int
    school_name: str
    level: str | None
    study_mode: str
    major: str
    major_category: str | None
    major_unconfirmed: bool
    major_manual: bool
    state: str
    start_ym: str
    end_ym: str | None
    diploma_number: str | None
    apprentice_certificate: str | None


class TrainingTypeRow(NamedTuple):
    name: str
    selectable_for_physician: bool


class TrainingRow(NamedTuple):
    """What the rules and the frozen application read of a 培训经历, its type as ``training_type``."""
    id: int
    institution: str
    major: str | None
    start_ym: str
    end_ym: str | None
    certificate_number: str | None
    training_type: TrainingTypeRow


# 提交: the candidate's educations and trainings (with their types) as rows, in one statement built once,
# instead of two collections loaded as objects; in each kind the order of Candidate.educations / .trainings.
# A training's institution and certificate number come in the columns named school_name and diploma_number.
_E, _T, _TT = Education, Training, TrainingType
_ENTRY_ROWS = union_all(
    select(literal("education").label("kind"), _E.id, _E.school_name, _E.level, _E.study_mode, _E.major,
           _E.major_category, _E.major_unconfirmed, _E.major_manual, _E.state, _E.start_ym, _E.end_ym,
           _E.diploma_number, _E.apprentice_certificate, null().label("type_name"), null().label("selectable"))
    .where(_E.candidate_id == bindparam("candidate_id")),
    select(literal("training"), _T.id, _T.institution, null(), null(), _T.major, null(), null(), null(), null(),
           _T.start_ym, _T.end_ym, _T.certificate_number, null(), _TT.name, _TT.selectable_for_physician)
    .join(_TT, _TT.id == _T.training_type_id).where(_T.candidate_id == bindparam("candidate_id")),
).order_by("kind", "start_ym", "id")


def entry_rows(candidate_id: int) -> tuple[tuple[EducationRow, ...], tuple[TrainingRow, ...]]:
    """The candidate's educations and trainings as rows (``facts_for``'s and the snapshot's ``entries``)."""
    educations, trainings = [], []
    for row in db.session.execute(_ENTRY_ROWS, {"candidate_id": candidate_id}):
        if row.kind == "education":
            educations.append(EducationRow(*row[1:14]))
        else:
            trainings.append(TrainingRow(row.id, row.school_name, row.major, row.start_ym, row.end_ym,
                                         row.diploma_number, TrainingTypeRow(row.type_name, row.selectable)))
    return tuple(educations), tuple(trainings)


def education_label(e) -> str:
    return f"{e.school_name} {e.level or e.study_mode}"


def _major_flag(e) -> str | None:
    if e.major_unconfirmed and e.state != "verified":  # a reviewer's tick settles it
        return "unconfirmed"
    return "manual" if e.major_manual else None


def education_fact(e, selected: bool) -> EducationFact:
    return EducationFact(label=education_label(e), level=e.level, study_mode=e.study_mode, major=e.major,
                         major_category=e.major_category, major_flag=_major_flag(e), start_ym=e.start_ym,
                         diploma_number=e.diploma_number, selected=selected)


def facts_for(registration, chosen: dict[str, set[int]] | None = None, entries: bool = True,
              rows: tuple | None = None) -> Facts:
    """Facts of a registration: the profile as it is now plus the entries ticked in the draft (or used);
    ``chosen`` replaces those ids (a step checking what is ticked on its page before saving it); ``entries``
    False: without the 教育经历, 培训经历 and 证书 (not read); ``rows``: the educations and trainings as
    ``entry_rows`` read them, instead of the candidate's collections."""
    cand, subject = registration.candidate, registration.subject
    chosen = chosen or chosen_ids(registration)
    if entries and rows is None:  # the collections if the page has read one, else both kinds in one statement
        loaded = inspect(cand).dict
        rows = ((cand.educations, cand.trainings) if "educations" in loaded or "trainings" in loaded
                else entry_rows(cand.id))
    educations, trainings = rows if entries else ((), ())
    if not entries:
        chosen = {kind: () for kind in chosen}  # no certificate either
    return Facts(
        level=subject.level, category=subject.category, subcategory=subject.subcategory, route=subject.route,
        cutoff=registration.exam_year.cutoff_date, year=registration.exam_year.year,
        educations=tuple(education_fact(e, e.id in chosen["education"]) for e in educations),
        trainings=tuple(TrainingFact(label=f"{t.institution} {t.training_type.name}",
                                     type_name=t.training_type.name,
                                     selectable_for_physician=t.training_type.selectable_for_physician,
                                     selected=t.id in chosen["training"])
                        for t in trainings),
        certificates=tuple(CertificateFact(type_name=c.certificate_type.name,
                                           qualifies_assistant=c.certificate_type.qualifies_assistant,
                                           issue_ym=c.issue_ym, cert_number=c.cert_number,
                                           reg_ym=c.reg_ym, reg_number=c.reg_number)
                           for c in (cand.certificates if chosen["certificate"] else ())
                           if c.id in chosen["certificate"]),
        employment_status=cand.employment_status, practice_start=cand.practice_start,
        military=cand.military_identity == "active", hk_macau_taiwan=cand.is_hk_macau_taiwan,
        permit_number=cand.permit_number,
    )


def chosen_ids(registration) -> dict[str, set[int]]:
    """Entry ids ticked in a draft (draft_data) or used by a submitted registration (its entries)."""
    if registration.status == DRAFT:
        draft = Draft.of(registration)
        return {kind: set(draft.ids(kind)) for kind in ENTRY_MODELS}
    out: dict[str, set[int]] = {kind: set() for kind in ENTRY_MODELS}
    for entry in registration.entries:
        for kind in out:
            if getattr(entry, f"{kind}_id"):
                out[kind].add(getattr(entry, f"{kind}_id"))
    return out


def check(registration, settings: RuleSettings | None = None, chosen: dict[str, set[int]] | None = None,
          upto: str | None = None, rows: tuple | None = None) -> list[Finding]:
    """The verdict for a registration under its exam year's settings (wizard, submission, reviewer); ``upto``:
    only the findings a wizard step shows (its own and the earlier steps'), read from the facts they need;
    ``rows``: the educations and trainings already read (``entry_rows``, or the candidate's collections)."""
    if upto is None:
        return evaluate(facts_for(registration, chosen, rows=rows),
                        settings or settings_for(registration.exam_year))
    last = STEP_NAMES.index(upto)
    facts = facts_for(registration, chosen, entries=_READS_ENTRIES[upto], rows=rows)
    return [f for f in evaluate(facts, settings or settings_for(registration.exam_year))
            if STEP_NAMES.index(f.step) <= last]


def needs_certificate(registration, settings: RuleSettings | None = None, rows: tuple | None = None) -> bool:
    """选择证书 required? By the same evaluation as submission (the year's routes and switches)."""
    return certificate_required(facts_for(registration, rows=rows), settings or settings_for(registration.exam_year))
