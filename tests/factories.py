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
