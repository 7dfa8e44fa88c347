"""Factories: small functions that build valid objects; tests override only what they are about."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from werkzeug.security import generate_password_hash

from core.db import db, utcnow
from core.models import (Candidate, ExamFamily, ExamSubject, ExamYear, Region, Site)

_seq = itertools.count(1)
PASSWORD = "Kaoshi#2027pass"


def id_number(birth: str = "19900307", seq: str = "123") -> str:
    """A valid 18-digit 居民身份证 number (GB 11643 checksum) for the given birth date."""
    body = "110105" + birth + seq
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def make_candidate(**kw) -> Candidate:
    n = next(_seq)
    values = dict(username=f"kaosheng{n}", password_hash=generate_password_hash(PASSWORD),
                  name="张三", sex="M", birth_date=date(1990, 3, 7), doc_type="id_card",
                  doc_number=id_number(seq=f"{n % 1000:03d}"), nationality="中国", ethnic_group="汉族",
                  mobile="13800138000")
    values.update(kw)
    while "doc_number" not in kw and db.session.scalar(  # skip numbers a test chose by hand
            db.select(Candidate.id).filter_by(doc_number=values["doc_number"])):
        n = next(_seq)
        values["doc_number"] = id_number(seq=f"{n % 1000:03d}")
    cand = Candidate(**values)
    db.session.add(cand)
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
    from tests.conftest import csrf_token_from
    page = client.get("/login")
    return client.post("/login", data={"username": candidate.username, "password": password,
                                        "csrf_token": csrf_token_from(page.get_data(as_text=True))})


def login_as(client, candidate: Candidate) -> None:
    """Log a candidate in without the form (for tests about other pages)."""
    from core.services.sessions import open_session
    token = open_session(candidate, "127.0.0.1")
    db.session.commit()
    with client.session_transaction() as sess:
        sess["sid"] = token


def sample_snapshot(candidate: Candidate, cat: dict, number: str, attempts: int = 1) -> dict:
    """The frozen application (报名申请表 data), schema version 1 — what registration.submit writes.

    Keys: version, number, exam_year{year,name}, subject{code,name,category,level,route},
    extra_units[list], region{code,name}, site{code,name,address}, attempts,
    candidate{name,sex,birth_date,doc_type,doc_type_label,doc_number,nationality,ethnic_group,
    permit_number,military_identity}, contact{mobile,email,address,postcode},
    work{work_unit,work_unit_manual,department,title,title_date,post,employment_status},
    educations[{school_name,level,study_mode,major,start_ym,end_ym,diploma_number}],
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
                        "diploma_number": "100011201505000123"}],
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
