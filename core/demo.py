"""The demonstration data, loaded idempotently in one transaction (`flask --app wsgi demo load`).

Every row is found by its natural key (a code, a username ...) and added or updated in place, so a
second run adds nothing. The data lives in core/data/demo_*.py; this module only writes it.
"""
from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from core.data import demo_catalogue as cat
from core.data.demo_people import CANDIDATE_PASSWORD, CANDIDATES, STAFF
from core.data.demo_regions import FEE_COLLECTION_NOTES, REGIONS
from core.data.demo_schools import SCHOOLS
from core.data.majors import MAJORS
from core.data.ethnic_groups import ETHNIC_GROUPS
from core.data.provinces import province_of_school_code
from core.db import SHANGHAI, db, shanghai_to_utc
from core.models import (Candidate, Certificate, CertificateType, Education, EligibilityRouteSetting,
                         EligibilityRuleSetting, EthnicGroup, Major, ExamFamily, ExamSubject, ExamYear, Fee, Region, School, Site,
                         StaffScope, StaffSecurity, Training, TrainingType, WorkUnit)
from core.pinyin import initials
from core.services import audit, passwords
from core.services.errors import DomainError
from core.services.majors import CATALOGUE_OF_LEVEL, major_values
from core.services.upsert import upsert
from core.validators import id_check_char



@functools.lru_cache(maxsize=64)
def _password_matches(stored_hash: str | None, password: str) -> bool:
    """A slow hash check, remembered: a repeated load need not redo it."""
    return bool(stored_hash) and passwords.verify(stored_hash, password)


def id_number(area: str, birth: date, seq: str) -> str:
    """居民身份证 number: area + birth date + sequence (odd last digit: male) + GB 11643 check character."""
    body = f"{area}{birth:%Y%m%d}{seq}"
    return body + id_check_char(body)


class Upserter:
    """The rows of one table by natural key: ``put`` adds a row or updates it in place, and counts."""

    def __init__(self, model, *keys: str, where=None):
        self.model, self.keys = model, keys
        stmt = select(model) if where is None else select(model).where(where)
        self.rows = {self._key(o): o for o in db.session.scalars(stmt)}
        self.added: set = set()
        self.changed: set = set()
        self.loaded: set = set()  # the demo's own rows, whatever else the table holds

    def _key(self, obj) -> tuple:
        return tuple(getattr(obj, k) for k in self.keys)

    def put(self, **values):
        key = tuple(values[k] for k in self.keys)
        self.loaded.add(key)
        obj, outcome = upsert(self.model, self.rows.get(key), values)
        self.rows[key] = obj
        if outcome == "added":
            self.added.add(key)
        elif outcome == "updated":
            self.changed.add(key)
        return obj

    def touch(self, obj) -> None:
        """Count a change made outside ``put`` (a password reset, a role)."""
        if self._key(obj) not in self.added:
            self.changed.add(self._key(obj))


def load() -> dict[str, Upserter]:
    """Write every demo row (no commit): returns the upserters, by label, for the counts."""
    today = datetime.now(SHANGHAI).date()
    at = lambda days, hour: shanghai_to_utc(datetime.combine(today + timedelta(days=days), time(hour)))  # noqa: E731
    done: dict[str, Upserter] = {}
    subjects = _load_catalogue(done, at)
    regions = _load_regions(done, at, subjects)
    _load_dictionaries(done)
    done["后台账号"] = _load_staff(regions, done["考点"])
    done["考生"] = _load_candidates(regions, done["工作单位"], done["院校"], done["培训类型"], done["证书类型"],
                                  done["专业"])
    return done


def _load_catalogue(done: dict[str, Upserter], at) -> list[ExamSubject]:
    """医师资格考试 2027: the window (open around today), subjects, rule settings."""
    done["考试"] = Upserter(ExamFamily, "code")
    family = done["考试"].put(**cat.FAMILY)
    db.session.flush()
    done["考试年度"] = Upserter(ExamYear, "family_id", "year")
    year = done["考试年度"].put(
        family_id=family.id, year=cat.YEAR, name=cat.YEAR_NAME, cutoff_date=cat.CUTOFF,
        window_opens_at=at(-cat.WINDOW_DAYS_BEFORE, 8), window_closes_at=at(cat.WINDOW_DAYS_AFTER, 17))
    db.session.flush()
    subjects_up = done["报考类别"] = Upserter(ExamSubject, "exam_year_id", "code")
    subjects = [subjects_up.put(exam_year_id=year.id, code=code, name=name, category=category,
                                subcategory=sub, level=level, route=route,
                                written_units=cat.WRITTEN_UNITS[level], extra_units=cat.EXTRA_UNIT)
                for code, name, category, sub, level, route in cat.SUBJECTS]
    rules = done["资格规则"] = Upserter(EligibilityRuleSetting, "exam_year_id", "rule")
    for rule, params in cat.RULES.items():
        rules.put(exam_year_id=year.id, rule=rule, enabled=True, params=params)
    routes = done["报考途径"] = Upserter(EligibilityRouteSetting, "exam_year_id", "route")
    for route, is_open in cat.ROUTES.items():
        routes.put(exam_year_id=year.id, route=route, open=is_open)
    return subjects


def _load_regions(done: dict[str, Upserter], at, subjects: list[ExamSubject]) -> dict[str, Region]:
    """考区 with payment settings, their 考点, hospitals (工作单位) and fee schedule."""
    regions_up = done["考区"] = Upserter(Region, "code")
    regions, closed = {}, 0
    for code, name, _tier, paying, _sites, _units in REGIONS:
        note = None if paying else FEE_COLLECTION_NOTES[closed % len(FEE_COLLECTION_NOTES)]
        closed += not paying
        regions[code] = regions_up.put(code=code, name=name, online_payment_open=paying,
                                       payment_deadline=at(cat.PAYMENT_DAYS_AFTER, 17) if paying else None,
                                       fee_collection_note=note)
    db.session.flush()
    sites_up = done["考点"] = Upserter(Site, "code")
    units_up = done["工作单位"] = Upserter(WorkUnit, "name", "region_id")
    fees = done["收费标准"] = Upserter(Fee, "region_id", "subject_id", "item")
    for code, name, tier, _paying, sites, units in REGIONS:
        region = regions[code]
        for number, (city, capacity) in enumerate(sites, 1):
            site_code = f"{code[:2]}{number:02d}"
            taken = sites_up.rows[(site_code,)].taken if (site_code,) in sites_up.rows else 0
            sites_up.put(code=site_code, region_id=region.id, name=f"{city}考点",
                         address=f"{name}{city}卫生健康委员会",
                         capacity=max(capacity, taken))
        for unit in units:
            units_up.put(name=unit, region_id=region.id, initials=initials(unit))
        prices = cat.FEE_TIERS[tier]
        for subject in subjects:
            for item, amount in (("registration", prices["registration"]),
                                 ("skills", prices["skills"][subject.category]),
                                 ("written_unit", prices["written_unit"])):
                fees.put(region_id=region.id, subject_id=subject.id, item=item, amount_fen=amount)
    return regions


def _load_dictionaries(done: dict[str, Upserter]) -> None:
    schools = done["院校"] = Upserter(School, "code")
    for code, name, city, department, level in SCHOOLS:
        schools.put(code=code, name=name, province=province_of_school_code(code), city=city,
                    department=department, level=level, remark=None, initials=initials(name))
    majors = done["专业"] = Upserter(Major, "code")
    for row in MAJORS:
        majors.put(**major_values(*row))
    trainings = done["培训类型"] = Upserter(TrainingType, "code")
    for code, name, selectable in cat.TRAINING_TYPES:
        trainings.put(code=code, name=name, selectable_for_physician=selectable)
    certificates = done["证书类型"] = Upserter(CertificateType, "code")
    for code, name, qualifies in cat.CERTIFICATE_TYPES:
        certificates.put(code=code, name=name, qualifies_assistant=qualifies)
    ethnic = done["民族"] = Upserter(EthnicGroup, "code")
    for code, name in ETHNIC_GROUPS:
        ethnic.put(code=code, name=name)
    db.session.flush()


def _load_staff(regions: dict[str, Region], sites_up: Upserter) -> Upserter:
    users = Upserter(User, "username", where=User.username.in_([s[0] for s in STAFF]))
    for username, password, role_name, scope, first, last in STAFF:
        role = db.session.scalar(select(Role).where(Role.name == role_name))
        if role is None:
            raise DomainError(f"后台角色“{role_name}”不存在：请先运行 flask --app wsgi db upgrade。")
        user = users.put(username=username, first_name=first, last_name=last,
                         email=f"{username}@example.com", active=True)
        if not _password_matches(user.password, password):
            user.password = generate_password_hash(password)
            users.touch(user)
        if list(user.roles) != [role]:
            user.roles = [role]
            users.touch(user)
        db.session.flush()
        security = db.session.get(StaffSecurity, user.id) or StaffSecurity(user_id=user.id)
        if security.must_change_password or security.failed_logins or security.locked_until:
            users.touch(user)
        security.must_change_password, security.failed_logins, security.locked_until = False, 0, None
        db.session.add(security)
        wanted = (None, None) if scope is None else (
            (regions[scope[1]].id, None) if scope[0] == "region" else (None, sites_up.rows[(scope[1],)].id))
        current = db.session.scalars(select(StaffScope).where(StaffScope.user_id == user.id)).all()
        if [(s.region_id, s.site_id) for s in current] != ([] if scope is None else [wanted]):
            for row in current:
                db.session.delete(row)
            if scope is not None:
                db.session.add(StaffScope(user_id=user.id, region_id=wanted[0], site_id=wanted[1]))
            users.touch(user)
    return users


def _load_candidates(regions, units_up, schools, trainings, certificates, majors) -> Upserter:
    people = Upserter(Candidate, "username", where=Candidate.username.in_([c["username"] for c in CANDIDATES]))
    db.session.flush()
    major_ids = {(m.name, m.level): m for m in majors.rows.values()}
    school_ids = {s.name: s.id for s in schools.rows.values()}
    training_ids = {t.name: t.id for t in trainings.rows.values()}
    cert_ids = {c.name: c.id for c in certificates.rows.values()}
    good_hash = None
    for spec in CANDIDATES:
        spec = dict(spec)
        entries = {k: spec.pop(k, []) for k in ("educations", "trainings", "certificates")}
        area, seq = spec.pop("id_area", None), spec.pop("id_seq", None)
        if spec["doc_type"] == "id_card":
            spec["doc_number"] = id_number(area, spec["birth_date"], seq)
        unit_key = spec.pop("work_unit")
        unit = units_up.rows[(unit_key[1], regions[unit_key[0]].id)] if unit_key else None
        cand = people.put(**spec, nationality="中国", work_unit_id=unit.id if unit else None,
                          work_unit_name=unit.name if unit else None, work_unit_manual=False)
        if not _password_matches(cand.password_hash, CANDIDATE_PASSWORD):
            # one slow hash for every demo candidate (same password)
            cand.password_hash = good_hash = good_hash or passwords.hash_secret(CANDIDATE_PASSWORD)
            people.touch(cand)
        db.session.flush()
        educations = Upserter(Education, "start_ym", "level", where=Education.candidate_id == cand.id)
        for e in entries["educations"]:
            major = major_ids.get((e["major"], CATALOGUE_OF_LEVEL.get(e["level"])))
            educations.put(candidate_id=cand.id, school_id=school_ids.get(e["school"]), school_name=e["school"],
                           school_manual=e["school"] not in school_ids, level=e["level"], study_mode="全日制",
                           major=e["major"], major_id=major.id if major else None,
                           major_category=major.category if major else None, major_manual=major is None,
                           start_ym=e["start_ym"],
                           end_ym=e["end_ym"], diploma_number=e["diploma_number"])
        training_rows = Upserter(Training, "start_ym", where=Training.candidate_id == cand.id)
        for t in entries["trainings"]:
            training_rows.put(candidate_id=cand.id, training_type_id=training_ids[t["type"]],
                              institution=t["institution"], major=t["major"], start_ym=t["start_ym"],
                              end_ym=t["end_ym"], certificate_number=t["certificate_number"])
        cert_rows = Upserter(Certificate, "cert_number", where=Certificate.candidate_id == cand.id)
        for c in entries["certificates"]:
            cert_rows.put(candidate_id=cand.id, certificate_type_id=cert_ids[c["type"]], issue_ym=c["issue_ym"],
                          cert_number=c["cert_number"], reg_ym=c["reg_ym"], reg_number=c["reg_number"])
        if any(u.added or u.changed for u in (educations, training_rows, cert_rows)):
            people.touch(cand)
    return people


def load_demo() -> dict[str, Upserter]:
    """Load (or refresh in place) every demo row in one transaction, with its audit entry
    (`flask --app wsgi demo load`); returns the upserters, by label, for the counts."""
    try:
        done = load()
        added = sum(len(u.added) for u in done.values())
        updated = sum(len(u.changed) for u in done.values())
        audit.record("demo.loaded", actor_type="system", object_type="demo",
                     after={"added": added, "updated": updated})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return done
