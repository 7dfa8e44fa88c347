"""个人信息: 联系方式, 工作情况 and the 教育经历 / 培训经历 / 证书情况 lists.

The same save functions serve the personal-information centre and the registration wizard:
each checks its input (DomainError/FieldErrors with the field name), checks ownership and the
lock, and changes the session without committing; the caller commits once (提交).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core import validators as v
from core.db import db, get_named, utcnow
from core.messages import Msg
from core.models import (Candidate, Certificate, CertificateType, Education, School, Training,
                         TrainingType, WorkUnit)
from core.models.candidate import APPRENTICE_MODES, EDUCATION_LEVELS, EMPLOYMENT, ENTRY_MODELS, STUDY_MODES
from core.services import audit, contact_codes, majors
from core.services.errors import DomainError, NotAllowed

LOCKED_MESSAGE = ("该条目已在报名申请中使用并被锁定，不可修改或删除；"
                  "可通过“放弃报考”相关报考项目来解锁。")
VERIFIED_MESSAGE = "该条目已通过验证（对勾标记），作为可信数据使用，不可修改或删除。"


def ensure_editable(entry) -> None:
    """Refuse any change to a locked (锁定) or verified (已验证) entry."""
    if entry.state == "locked":
        raise DomainError(LOCKED_MESSAGE, "id")
    if entry.state == "verified":
        raise DomainError(VERIFIED_MESSAGE, "id")


def get_entry(candidate: Candidate, kind: str, entry_id) -> Education | Training | Certificate:
    """The candidate's own entry, or NotAllowed (another candidate's id looks like a missing one)."""
    model, entry_id = ENTRY_MODELS.get(kind), v.row_id(entry_id)
    entry = db.session.get(model, entry_id) if model and entry_id else None
    if entry is None or entry.candidate_id != candidate.id:
        raise NotAllowed("找不到该条目。", "id")
    return entry


# --- 联系方式 ---------------------------------------------------------------------------------

def check_contact(data: dict) -> dict:
    check = v.Checker()
    out = {"mobile": check(v.check_mobile, data.get("mobile")),
           "email": check(v.check_email, data.get("email")),
           "address": check(v.check_text, data.get("address"), "address", "通讯地址", max_len=200),
           "postcode": check(v.check_postcode, data.get("postcode"))}
    check.done()
    return out


def save_contact(candidate: Candidate, data: dict) -> None:
    """A changed mobile number or e-mail address must be verified again (core/services/contact_codes.py)."""
    for key, value in check_contact(data).items():
        contact_codes.contact_changed(candidate, key, value)
        setattr(candidate, key, value)


# --- 工作情况 ---------------------------------------------------------------------------------

def check_work(data: dict) -> dict:
    """Work unit from the picker (work_unit_id) or typed by hand (flagged work_unit_manual)."""
    check = v.Checker()
    status = check(v.check_choice, data.get("employment_status"), "employment_status", "在岗情况",
                   EMPLOYMENT)
    unit_name = check(v.check_text, data.get("work_unit_name"), "work_unit_name", "工作单位",
                      max_len=100, required=status == "在岗")
    unit = _work_unit(data.get("work_unit_id"), unit_name)
    out = {"employment_status": status,
           "work_unit_id": unit.id if unit else None,
           "work_unit_name": unit.name if unit else unit_name,
           "work_unit_manual": bool(unit_name) and unit is None,
           "department": check(v.check_text, data.get("department"), "department", "科室",
                               max_len=60, required=False),
           "title": check(v.check_text, data.get("title"), "title", "职称", max_len=40,
                          required=False),
           "title_date": check(v.check_ym, data.get("title_date"), "title_date", required=False),
           "post": check(v.check_text, data.get("post"), "post", "职务", max_len=40,
                         required=False)}
    check.done()
    return out


def _work_unit(unit_id, name: str | None) -> WorkUnit | None:
    """The dictionary unit the picker chose, if its name still matches what the field shows."""
    if not name:
        return None
    unit = get_named(WorkUnit, unit_id)
    if unit is not None and unit.name == name:
        return unit
    return db.session.scalar(db.select(WorkUnit).filter_by(name=name).limit(1))


def save_work(candidate: Candidate, data: dict) -> None:
    for key, value in check_work(data).items():
        setattr(candidate, key, value)


# --- 教育经历 / 培训经历 / 证书情况 --------------------------------------------------------------

def _school(school_id, name: str | None) -> School | None:
    if not name:
        return None
    school = get_named(School, school_id)
    if school is not None and school.name == name:
        return school
    return db.session.scalar(db.select(School).filter_by(name=name).limit(1))


def _period(check: v.Checker, data: dict, start_key: str, end_key: str, *, end_future_ok: bool):
    start = check(v.check_ym, data.get(start_key), start_key)
    end = check(v.check_ym, data.get(end_key), end_key, required=False, future_ok=end_future_ok)
    check(v.check_ym_order, start, end, end_key)
    return start, end


def check_education(data: dict) -> dict:
    """An education entry. 师承 / 确有专长 have no diploma level: they record the certificate of
    apprenticeship or expertise instead. The 专业 is chosen from the majors dictionary (its R7 category
    comes with it) or typed by hand, then flagged for the reviewer."""
    check = v.Checker()
    name = check(v.check_text, data.get("school_name"), "school_name", "毕业学校", max_len=100)
    school = _school(data.get("school_id"), name)
    start, end = _period(check, data, "start_ym", "end_ym", end_future_ok=True)
    mode = check(v.check_choice, data.get("study_mode"), "study_mode", "学习形式", STUDY_MODES)
    apprentice = mode in APPRENTICE_MODES
    level = None if apprentice else check(v.check_choice, data.get("level"), "level", "学历", EDUCATION_LEVELS)
    major_name = check(v.check_text, data.get("major"), "major", "专业", max_len=60)
    major = None if apprentice else majors.resolve_major(data.get("major_id"), major_name, level)
    out = {"school_id": school.id if school else None, "school_name": name,
           "school_manual": bool(name) and school is None, "level": level, "study_mode": mode,
           "major": major_name, "major_id": major.id if major else None,
           "major_category": major.category if major else None,
           "major_manual": bool(major_name) and major is None and not apprentice, "major_unconfirmed": False,
           "start_ym": start, "end_ym": end,
           "diploma_number": None if apprentice else check(
               v.check_text, data.get("diploma_number"), "diploma_number", "毕业证书编号", max_len=40,
               required=False),
           "apprentice_certificate": check(
               v.check_text, data.get("apprentice_certificate"), "apprentice_certificate",
               "出师证或确有专长证明编号", max_len=40, required=True) if apprentice else None}
    check.done()
    return out


def _dictionary_id(model, value, field: str, label: str) -> int:
    row = get_named(model, value)
    if row is None:
        raise DomainError(Msg("请选择%(label)s。", label=label), field)
    return row.id


def check_training(data: dict) -> dict:
    check = v.Checker()
    start, end = _period(check, data, "start_ym", "end_ym", end_future_ok=True)
    out = {"training_type_id": check(_dictionary_id, TrainingType, data.get("training_type_id"),
                                     "training_type_id", "培训类型"),
           "institution": check(v.check_text, data.get("institution"), "institution", "培训基地",
                                max_len=100),
           "major": check(v.check_text, data.get("major"), "major", "培训专业", max_len=60,
                          required=False),
           "start_ym": start, "end_ym": end,
           "certificate_number": check(v.check_text, data.get("certificate_number"),
                                       "certificate_number", "培训证书编号", max_len=40,
                                       required=False)}
    check.done()
    return out


def check_certificate(data: dict) -> dict:
    check = v.Checker()
    issue = check(v.check_ym, data.get("issue_ym"), "issue_ym")
    reg = check(v.check_ym, data.get("reg_ym"), "reg_ym", required=False)
    if issue and reg and reg < issue:
        check.errors.setdefault("reg_ym", "注册年月不能早于发证年月。")
    out = {"certificate_type_id": check(_dictionary_id, CertificateType,
                                        data.get("certificate_type_id"), "certificate_type_id",
                                        "证书类型"),
           "issue_ym": issue,
           "cert_number": check(v.check_text, data.get("cert_number"), "cert_number", "证书编号",
                                max_len=40),
           "reg_ym": reg,
           "reg_number": check(v.check_text, data.get("reg_number"), "reg_number", "注册编号",
                               max_len=40, required=False)}
    if out["reg_number"] and not reg:
        check.errors.setdefault("reg_ym", "填写了注册编号时请填写注册年月。")
    check.done()
    return out


CHECKS = {"education": check_education, "training": check_training, "certificate": check_certificate}


def _save_entry(kind: str, candidate: Candidate, data: dict, entry_id=None):
    entry = None
    if entry_id:
        entry = get_entry(candidate, kind, entry_id)
        ensure_editable(entry)
    clean = CHECKS[kind](data)
    if entry is None:
        entry = ENTRY_MODELS[kind](candidate_id=candidate.id)
        db.session.add(entry)
    for key, value in clean.items():
        setattr(entry, key, value)
    return entry


def save_education(candidate: Candidate, data: dict, entry_id=None) -> Education:
    """Add (entry_id None) or change one of the candidate's 教育经历; caller commits."""
    return _save_entry("education", candidate, data, entry_id)


def save_training(candidate: Candidate, data: dict, entry_id=None) -> Training:
    return _save_entry("training", candidate, data, entry_id)


def save_certificate(candidate: Candidate, data: dict, entry_id=None) -> Certificate:
    return _save_entry("certificate", candidate, data, entry_id)


SAVERS = {"education": save_education, "training": save_training, "certificate": save_certificate}


def delete_entry(candidate: Candidate, kind: str, entry_id) -> None:
    """The delete icon: only the owner's editable entries go."""
    entry = get_entry(candidate, kind, entry_id)
    ensure_editable(entry)
    db.session.delete(entry)


def confirm_major(candidate, education_id, major_id, name: str | None) -> Education:
    """确认专业 (the wizard's 教育经历 step): an education whose major was typed by hand or left unconfirmed
    by migration 0009e takes a major chosen from the dictionary, of its level's catalogue; audited;
    the caller commits. A locked or verified entry is refused (as any change to it)."""
    entry = get_entry(candidate, "education", education_id)
    ensure_editable(entry)
    if entry.study_mode in APPRENTICE_MODES:
        raise DomainError("师承或确有专长的经历不需要确认专业。", "major")
    major = majors.resolve_major(major_id, (name or "").strip(), entry.level)
    if major is None:
        raise DomainError(Msg("请从专业目录中选择与学历“%(level)s”相符的专业（输入拼音首字母、汉字或专业代码后在列表中选择）。",
                              level=entry.level), "major")
    if major.level != majors.CATALOGUE_OF_LEVEL.get(entry.level):
        raise DomainError(Msg("专业“%(major)s”属于%(catalogue)s专业目录，与学历“%(level)s”不符：请重新选择。",
                              major=major.name, catalogue=major.level, level=entry.level), "major")
    before = {"major": entry.major, "major_category": entry.major_category}
    entry.major, entry.major_id, entry.major_category = major.name, major.id, major.category
    entry.major_manual = entry.major_unconfirmed = False
    audit.record("candidate.education.major_confirmed", actor_type="candidate", actor_id=candidate.id,
                 actor_name=candidate.username, obj=entry, before=before,
                 after={"major": major.name, "major_category": major.category, "code": major.code})
    return entry


# --- 提交: the whole personal-information centre at once -------------------------------------

@dataclass
class ProfileSubmission:
    """What the 个人信息 page posts: two groups and three lists (rows keep their own ``id``)."""

    contact: dict = field(default_factory=dict)
    work: dict = field(default_factory=dict)
    rows: dict[str, list[dict]] = field(default_factory=lambda: {k: [] for k in ENTRY_MODELS})
    deleted: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in ENTRY_MODELS})


def save_profile(candidate: Candidate, sub: ProfileSubmission) -> None:
    """提交: everything or nothing. FieldErrors names each refused field (``education-2-start_ym``)."""
    check = v.Checker()
    check(save_contact, candidate, sub.contact)
    check(save_work, candidate, sub.work)
    for kind in ENTRY_MODELS:
        for entry_id in sub.deleted[kind]:
            check(delete_entry, candidate, kind, entry_id)
        for index, row in enumerate(sub.rows[kind]):
            check.prefix = f"{kind}-{index}-"
            check(SAVERS[kind], candidate, row, row.get("id") or None)
        check.prefix = ""
    if check.errors:
        db.session.rollback()
        check.done()
    candidate.profile_completed_at = candidate.profile_completed_at or utcnow()
    audit.record("candidate.profile.updated", actor_type="candidate", actor_id=candidate.id,
                 actor_name=candidate.username, obj=candidate,
                 after={"rows": {k: len(r) for k, r in sub.rows.items()},
                        "deleted": {k: len(d) for k, d in sub.deleted.items()}})
    db.session.commit()


def typed_errors(sub: ProfileSubmission) -> dict[str, str]:
    """The messages about what the candidate typed (a bad 获取职称年月, a 毕业年月 before 入学年月), without
    saving: the page keeps their red frames when 选择… or “+” reloads it. Empty required fields wait for 提交."""
    check = v.Checker()
    check(check_contact, sub.contact)
    check(check_work, sub.work)
    for kind, checker in CHECKS.items():
        for index, row in enumerate(sub.rows[kind]):
            check.prefix = f"{kind}-{index}-"
            check(checker, row)
    typed = {**sub.contact, **sub.work, **{f"{kind}-{index}-{key}": value for kind, rows in sub.rows.items()
                                           for index, row in enumerate(rows) for key, value in row.items()}}
    return {name: message for name, message in check.errors.items() if str(typed.get(name) or "").strip()}
