"""Factories: small functions that build valid objects; tests override only what they are about.

Candidates (with a photo and an education: ``ready_candidate``), the exam catalogue and its fees, the
dictionaries, drafts and submitted registrations, staff users. Shared fixtures are in tests/fixtures/, other
helpers in tests/support/.
"""
from __future__ import annotations

import io
import itertools
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from PIL import Image
from werkzeug.security import generate_password_hash

from core.db import db, utcnow
from core.models import (Candidate, CertificateType, Education, ExamFamily, ExamSubject, ExamYear, Fee, Region,
                         PrivacyConsent, Registration, RegistrationEntry, School, Site, StaffScope, StaffSecurity,
                         TrainingType, WorkUnit)
from core.models.candidate import ENTRY_MODELS
from core.pinyin import initials
from core.privacy.notice import NOTICE_VERSION
from core.registration.draft import STEP_NAMES, Draft
from core.services import passwords

_seq = itertools.count(1)
PASSWORD = "Kaoshi#2027pass"
STAFF_PASSWORD = "Kaowu#2027-Strong"
STAFF_PASSWORD_HASH = generate_password_hash(STAFF_PASSWORD)  # hashed once: scrypt is slow on purpose


def id_number(birth: str = "19900307", seq: str = "123") -> str:
    """A valid 18-digit 居民身份证 number (GB 11643 checksum) for the given birth date."""
    body = "110105" + birth + seq
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def make_candidate(consent: bool = True, verified: bool = True, **kw) -> Candidate:
    """A candidate; ``consent`` (default): who has agreed to the current privacy notice; ``verified``
    (default): the mobile number and e-mail address given were verified with a code (they receive messages)."""
    n = next(_seq)
    values = dict(username=f"kaosheng{n}", password_hash=passwords.hash_secret(PASSWORD),
                  name="张三", sex="M", birth_date=date(1990, 3, 7), doc_type="id_card",
                  doc_number=id_number(seq=f"{n % 1000:03d}"), nationality="中国", ethnic_group="汉族",
                  mobile="13800138000")
    values.update(kw)
    if verified:
        for column in ("mobile", "email"):
            if values.get(column):
                values.setdefault(f"{column}_verified_at", utcnow())
    while "doc_number" not in kw and db.session.scalar(  # skip numbers a test chose by hand
            db.select(Candidate.id).filter_by(doc_number=values["doc_number"])):
        n = next(_seq)
        values["doc_number"] = id_number(seq=f"{n % 1000:03d}")
    cand = Candidate(**values)
    db.session.add(cand)
    db.session.flush()
    if consent:
        db.session.add(PrivacyConsent(candidate_id=cand.id, notice_version=NOTICE_VERSION, sensitive=True))
        db.session.flush()
    return cand


def make_catalogue(capacity: int = 50, window_open: bool = True) -> dict:
    """One exam year (window open now unless told otherwise), two subjects, a region with a site."""
    now = utcnow()
    opens, closes = ((now - timedelta(days=1), now + timedelta(days=13)) if window_open
                     else (now + timedelta(days=10), now + timedelta(days=24)))
    fam = ExamFamily(code=f"physician{next(_seq)}", name="医师资格考试")
    year = ExamYear(family=fam, year=2027, name="2027年医师资格考试", window_opens_at=opens,
                    window_closes_at=closes, cutoff_date=date(2027, 8, 31))
    clinical = ExamSubject(exam_year=year, code="110", name="临床执业医师", category="临床",
                           level="执业医师", route="学历", written_units=4, extra_units="军事医学")
    assistant = ExamSubject(exam_year=year, code="210", name="临床执业助理医师", category="临床",
                            level="执业助理医师", route="学历", written_units=2, extra_units="军事医学")
    region = Region(code=f"11{next(_seq):04d}", name=f"北京市{next(_seq)}", online_payment_open=True,
                    payment_deadline=now + timedelta(days=20))
    site = Site(region=region, code=f"S{next(_seq):05d}", name="东城区考点", capacity=capacity)
    db.session.add_all([fam, year, clinical, assistant, region, site])
    db.session.flush()
    return dict(family=fam, year=year, subject=clinical, assistant_subject=assistant,
                region=region, site=site)


def login(client, candidate: Candidate, password: str = PASSWORD):
    """Log a candidate in through the real login form (with its CSRF token)."""
    from tests.support.web import csrf_token_from
    page = client.get("/login")
    return client.post("/login", data={"username": candidate.username, "password": password,
                                        "csrf_token": csrf_token_from(page.get_data(as_text=True))})


def login_as(client, candidate: Candidate) -> None:
    """Log a candidate in without the form (for tests about other pages), as after the first page: the
    session remembers the candidate's agreement to the current privacy notice, if given."""
    from core.privacy.notice import has_current_consent
    from core.services.sessions import open_session
    token = open_session(candidate, "127.0.0.1")
    db.session.commit()
    with client.session_transaction() as sess:
        sess["sid"] = token
        if has_current_consent(candidate.id):
            sess["privacy_notice"] = NOTICE_VERSION


def sample_snapshot(candidate: Candidate, cat: dict, number: str, attempts: int = 1) -> dict:
    """The frozen application (报名申请表 data), schema version 1 — what registration.submit writes.

    Keys: version, number, exam_year{year,name}, subject{code,name,category,level,route},
    extra_units[list], region{code,name}, site{code,name,address}, attempts,
    candidate{name,sex,birth_date,doc_type,doc_type_label,doc_number,nationality,ethnic_group,
    permit_number,military_identity}, contact{mobile,email,address,postcode},
    work{work_unit,work_unit_manual,department,title,title_date,post,employment_status},
    educations[{school_name,level (None for 师承/确有专长),study_mode,major,start_ym,end_ym,diploma_number,
    apprentice_certificate}],
    trainings[{type,institution,major,start_ym,end_ym,certificate_number}],
    certificates[{type,issue_ym,cert_number,reg_ym,reg_number}], photo (path relative to PHOTO_DIR
    or None), submitted_at (ISO 8601, Asia/Shanghai).
    """
    subject, site = cat["subject"], cat["site"]
    return {
        "version": 1, "number": number,
        "exam_year": {"year": cat["year"].year, "name": cat["year"].name},
        "subject": {"code": subject.code, "name": subject.name, "category": subject.category,
                    "level": subject.level, "route": subject.route},
        "extra_units": ["军事医学"] if candidate.military_identity == "active" else [],
        "region": {"code": cat["region"].code, "name": cat["region"].name},
        "site": {"code": site.code, "name": site.name, "address": site.address},
        "attempts": attempts,
        "candidate": {"name": candidate.name, "sex": "男" if candidate.sex == "M" else "女",
                      "birth_date": candidate.birth_date.isoformat(), "doc_type": candidate.doc_type,
                      "doc_type_label": "居民身份证", "doc_number": candidate.doc_number,
                      "nationality": candidate.nationality, "ethnic_group": candidate.ethnic_group,
                      "permit_number": candidate.permit_number, "military_identity": "非现役军人"},
        "contact": {"mobile": candidate.mobile, "email": candidate.email, "address": candidate.address,
                    "postcode": candidate.postcode},
        "work": {"work_unit": "北京协和医院", "work_unit_manual": False, "department": "内科",
                 "title": "住院医师", "title_date": "2020-07", "post": None, "employment_status": "在岗"},
        "educations": [{"school_name": "北京大学", "level": "本科", "study_mode": "全日制",
                        "major": "临床医学", "start_ym": "2010-09", "end_ym": "2015-07",
                        "diploma_number": "100011201505000123", "apprentice_certificate": None}],
        "trainings": [], "certificates": [], "photo": None,
        "submitted_at": "2027-01-05T10:00:00+08:00",
    }


def make_registration(candidate: Candidate | None = None, cat: dict | None = None, *,
                      status: str = "submitted", take_seat: bool = True, **kw):
    """A submitted registration with its snapshot, its seat taken (as registration.submit leaves it)."""
    from core.models import Registration
    candidate = candidate or make_candidate()
    cat = cat or make_catalogue()
    number = kw.pop("number", f"2027{cat['region'].code[:2]}{next(_seq):08d}")
    reg = Registration(candidate_id=candidate.id, exam_year_id=cat["year"].id,
                       subject_id=cat["subject"].id, region_id=cat["region"].id,
                       site_id=cat["site"].id, status=status, number=number,
                       snapshot=sample_snapshot(candidate, cat, number),
                       submitted_at=utcnow(), **kw)
    if take_seat and status in ("submitted", "approved"):
        cat["site"].taken += 1
    db.session.add(reg)
    db.session.flush()
    return reg


def set_entry_state(state: str, *entries) -> Registration | None:
    """Put the candidate's entries in ``state`` the real way: ``locked`` — a new live submitted registration
    uses them (returned); ``verified`` — a reviewer's tick (its time); ``editable`` — neither."""
    kind_of = {model: kind for kind, model in ENTRY_MODELS.items()}
    for entry in entries:
        entry.verified_at = utcnow() if state == "verified" else None
    reg = None
    if state == "locked":
        reg = make_registration(db.session.get(Candidate, entries[0].candidate_id))
        db.session.add_all(RegistrationEntry(registration_id=reg.id, **{f"{kind_of[type(e)]}_id": e.id})
                           for e in entries)
    db.session.flush()
    db.session.expire_all()  # their state is derived: read again
    return reg


# --- photos --------------------------------------------------------------------------------------

def jpeg(width: int = 120, height: int = 150, quality: int = 85, exif: bytes | None = None,
         colour=(200, 120, 80)) -> bytes:
    """A small valid JPEG (a passport photo's proportions unless told otherwise)."""
    out = io.BytesIO()
    img = Image.new("RGB", (width, height), colour)
    kwargs = {"quality": quality}
    if exif is not None:
        kwargs["exif"] = exif
    img.save(out, "JPEG", **kwargs)
    return out.getvalue()


def store_photo() -> str:
    relative = "test/photo.jpg"
    path = Path(current_app.config["PHOTO_DIR"]) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg())
    return relative


# --- dictionaries --------------------------------------------------------------------------------

def dictionaries() -> dict:
    """培训类型 and 证书类型 as the authority configures them."""
    found = {t.name: t for t in db.session.scalars(db.select(TrainingType))}
    if not found:
        db.session.add_all([TrainingType(code="zyy", name="住院医师规范化培训", selectable_for_physician=True),
                            TrainingType(code="jx", name="进修")])
        db.session.add_all([CertificateType(code="zl", name="执业助理医师", qualifies_assistant=True),
                            CertificateType(code="zlxz", name="执业助理医师（乡镇）")])
        db.session.flush()
    out = {t.name: t for t in db.session.scalars(db.select(TrainingType))}
    out.update({c.name: c for c in db.session.scalars(db.select(CertificateType))})
    return out


SCHOOLS = [("4111010001", "北京大学", "北京市", "本科"), ("4111010023", "首都医科大学", "北京市", "本科"),
           ("4150010631", "重庆医科大学", "重庆市", "本科"), ("4122010161", "长春中医药大学", "吉林省", "本科"),
           ("4135010384", "厦门大学", "福建省", "本科"), ("4111010003", "清华大学", "北京市", "本科"),
           ("4111012345", "北京卫生职业学院", "北京市", "专科")]


def make_dictionaries() -> dict:
    """Schools, work units, training and certificate types, as the authority would load them."""
    schools = [School(code=c, name=n, province=p, level=lv, initials=initials(n)) for c, n, p, lv in SCHOOLS]
    units = [WorkUnit(name="北京协和医院", licence_code="PDY00001X11010517A1001", initials=initials("北京协和医院")),
             WorkUnit(name="重庆医科大学附属第一医院", licence_code="45038411050011211A1001",
                      initials=initials("重庆医科大学附属第一医院"))]
    residency = TrainingType(code="residency", name="住院医师规范化培训", selectable_for_physician=True)
    other = TrainingType(code="other", name="进修培训")
    assistant = CertificateType(code="assistant", name="执业助理医师", qualifies_assistant=True)
    township = CertificateType(code="assistant_township", name="执业助理医师（乡镇）")
    db.session.add_all([*schools, *units, residency, other, assistant, township])
    db.session.commit()
    return {"schools": {s.name: s for s in schools}, "units": units, "residency": residency,
            "other_training": other, "assistant": assistant, "township": township}


# --- drafts, ready to submit ---------------------------------------------------------------------

def ready_candidate(**kw):
    """A candidate whose profile has everything a 临床执业医师 registration needs."""
    values = dict(photo_path=store_photo(), employment_status="在岗", work_unit_name="北京协和医院",
                  department="内科", title="住院医师", title_date="2020-07", practice_start="2020-07",
                  email="zhang@example.com", address="北京市东城区", postcode="100005")
    values.update(kw)
    cand = make_candidate(**values)
    db.session.add(Education(candidate_id=cand.id, school_name="北京大学", level="本科", study_mode="全日制",
                             major="临床医学", major_category="临床医学类", start_ym="2010-09",
                             end_ym="2015-07", diploma_number="100011201505000123"))
    db.session.flush()
    return cand


def ready_draft(cand, cat, site=None) -> Registration:
    """A draft with every step done, at `site` (the catalogue's site by default)."""
    site = site or cat["site"]
    edu = [e.id for e in cand.educations]
    reg = Registration(candidate_id=cand.id, exam_year_id=cat["year"].id, subject_id=cat["subject"].id,
                       draft_step="site")
    Draft(done=list(STEP_NAMES), education_ids=edu, region_id=site.region_id, site_id=site.id).store(reg)
    db.session.add(reg)
    db.session.flush()
    return reg


_race_seq = itertools.count(1)


def many_drafts(cat, n: int) -> list[tuple[int, int]]:
    """n candidates, each with a finished draft for the catalogue's site: [(candidate_id, draft_id)]."""
    photo = store_photo()
    out = []
    for _ in range(n):
        k = next(_race_seq)  # built directly: the factory's password hashing would take minutes here
        cand = Candidate(username=f"race{k}", password_hash="x", name="李四", sex="F", birth_date=date(1992, 5, 1),
                         doc_type="passport", doc_number=f"P{k:08d}", photo_path=photo, employment_status="在岗",
                         practice_start="2020-07", mobile="13900139000", address="北京")
        db.session.add(cand)
        db.session.flush()
        db.session.add(Education(candidate_id=cand.id, school_name="北京大学", level="本科", major="临床医学",
                                 major_category="临床医学类", start_ym="2010-09", end_ym="2015-07",
                                 diploma_number="D1"))
        db.session.flush()
        out.append((cand.id, ready_draft(cand, cat).id))
    db.session.commit()
    return out


# --- fees ----------------------------------------------------------------------------------------

def add_fees(cat, registration=30000, skills=50000, written_unit=6000, subject=None):
    """The region's fee schedule for ``subject`` (the catalogue's subject by default), amounts in fen."""
    subject = subject or cat["subject"]
    for item, amount in (("registration", registration), ("skills", skills), ("written_unit", written_unit)):
        db.session.add(Fee(region_id=cat["region"].id, subject_id=subject.id, item=item, amount_fen=amount))
    db.session.flush()


def setup_reg(session, **region):
    """A submitted registration in a catalogue with fees (region settings overridden by ``region``), committed."""
    cat = make_catalogue()
    add_fees(cat)
    for key, value in region.items():
        setattr(cat["region"], key, value)
    reg = make_registration(cat=cat)
    session.commit()
    return reg


# --- staff ---------------------------------------------------------------------------------------

_staff_seq = itertools.count(1)


def make_staff(admin_app, role: str, *, regions=(), sites=(), totp_secret: str | None = None,
               username: str | None = None):
    """A FAB user with one role and StaffScope rows (regions: whole regions, sites: single sites; objects or
    ids). Password: STAFF_PASSWORD. Returns (user id, username)."""
    with admin_app.app_context():
        sm = admin_app.appbuilder.sm
        name = username or f"staff{next(_staff_seq)}"
        user = sm.add_user(name, "考务", "人员", f"{name}@example.cn", sm.find_role(role),
                           hashed_password=STAFF_PASSWORD_HASH)
        assert user, "add_user failed"
        for region in regions:
            db.session.add(StaffScope(user_id=user.id, region_id=getattr(region, "id", region)))
        for site in sites:
            db.session.add(StaffScope(user_id=user.id, site_id=getattr(site, "id", site)))
        if totp_secret:
            db.session.add(StaffSecurity(user_id=user.id, totp_secret=totp_secret, must_change_password=False,
                                         failed_logins=0))
        db.session.commit()
        return user.id, name


# --- 考场编排 (issue 18) ----------------------------------------------------------------------------

def make_sessions(cat: dict) -> dict:
    """The year's 医学综合 sessions (执业: 4 units over two days, 助理: 2) and a 军事医学 session."""
    from core.models import ExamSession
    day = datetime(2027, 8, 21, 1, 0)  # 09:00 Asia/Shanghai
    rows = [ExamSession(exam_year_id=cat["year"].id, part="written", level="执业医师", name=f"第{n}单元",
                        starts_at=day + timedelta(days=(n - 1) // 2, hours=5 * ((n - 1) % 2)),
                        ends_at=day + timedelta(days=(n - 1) // 2, hours=5 * ((n - 1) % 2) + 2, minutes=30))
            for n in range(1, 5)]
    rows.append(ExamSession(exam_year_id=cat["year"].id, part="written", level="执业助理医师", name="第一单元",
                            starts_at=day, ends_at=day + timedelta(hours=2, minutes=30)))
    rows.append(ExamSession(exam_year_id=cat["year"].id, part="military", name="军事医学",
                            starts_at=day + timedelta(days=2), ends_at=day + timedelta(days=2, hours=1)))
    db.session.add_all(rows)
    db.session.flush()
    return {"physician": rows[:4], "assistant": rows[4:5], "military": rows[5]}


def make_skills_sessions(cat: dict) -> dict:
    """The year's 实践技能 sessions at the bases (June): one for 执业医师, one for 执业助理医师."""
    from core.models import ExamSession
    day = datetime(2027, 6, 12, 0, 30)  # 08:30 Asia/Shanghai
    rows = [ExamSession(exam_year_id=cat["year"].id, part="skills", level="执业医师", name="实践技能（执业）",
                        starts_at=day, ends_at=day + timedelta(hours=3)),
            ExamSession(exam_year_id=cat["year"].id, part="skills", level="执业助理医师", name="实践技能（助理）",
                        starts_at=day + timedelta(days=1), ends_at=day + timedelta(days=1, hours=3))]
    db.session.add_all(rows)
    db.session.flush()
    return {"physician": rows[:1], "assistant": rows[1:]}


def make_rooms(site, sessions: list, *capacities: int, accessible=(), start: int = 1) -> list:
    """Rooms numbered from ``start`` hosting ``sessions``; ``accessible``: indexes of 无障碍 rooms."""
    from core.models import ExamRoom
    rooms = [ExamRoom(site_id=site.id, number=start + i, capacity=cap, address="教学楼A座", floor=f"{i + 1}层",
                      accessible=i in accessible, sessions=list(sessions)) for i, cap in enumerate(capacities)]
    db.session.add_all(rooms)
    db.session.flush()
    return rooms


def arranged_registrations(cat: dict, n: int, **kw) -> list:
    """n approved and paid registrations at the catalogue's site (what the arrangement places)."""
    return [make_registration(cat=cat, status="approved", payment_status="paid", **kw) for _ in range(n)]


def png(width: int = 300, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 200)).save(out, "PNG")
    return out.getvalue()


def pdf(pages: int = 1, *, javascript: bool = False, attachment: bool = False, password: str | None = None) -> bytes:
    """A scanned-looking PDF of ``pages`` pages; optionally with JavaScript, an embedded file or a password."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject
    out = io.BytesIO()
    images = [Image.new("RGB", (595, 842), (255, 255, 255 - 20 * i)) for i in range(pages)]
    images[0].save(out, "PDF", save_all=True, append_images=images[1:])
    if not (javascript or attachment or password):
        return out.getvalue()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(out.getvalue())))
    if javascript:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})
    if attachment:
        writer.add_attachment("run.exe", b"MZ\x90\x00")
    if password:
        writer.encrypt(password)
    result = io.BytesIO()
    writer.write(result)
    return result.getvalue()


# --- 网上资格审核 ----------------------------------------------------------------------------------

def make_review_mode(cat, mode: str = "online", correction_days: int = 5):
    from core.models import ReviewMode
    today = date.today()
    row = ReviewMode(region_id=cat["region"].id, exam_year_id=cat["year"].id, mode=mode,
                     review_start=today - timedelta(days=1), review_end=today + timedelta(days=30),
                     correction_days=correction_days)
    db.session.add(row)
    db.session.flush()
    return row


def upload_required(reg, data: bytes | None = None) -> list:
    """Upload a JPEG for every document the registration needs (core.documents)."""
    from core.documents import service
    from core.documents.required import required_for
    return [service.upload(reg.candidate, r.slot, data or jpeg(800, 600)) for r in required_for(reg)]


def staff_user(staff: tuple[int, str]):
    """The FAB user of an (id, name) pair from make_staff."""
    from flask_appbuilder.security.sqla.models import User
    return db.session.get(User, staff[0])
