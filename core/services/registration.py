"""考试报名: drafts (the wizard), submission and 放弃报考.

A registration starts as a draft (status ``draft``) holding the step reached (``draft_step``) and what
was ticked and chosen (``draft_data``); what the candidate types is saved straight back to the
personal-information centre (core.services.profile). 上一步 never refuses: what a step refuses then is
kept in the draft, not in the profile (``keep_unsaved``). ``submit_registration`` turns the draft into a
submitted registration in one transaction; ``abandon_registration`` gives the seat back once.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from core import eligibility, messages
from core.db import db, to_shanghai, utcnow
from core.messages import Msg
from core.models import (Candidate, Certificate, Education, ExamSubject, ExamYear, Region, Registration,
                         Site, Training)
from core.models.candidate import ENTRY_MODELS
from core.models.registration import LIVE_STATUSES
from core import validators as v
from core.services import audit, entries, profile, seats, snapshot
from core.services.errors import DomainError, NotAllowed

STEPS = (("basic", "基本情况"), ("work", "工作情况"), ("entries", "教育经历和培训经历"),
         ("certificates", "选择证书"), ("site", "选择考区及考点"))
STEP_NAMES = [key for key, _ in STEPS]
# Which step a finding belongs to: the wizard shows it from that step on.
RULE_STEP = {"R8": "basic", "R9": "basic", "R1": "work", "R4": "work", "BASE": "entries", "R5": "entries",
             "R6": "entries", "R7": "entries", "R10": "entries", "R2": "certificates", "R3": "certificates"}


class RegistrationError(DomainError):
    """A registration refused for a reason the candidate can act on."""


class WindowClosed(RegistrationError):
    """The exam year's registration window (网上报名期间) is not open now."""


class SiteFull(RegistrationError):
    """The chosen test site has no seat left."""


class NotEligible(RegistrationError):
    """Submission refused by the eligibility rules; ``findings`` lists every reason."""

    def __init__(self, findings: list[eligibility.Finding]):
        super().__init__("；".join(f.message.rstrip("。") for f in findings) + "。")
        self.findings = findings


class Incomplete(RegistrationError):
    """A step of the wizard still lacks something required."""

    def __init__(self, message: str, step: str, field: str | None = None):
        super().__init__(message, field)
        self.step = step


class AlreadyRegistered(RegistrationError):
    """The candidate already has a live registration for this exam year."""


# --- the registration window --------------------------------------------------------------------

def window_state(year: ExamYear, now=None) -> str:
    """'before', 'open' or 'after', by server time (stored UTC, shown Asia/Shanghai)."""
    now = now or utcnow()
    if now < year.window_opens_at:
        return "before"
    return "open" if now < year.window_closes_at else "after"


def window_text(year: ExamYear) -> str:
    return Msg("%(opens)s 至 %(closes)s", opens=to_shanghai(year.window_opens_at),
               closes=to_shanghai(year.window_closes_at))


def window_message(year: ExamYear, now=None) -> str | None:
    """Why 报名 is not possible now (None while the window is open)."""
    state = window_state(year, now)
    if state == "before":
        return Msg("%(year)s网上报名尚未开始，将于%(opens)s（北京时间）开始。", year=year.name,
                   opens=to_shanghai(year.window_opens_at))
    if state == "after":
        return Msg("%(year)s网上报名已于%(closes)s（北京时间）结束。", year=year.name,
                   closes=to_shanghai(year.window_closes_at))
    return None


def require_window_open(year: ExamYear) -> None:
    message = window_message(year)
    if message:
        raise WindowClosed(message)


# --- 选择报考类别 --------------------------------------------------------------------------------

@dataclass
class SubjectFilter:
    family_id: int | None = None
    level: str | None = None
    category: str | None = None
    route: str | None = None
    q: str | None = None  # code or keyword


def list_subjects(f: SubjectFilter | None = None) -> list[ExamSubject]:
    """Subjects of the exam years whose window is open, coming, or closed in the last 90 days."""
    from datetime import timedelta
    f = f or SubjectFilter()
    stmt = (select(ExamSubject).join(ExamYear).options(contains_eager(ExamSubject.exam_year))
            .where(ExamYear.window_closes_at > utcnow() - timedelta(days=90))
            .order_by(ExamYear.year.desc(), ExamSubject.code))
    if f.family_id:
        stmt = stmt.where(ExamYear.family_id == f.family_id)
    if f.level:
        stmt = stmt.where(ExamSubject.level == f.level)
    if f.category:
        stmt = stmt.where(ExamSubject.category == f.category)
    if f.route:
        stmt = stmt.where(ExamSubject.route == f.route)
    if f.q and f.q.strip():
        like = f"%{f.q.strip()}%"
        stmt = stmt.where(or_(ExamSubject.code.like(like), ExamSubject.name.like(like),
                              ExamSubject.subcategory.like(like)))
    return list(db.session.scalars(stmt))


# --- drafts ---------------------------------------------------------------------------------------

def own_registration(candidate: Candidate, registration_id: int) -> Registration:
    """The candidate's own registration, or NotAllowed (shown as 404: nothing said about others).

    Its exam year and subject come in the same query: every page and the submission read both.
    """
    reg = db.session.get(Registration, registration_id,
                         options=[joinedload(Registration.exam_year), joinedload(Registration.subject)])
    if reg is None or reg.candidate_id != candidate.id:
        raise NotAllowed("找不到该报名。")
    return reg


def own_draft(candidate: Candidate, registration_id: int) -> Registration:
    reg = own_registration(candidate, registration_id)
    if reg.status != "draft":
        raise NotAllowed("该报名已提交，报名信息不提供修改功能。")
    return reg


def registrations_of(candidate: Candidate) -> list[Registration]:
    """Every registration the candidate ever made, newest first (首页, 考试报名 page).

    With the exam year, subject, region and site each page shows, in the same query (not one per row).
    """
    return list(db.session.scalars(
        select(Registration).filter_by(candidate_id=candidate.id)
        .options(joinedload(Registration.exam_year), joinedload(Registration.subject),
                 joinedload(Registration.region), joinedload(Registration.site))
        .order_by(Registration.created_at.desc(), Registration.id.desc())))


def _live_for_year(candidate: Candidate, exam_year_id: int) -> Registration | None:
    return db.session.scalar(select(Registration).where(
        Registration.candidate_id == candidate.id, Registration.exam_year_id == exam_year_id,
        Registration.status.in_(LIVE_STATUSES)))


def start_registration(candidate: Candidate, subject_id: int) -> Registration:
    """开始新的报名 for a subject: a new draft, or the existing draft of that exam year (resumed)."""
    subject = db.session.get(ExamSubject, subject_id)
    if subject is None:
        raise DomainError("请选择报考类别。", "subject_id")
    require_window_open(subject.exam_year)
    live = _live_for_year(candidate, subject.exam_year_id)
    if live is not None and live.status != "draft":
        raise AlreadyRegistered(Msg("您已报名%(year)s（%(subject)s），报名信息不提供修改功能；"
                                    "如需改报，请先“放弃报考”，然后重新“开始新的报名”。",
                                    year=subject.exam_year.name, subject=live.subject.name))
    if live is not None:
        if live.subject_id != subject.id:
            live.subject_id = subject.id
            live.draft_step = "basic"
            db.session.commit()
        return live
    reg = Registration(candidate_id=candidate.id, exam_year_id=subject.exam_year_id, subject_id=subject.id,
                       status="draft", draft_step="basic", draft_data={})
    db.session.add(reg)
    try:
        db.session.commit()
    except IntegrityError:  # another tab created the draft a moment ago
        db.session.rollback()
        return _live_for_year(candidate, subject.exam_year_id)
    return reg


def draft_value(reg: Registration, key: str, default=None):
    return (reg.draft_data or {}).get(key, default)


def _set_draft(reg: Registration, step_done: str, **values) -> None:
    data = dict(reg.draft_data or {})
    data.update(values)
    done = set(data.get("done", []))
    done.add(step_done)
    data["done"] = sorted(done, key=STEP_NAMES.index)
    data["unsaved"] = {k: v for k, v in data.get("unsaved", {}).items() if k != step_done}
    reg.draft_data = data


# What each step's form sends: the part of a refused form the draft keeps (see keep_unsaved).
STEP_FIELDS = {
    "basic": ("military_identity", "permit_number", "mobile", "email", "address", "postcode"),
    "work": ("employment_status", "work_unit_name", "work_unit_id", "department", "title", "title_date",
             "post", "practice_start"),
    "entries": ("education_ids", "training_ids"),
    "certificates": ("certificate_ids",),
    "site": ("region_id", "site_id", "attempts"),
}


def keep_unsaved(reg: Registration, step: str, form: dict[str, list[str]], errors: dict[str, str]) -> None:
    """上一步 from a step the candidate filled in wrongly: it goes back all the same.

    Nothing refused reaches the profile; the draft keeps what was typed and why it was refused, shown
    again on that step until the step is saved (``_set_draft`` drops it then). 提交 waits for it.
    """
    kept = {k: [str(x)[:500] for x in form.get(k, [])][:200] for k in STEP_FIELDS[step]}
    data = dict(reg.draft_data or {})
    stored = {field: messages.dump(message) for field, message in errors.items()}
    data["unsaved"] = {**data.get("unsaved", {}), step: {"form": kept, "errors": stored}}
    reg.draft_data = data
    db.session.commit()


def unsaved(reg: Registration, step: str) -> dict | None:
    """What keep_unsaved kept for a step: ``{"form": {field: [values]}, "errors": {field: message}}``."""
    kept = draft_value(reg, "unsaved", {}).get(step)
    if kept:
        kept = {**kept, "errors": {field: messages.load(m) for field, m in kept["errors"].items()}}
    return kept


def go_to_step(reg: Registration, step: str) -> None:
    """Remember where the candidate is (a closed browser resumes here)."""
    if step in STEP_NAMES and reg.draft_step != step:
        reg.draft_step = step
        db.session.commit()


def findings_for_step(reg: Registration, step: str) -> list[eligibility.Finding]:
    """The eligibility findings shown as warnings on a step: those of this step and the ones before."""
    upto = STEP_NAMES.index(step)
    return [f for f in eligibility.check(reg) if STEP_NAMES.index(RULE_STEP.get(f.rule, "site")) <= upto]


def certificate_required(reg: Registration) -> bool:
    """选择证书 is required when a 中专 graduate applies for an 执业医师 subject (else skippable)."""
    ids = set(draft_value(reg, "education_ids", []))
    levels = {e.level for e in reg.candidate.educations if e.id in ids}
    return (reg.subject.level == "执业医师" and reg.subject.route == "学历"
            and bool(levels) and max(levels, key=eligibility._rank) == "中专")


# --- saving each step -----------------------------------------------------------------------------

def save_basic(reg: Registration, form: dict, photo: bytes | None = None) -> None:
    """基本情况: contact data, 本人身份, the 往来大陆通行证 for HK/Macau/Taiwan, and the photo."""
    from core.models.candidate import MILITARY
    from core.services import photos
    cand = reg.candidate
    check = v.Checker()
    if photo:
        check(photos.save_photo, cand, photo)  # kept even if another field below is refused
    elif not cand.photo_path:
        check.errors["photo"] = "请上传照片（jpg格式文件，不要大于40k）。"
    military = check(v.check_choice, form.get("military_identity"), "military_identity", "本人身份",
                     list(MILITARY))
    permit = None
    if cand.is_hk_macau_taiwan:
        if (form.get("permit_number") or "").strip():
            permit = check(v.check_travel_permit, form.get("permit_number"))
        else:
            check.errors["permit_number"] = "台港澳人士参加医学考试时需要填写往来大陆通行证号码。"
    check(profile.save_contact, cand, form)
    if check.errors:
        db.session.rollback()
        check.done()
    cand.military_identity = military
    if permit:
        cand.permit_number = permit
    _set_draft(reg, "basic")
    db.session.commit()


def save_work(reg: Registration, form: dict) -> None:
    """工作情况: saved to the profile (title date YYYY-MM, 在岗情况 incl. 当年毕业研究生, 试用期起始)."""
    check = v.Checker()
    check(profile.save_work, reg.candidate, form)
    practice = check(v.check_ym, form.get("practice_start"), "practice_start", required=False)
    if check.errors:
        db.session.rollback()
        check.done()
    reg.candidate.practice_start = practice
    _set_draft(reg, "work")
    db.session.commit()


def _own_ids(model, candidate_id: int, raw) -> list[int]:
    wanted = {int(x) for x in raw if str(x).isdigit()}
    if not wanted:
        return []
    return sorted(db.session.scalars(select(model.id).where(model.id.in_(wanted),
                                                            model.candidate_id == candidate_id)))


def save_entries(reg: Registration, education_ids, training_ids) -> None:
    """教育经历和培训经历: the entries ticked for this registration (only the candidate's own)."""
    edu = _own_ids(Education, reg.candidate_id, education_ids)
    if not edu:
        raise Incomplete("请勾选用于报考的教育经历；若没有，请点击栏目标题右侧的“+”按钮添加。", "entries",
                         "education_ids")
    _set_draft(reg, "entries", education_ids=edu,
               training_ids=_own_ids(Training, reg.candidate_id, training_ids))
    db.session.commit()


def save_certificates(reg: Registration, certificate_ids) -> None:
    """选择证书: required for 中专 → 执业医师 (an 执业助理医师 certificate), otherwise skippable."""
    ids = _own_ids(Certificate, reg.candidate_id, certificate_ids)
    if certificate_required(reg):
        chosen = [c for c in reg.candidate.certificates if c.id in ids]
        if not any(c.certificate_type.qualifies_assistant for c in chosen):
            raise Incomplete("以中专学历报考执业医师，需勾选“执业助理医师”证书（“执业助理医师（乡镇）”"
                             "类型不具备报考资格）。", "certificates", "certificate_ids")
    _set_draft(reg, "certificates", certificate_ids=ids)
    db.session.commit()


def remember_ticks(reg: Registration, step: str, ticked: dict[str, list]) -> None:
    """Keep what is ticked on the page when the “+” button is pressed (not yet a finished step).

    The ticks on the page are the newest: they replace what keep_unsaved kept for the step.
    """
    data = dict(reg.draft_data or {})
    for kind, raw in ticked.items():
        data[f"{kind}_ids"] = _own_ids(ENTRY_MODELS[kind], reg.candidate_id, raw)
    data["unsaved"] = {k: v for k, v in data.get("unsaved", {}).items() if k != step}
    reg.draft_data = data


def add_entry(reg: Registration, kind: str, form: dict, select_it: bool = True):
    """The “+” button: save a new entry to the profile, then tick it here (no need to tick twice)."""
    entry = profile.SAVERS[kind](reg.candidate, form)
    db.session.flush()
    if select_it:
        data = dict(reg.draft_data or {})
        data[f"{kind}_ids"] = sorted(set(data.get(f"{kind}_ids", [])) | {entry.id})
        reg.draft_data = data
    audit.record(f"candidate.{kind}.added", actor_type="candidate", actor_id=reg.candidate_id,
                 actor_name=reg.candidate.username, obj=entry, after={"registration_id": reg.id})
    db.session.commit()
    return entry


def regions() -> list[Region]:
    """The 考区 to choose from, in one query (their 考点 are listed once one is chosen)."""
    return list(db.session.scalars(select(Region).order_by(Region.code)))


def sites_of(region_id: int | None) -> list[Site]:
    """The 考点 of one 考区 with their seats left (none before a 考区 is chosen)."""
    if region_id is None:
        return []
    return list(db.session.scalars(select(Site).filter_by(region_id=region_id).order_by(Site.code)))


def region_or_none(raw) -> Region | None:
    return db.session.get(Region, int(raw)) if str(raw or "").isdigit() else None


def choose_region(reg: Registration, raw) -> Region | None:
    """选择考区: remember the 考区 in the draft (its 考点 are then listed); a 考点 of another 考区 is dropped."""
    region = region_or_none(raw)
    data = dict(reg.draft_data or {})
    if data.get("region_id") != (region.id if region else None):
        data.update(region_id=region.id if region else None, site_id=None)
        reg.draft_data = data
        db.session.commit()
    return region


def save_site(reg: Registration, form: dict) -> None:
    """选择考区及考点 and 累计报考次数 (same level and category; 1 for a first attempt)."""
    errors: dict[str, str] = {}
    region = region_or_none(form.get("region_id"))
    site = db.session.get(Site, int(form["site_id"])) if str(form.get("site_id", "")).isdigit() else None
    if region is None:
        errors["region_id"] = "请选择考区。"
    elif site is None or site.region_id != region.id:
        errors["site_id"] = "请选择考点。"
    elif site.seats_left <= 0:
        errors["site_id"] = Msg("考点“%(site)s”已报满，请选择其他考点。", site=site.name)
    raw = (form.get("attempts") or "").strip() or "1"
    attempts = int(raw) if raw.isdigit() else 0
    if not 1 <= attempts <= 50:
        errors["attempts"] = "累计报考次数请填写1至50之间的整数（首次报考填1）。"
    if errors:
        # keep what was chosen so the page shows it again
        _set_draft(reg, "site", region_id=region.id if region else None)
        db.session.commit()
        raise v.FieldErrors(errors)
    _set_draft(reg, "site", region_id=region.id, site_id=site.id, attempts=attempts)
    db.session.commit()


def missing_steps(reg: Registration) -> list[tuple[str, str]]:
    """Steps still to complete before 提交, in order, each with what is missing."""
    cand = reg.candidate
    out = []
    if not cand.photo_path:
        out.append(("basic", "请在“基本情况”中上传照片。"))
    if cand.is_hk_macau_taiwan and not cand.permit_number:
        out.append(("basic", "请在“基本情况”中填写往来大陆通行证号码。"))
    done = set(draft_value(reg, "done", []))
    kept = draft_value(reg, "unsaved", {})
    for step, label in STEPS:
        if step in kept or (step in ("basic", "work") and step not in done):
            out.append((step, Msg("请完成“%(label)s”一步。", label=label)))
    if not draft_value(reg, "education_ids"):
        out.append(("entries", "请在“教育经历和培训经历”中勾选用于报考的教育经历。"))
    if not draft_value(reg, "site_id"):
        out.append(("site", "请选择考区及考点。"))
    return out


# --- 提交 ---------------------------------------------------------------------------------------

def new_submit_token() -> str:
    return secrets.token_urlsafe(24)


def registration_number(year: int, region: Region, registration_id: int) -> str:
    """报名号: exam year + region code + the registration's own id, e.g. 202711000000000123."""
    return f"{year}{region.code}{registration_id:08d}"


def _site_full(site: Site) -> SiteFull:
    return SiteFull(Msg("考点“%(site)s”刚刚已报满，请在“选择考区及考点”中选择其他考点；您填写的报名信息已保存。",
                        site=site.name), "site_id")


def submit_registration(candidate: Candidate, registration_id: int, token: str) -> Registration:
    """提交: validate again, take the seat, lock entries, freeze the snapshot, number, audit — one transaction.

    The same token sent twice (double click, retried request) returns the same registration; a second tab
    finds the draft already submitted. A full site raises SiteFull and leaves the draft as it was.
    """
    if not token or len(token) > 64:
        raise RegistrationError("提交已过期，请刷新页面后再提交。")
    reg = own_registration(candidate, registration_id)
    if reg.status != "draft":
        if reg.submit_token == token or reg.is_live:
            return reg  # a repeat of the request that submitted it, or a second tab
        raise NotAllowed("该报名已放弃，请重新“开始新的报名”。")
    require_window_open(reg.exam_year)
    missing = missing_steps(reg)
    if missing:
        step, message = missing[0]
        raise Incomplete(message, step)
    settings = eligibility.settings_for(reg.exam_year_id)
    findings = eligibility.blocking(eligibility.check(reg, settings))
    if findings:
        raise NotEligible(findings)
    site = db.session.get(Site, draft_value(reg, "site_id"), options=[joinedload(Site.region)])
    if site.seats_left <= 0:  # a cheap early answer; the conditional UPDATE below is the real guard
        raise _site_full(site)
    region = site.region
    ids = eligibility.chosen_ids(reg)
    now = utcnow()
    number = registration_number(reg.exam_year.year, region, reg.id)
    military_unit = settings.on("R8") and candidate.military_identity == "active"
    attempts = int(draft_value(reg, "attempts", 1))
    photo = snapshot.freeze_photo(candidate, number, secrets.token_hex(4))
    try:
        frozen = snapshot.build_snapshot(reg, site=site, number=number, attempts=attempts,
                                         military_unit=military_unit, ids=ids, photo=photo,
                                         submitted_at=now)
        submitted = dict(status="submitted", site_id=site.id, region_id=region.id, number=number,
                         attempts=attempts, military_unit=military_unit, snapshot=frozen, submit_token=token,
                         submitted_at=now, draft_step=None, updated_at=now)
        claimed = db.session.execute(
            update(Registration)
            .where(Registration.id == registration_id, Registration.status == "draft")
            .values(**submitted)
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:  # another tab or a retried request submitted it a moment ago
            db.session.rollback()
            snapshot.discard_frozen_photo(photo)
            return own_registration(candidate, registration_id)
        entries.lock_entries(reg, {k: list(v) for k, v in ids.items()})
        audit.record("registration.submitted", actor_type="candidate", actor_id=candidate.id,
                     actor_name=candidate.username, object_type="registrations", object_id=reg.id,
                     after={"number": number, "subject": frozen["subject"]["code"], "site": site.code})
        # the hot row last: the site's lock is held only for the commit
        if not seats.take_seat(site.id):
            raise _site_full(site)
        db.session.commit()
    except Exception:
        db.session.rollback()
        snapshot.discard_frozen_photo(photo)
        raise
    for key, value in submitted.items():  # what was just committed; no second transaction to read it back
        set_committed_value(reg, key, value)
    return reg


# --- 放弃报考 -----------------------------------------------------------------------------------

def abandon_registration(candidate: Candidate, registration_id: int) -> Registration:
    """放弃报考 while the window is open: the seat back exactly once, entries unlocked, who and when."""
    reg = own_registration(candidate, registration_id)
    require_window_open(reg.exam_year)
    if not reg.is_live:
        raise RegistrationError("该报名已不在有效状态，无需放弃。")
    if reg.status == "draft":
        return _discard_draft(candidate, reg)
    now = utcnow()
    refund = reg.payment_status == "paid"
    result = db.session.execute(
        update(Registration)
        .where(Registration.id == reg.id, Registration.status == reg.status)
        .values(status="abandoned", abandoned_at=now, abandoned_by=f"考生 {candidate.username}",
                updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # a concurrent abandon did it already
        db.session.rollback()
        return own_registration(candidate, registration_id)
    if reg.site_id:
        seats.release_seat(reg.site_id)
        entries.unlock_entries(reg)
    if refund:  # the payment service owns orders and refunds
        from core.payments.service import request_refund
        request_refund(reg, "考生放弃报考", actor_type="candidate", actor_id=candidate.id)
    audit.record("registration.abandoned", actor_type="candidate", actor_id=candidate.id,
                 actor_name=candidate.username, object_type="registrations", object_id=reg.id,
                 after={"number": reg.number, "refund_requested": refund})
    db.session.commit()
    db.session.refresh(reg)
    return reg


def _discard_draft(candidate: Candidate, reg: Registration) -> Registration:
    """放弃 a draft: it holds no seat, number or locked entry (and the check "submitted means complete" has no
    place for an abandoned registration without them), so the draft row and its draft data are deleted.
    Returns the registration as it was, detached, for the page's message."""
    reg.subject  # noqa: B018 (loaded now: the message names it)
    result = db.session.execute(delete(Registration).where(Registration.id == reg.id, Registration.status == "draft")
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # submitted or discarded meanwhile (another tab)
        db.session.rollback()
        raise RegistrationError("该报名刚刚已提交或已放弃，请刷新页面后查看。")
    audit.record("registration.draft_discarded", actor_type="candidate", actor_id=candidate.id,
                 actor_name=candidate.username, object_type="registrations", object_id=reg.id,
                 after={"subject_id": reg.subject_id})
    db.session.expunge(reg)
    db.session.commit()
    return reg
