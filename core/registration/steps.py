"""The wizard's steps after 选择报考类别: 基本情况, 工作情况, 教育经历和培训经历, 选择证书, 选择考区及考点.

Each step saves what the candidate typed to the profile and what belongs to this registration to its
draft, in one transaction; a refused step saves nothing (the photo excepted: kept once uploaded).
"""
from __future__ import annotations

from sqlalchemy.orm import joinedload

from core import eligibility
from core import validators as v
from core.db import commit_keeping_loaded, db
from core.messages import Msg
from core.models import Candidate, Registration, Site
from core.models.candidate import MILITARY
from core.registration.choices import region_or_none
from core.registration.draft import STEP_NAMES, STEPS, Draft, heading_to
from core.registration.errors import Incomplete, StepRefused
from core.services import audit, photos, profile
from core.services.errors import NotAllowed

def findings_for_step(reg: Registration, step: str, chosen: dict[str, set[int]] | None = None,
                      settings: eligibility.RuleSettings | None = None,
                      rows: tuple | None = None) -> list[eligibility.Finding]:
    """The eligibility findings shown on a step: those of this step and the ones before (each rule
    declares its step in core.eligibility.table); ``chosen``: the entries ticked on the page; ``settings``:
    the year's settings when the caller has read them already; ``rows``: the educations and trainings, when the
    page lists them anyway (else read as ``eligibility.entry_rows``, if the step's rules need them)."""
    return eligibility.check(reg, settings, chosen, upto=step, rows=rows)


def certificate_required(reg: Registration, settings: eligibility.RuleSettings | None = None,
                         rows: tuple | None = None) -> bool:
    """选择证书 required? The same evaluation as submission (the year's routes and switches)."""
    return eligibility.needs_certificate(reg, settings, rows)


# The field a refusal is shown beside, by rule, when the step's page has it (else the step's own field).
REFUSAL_FIELD = {"R9": "permit_number", "R1": "practice_start", "R4": "practice_start", "R10": "training_ids"}
STEP_FIELD = {"basic": "permit_number", "work": "practice_start", "entries": "education_ids",
              "certificates": "certificate_ids"}
PAGE_FIELDS = {"basic": ("permit_number",), "work": ("practice_start",),
               "entries": ("education_ids", "training_ids"), "certificates": ("certificate_ids",)}


def _refuse_findings_of_step(reg: Registration, step: str, chosen: dict[str, set[int]] | None = None) -> None:
    """A step is passed only when no blocking finding shown on it remains: its own and those of the steps
    before (a rule of 工作情况 such as R1 is known once the diploma is ticked at 教育经历); the same
    evaluation, under the same settings, as submission."""
    found = eligibility.blocking(eligibility.check(reg, chosen=chosen, upto=step))
    if found:
        found.sort(key=lambda f: f.step != step)  # the step's own findings first
        field = REFUSAL_FIELD.get(found[0].rule)
        raise StepRefused(found, step, field if field in PAGE_FIELDS[step] else STEP_FIELD[step])


def _finish(reg: Registration, step: str, then: str | None = None, hold: bool = False, **values) -> None:
    """The step is saved: its draft values, done, nothing kept unsaved; committed. ``then``: the step the
    candidate goes to next, recorded in the same commit (its page then writes nothing, draft.go_to_step);
    ``hold``: 提交 follows, and writes the draft with the submission (``Draft.hold``)."""
    draft = Draft.of(reg)
    for key, value in values.items():
        setattr(draft, key, value)
    draft.finish(step)
    if hold:
        draft.hold(reg)
        return
    draft.store(reg)
    if then:
        heading_to(reg, then)
    commit_keeping_loaded()  # 提交 goes on with the registration and the candidate just loaded


def _refuse_or_finish(reg: Registration, step: str, then: str | None) -> None:
    """基本情况 and 工作情况: what was typed is checked by the rules of the step (R9, R1, R4 …) before it is
    kept; a refusal keeps nothing (the photo excepted) and says why beside the field."""
    try:
        _refuse_findings_of_step(reg, step)
    except StepRefused:
        db.session.rollback()
        raise
    _finish(reg, step, then)


def save_basic(reg: Registration, form: dict, photo: bytes | None = None, *, then: str | None = None) -> None:
    """基本情况: contact data, 本人身份, the 往来大陆通行证 for HK/Macau/Taiwan, and the photo."""
    cand = reg.candidate
    check = v.Checker()
    if photo:
        check(photos.save_photo, cand, photo)  # kept even if another field below is refused
    elif not cand.photo_path:
        check.errors["photo"] = "请上传照片（jpg格式文件，不要大于40k）。"
    military = check(v.check_choice, form.get("military_identity"), "military_identity", "本人身份",
                     list(MILITARY))
    permit = None
    if cand.is_hk_macau_taiwan and (form.get("permit_number") or "").strip():
        permit = check(v.check_travel_permit, form.get("permit_number"))
    check(profile.save_contact, cand, form)
    if check.errors:
        db.session.rollback()
        check.done()
    cand.military_identity = military
    if permit:
        cand.permit_number = permit
    _refuse_or_finish(reg, "basic", then)


def save_work(reg: Registration, form: dict, *, then: str | None = None) -> None:
    """工作情况: saved to the profile (title date YYYY-MM, 在岗情况 incl. 当年毕业研究生, 试用期起始)."""
    check = v.Checker()
    check(profile.save_work, reg.candidate, form)
    practice = check(v.check_ym, form.get("practice_start"), "practice_start", required=False)
    if check.errors:
        db.session.rollback()
        check.done()
    reg.candidate.practice_start = practice
    _refuse_or_finish(reg, "work", then)


ENTRY_COLLECTIONS = {"education": "educations", "training": "trainings", "certificate": "certificates"}


def own_ids(kind: str, candidate: Candidate, raw) -> list[int]:
    """The ids in ``raw`` of the candidate's own entries of a kind (others' ids are dropped). Looked up in the
    candidate's entries, which the step's eligibility check loads anyway: no statement of its own."""
    wanted = {v.row_id(x) for x in raw} - {None}
    if not wanted:
        return []
    return sorted(e.id for e in getattr(candidate, ENTRY_COLLECTIONS[kind]) if e.id in wanted)


def _ticked(reg: Registration, **ids) -> dict[str, set[int]]:
    chosen = eligibility.chosen_ids(reg)
    chosen.update({kind: set(values) for kind, values in ids.items()})
    return chosen


def save_entries(reg: Registration, education_ids, training_ids, *, then: str | None = None) -> None:
    """教育经历和培训经历: the entries ticked for this registration (only the candidate's own); refused
    while a finding of this step blocks (a major that does not match the category, R11's diplomas …)."""
    edu = own_ids("education", reg.candidate, education_ids)
    if not edu:
        raise Incomplete("请勾选用于报考的教育经历；若没有，请点击栏目标题右侧的“+”按钮添加。", "entries",
                         "education_ids")
    training = own_ids("training", reg.candidate, training_ids)
    _refuse_findings_of_step(reg, "entries", _ticked(reg, education=edu, training=training))
    _finish(reg, "entries", then, education_ids=edu, training_ids=training)


def save_certificates(reg: Registration, certificate_ids, *, then: str | None = None) -> None:
    """选择证书: passed when no finding of this step blocks (R2, R3 under the year's settings); else
    skippable. A closed route is said at 教育经历 already, and asks for no certificate here."""
    ids = own_ids("certificate", reg.candidate, certificate_ids)
    _refuse_findings_of_step(reg, "certificates", _ticked(reg, certificate=ids))
    _finish(reg, "certificates", then, certificate_ids=ids)


def remember_ticks(reg: Registration, step: str, ticked: dict[str, list]) -> None:
    """Keep what is ticked on the page when the “+” button is pressed (not yet a finished step).

    The ticks on the page are the newest: they replace what keep_unsaved kept for the step.
    """
    draft = Draft.of(reg)
    for kind, raw in ticked.items():
        draft.set_ids(kind, own_ids(kind, reg.candidate, raw))
    draft.unsaved.pop(step, None)
    draft.store(reg)


def keep_ticks(reg: Registration, step: str, ticked: dict[str, list]) -> None:
    """修改 beside an entry: what is ticked on the page is kept (committed) before the entry's form opens."""
    remember_ticks(reg, step, ticked)
    db.session.commit()


def confirm_major(reg: Registration, education_id, major_id, name: str | None, ticked: dict[str, list]) -> None:
    """确认专业 beside an education whose major was typed by hand or left unconfirmed by the migration:
    the major chosen from the dictionary is saved to the profile (audited); what is ticked is kept."""
    remember_ticks(reg, "entries", ticked)
    profile.confirm_major(reg.candidate, education_id, major_id, name)
    db.session.commit()


def add_entry(reg: Registration, kind: str, form: dict, select_it: bool = True):
    """The “+” button: save a new entry to the profile, then tick it here (no need to tick twice)."""
    entry = profile.SAVERS[kind](reg.candidate, form)
    db.session.flush()
    if select_it:
        draft = Draft.of(reg)
        draft.set_ids(kind, [*draft.ids(kind), entry.id])
        draft.store(reg)
    audit.record(f"candidate.{kind}.added", actor_type="candidate", actor_id=reg.candidate_id,
                 actor_name=reg.candidate.username, obj=entry, after={"registration_id": reg.id})
    db.session.commit()
    return entry


# The wizard step that lists each kind of entry (its 修改 button opens the entry's form there).
ENTRY_STEP = {"education": "entries", "training": "entries", "certificate": "certificates"}
AUDITED_FIELDS = {"education": ("school_name", "level", "study_mode", "major", "start_ym", "end_ym",
                                "diploma_number", "apprentice_certificate"),
                  "training": ("training_type_id", "institution", "major", "start_ym", "end_ym",
                               "certificate_number"),
                  "certificate": ("certificate_type_id", "issue_ym", "cert_number", "reg_ym", "reg_number")}


def entry_of_step(reg: Registration, step: str, kind: str, entry_id):
    """The candidate's own entry of a kind the step lists; NotAllowed (a 404) for another's, a missing one or
    a kind the step does not show."""
    if ENTRY_STEP.get(kind) != step:
        raise NotAllowed("找不到该条目。", "id")
    return profile.get_entry(reg.candidate, kind, entry_id)


def edit_entry(reg: Registration, step: str, kind: str, entry_id, form: dict):
    """修改 beside an entry of the wizard: saved to the profile by the 个人信息 centre's own rules
    (core.services.profile: the checks, the lock of 锁定/已验证 entries), audited with what changed, committed.
    The draft is not touched: its ticks and finished steps stay (submission checks everything again)."""
    entry = entry_of_step(reg, step, kind, entry_id)
    before = {f: getattr(entry, f) for f in AUDITED_FIELDS[kind]}
    profile.SAVERS[kind](reg.candidate, form, entry.id)
    after = {f: getattr(entry, f) for f in AUDITED_FIELDS[kind]}
    changed = [f for f in before if before[f] != after[f]]
    audit.record(f"candidate.{kind}.changed", actor_type="candidate", actor_id=reg.candidate_id,
                 actor_name=reg.candidate.username, obj=entry,
                 before={f: before[f] for f in changed}, after={**{f: after[f] for f in changed},
                                                               "registration_id": reg.id})
    db.session.commit()
    return entry


def choose_region(reg: Registration, raw):
    """选择考区: remember the 考区 in the draft (its 考点 are then listed); a 考点 of another 考区 is dropped."""
    region = region_or_none(raw)
    draft = Draft.of(reg)
    if draft.region_id != (region.id if region else None):
        draft.region_id, draft.site_id = (region.id if region else None), None
        draft.store(reg)
        db.session.commit()
    return region


SITE_WITH_REGION = (joinedload(Site.region),)  # a loader option made once (it costs more to make than to use)


def save_site(reg: Registration, form: dict, *, then: str | None = None, hold: bool = False) -> Site:
    """选择考区及考点 and 累计报考次数 (same level and category; 1 for a first attempt); ``hold``: for 提交,
    which writes the draft with the submission (one UPDATE of the registration, not two).

    Returns the site with its region, read in one statement: while the caller holds it, 提交's
    ``session.get`` of the same site finds it in the session instead of reading it again."""
    errors: dict[str, str] = {}
    site_id, raw_region = v.row_id(form.get("site_id")), form.get("region_id")
    site = db.session.get(Site, site_id, options=SITE_WITH_REGION) if site_id else None
    region = (site.region if site is not None and site.region_id == v.row_id(raw_region)
              else region_or_none(raw_region))  # a site of another region (or none): the region alone
    if region is None:
        errors["region_id"] = "请选择考区。"
    elif site is None or site.region_id != region.id:
        errors["site_id"] = "请选择考点。"
    elif site.seats_left <= 0:
        errors["site_id"] = Msg("考点“%(site)s”已报满，请选择其他考点。", site=site.name)
    raw = (form.get("attempts") or "").strip() or "1"
    attempts = int(raw) if raw.isdecimal() and len(raw) <= 3 else 0  # decimal: int() reads it ('²' is a digit)
    if not 1 <= attempts <= 50:
        errors["attempts"] = "累计报考次数请填写1至50之间的整数（首次报考填1）。"
    if errors:  # keep the 考区 chosen so the page shows it again; the step is not passed
        draft = Draft.of(reg)
        draft.region_id = region.id if region else None
        draft.store(reg)
        db.session.commit()
        raise v.FieldErrors(errors)
    _finish(reg, "site", then, hold, region_id=region.id, site_id=site.id, attempts=attempts)
    return site


def first_step_missing(reg: Registration, step: str) -> tuple[str, str] | None:
    """The first step before ``step`` not passed yet (or holding refused input), with what to do; None
    when every step before it is passed. The wizard opens a step only in order."""
    draft = Draft.of(reg)
    for before, label in STEPS[:STEP_NAMES.index(step)]:
        if before in draft.unsaved or before not in draft.done:
            return before, Msg("请先完成“%(label)s”一步。", label=label)
    return None


def missing_steps(reg: Registration) -> list[tuple[str, str]]:
    """Steps still to complete before 提交, in order, each with what is missing."""
    cand, draft = reg.candidate, Draft.of(reg)
    out = []
    if not cand.photo_path:
        out.append(("basic", "请在“基本情况”中上传照片。"))
    for step, label in STEPS:  # every step passed, in order (opening a later step's URL skips none)
        if step in draft.unsaved or step not in draft.done:
            out.append((step, Msg("请完成“%(label)s”一步。", label=label)))
    if not draft.education_ids:
        out.append(("entries", "请在“教育经历和培训经历”中勾选用于报考的教育经历。"))
    if not draft.site_id:
        out.append(("site", "请选择考区及考点。"))
    return out
