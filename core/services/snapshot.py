"""报名申请表数据: the snapshot frozen at submission (schema version 1).

After submission the registration never reads the live profile again: the application form, the back
office and the exports print this snapshot. The keys are documented in ``tests.factories.sample_snapshot``.
The photo is kept as a frozen file (``frozen/<报名号>-<attempt>.jpg`` under PHOTO_DIR) so a later new photo in the
profile does not change a submitted application. A copy whose submission never committed (process killed
in between) is removed later by ``prune_frozen_photos`` (`flask photos prune`).
"""
from __future__ import annotations

import os
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import Select, select

from core.db import to_shanghai
from core.models import Registration
from core.models.candidate import DOC_TYPES, MILITARY, SEXES
from core.services.photos import prune_unreferenced

VERSION = 1
FROZEN_DIR = "frozen"
FROZEN_NAME = re.compile(r".*\.jpg")  # <报名号>-<attempt>.jpg


def photo_file(relative: str | None) -> Path | None:
    """The file of a photo path stored relative to PHOTO_DIR (None when there is none)."""
    if not relative:
        return None
    path = Path(current_app.config["PHOTO_DIR"]) / relative
    return path if path.is_file() else None


def freeze_photo(candidate, number: str, attempt: str) -> str | None:
    """The candidate's current photo under the frozen folder; its path relative to PHOTO_DIR.

    A hard link, not a copy (a tenth of the cost): a photo file is never rewritten — a new photo is a new file
    (``photos.save_photo``) — so both names hold the same bytes for good, and removing one leaves the other. Its
    time is set to now, which the prunes read as its age: an old photo's new link is not taken for an orphan
    while its submission commits. Where the file system refuses links, a copy.
    ``attempt`` makes the name unique per submission attempt, so a failed attempt removes only its own file.
    """
    source = photo_file(candidate.photo_path)
    if source is None:
        return None
    relative = f"{FROZEN_DIR}/{number}-{attempt}.jpg"
    target = Path(current_app.config["PHOTO_DIR"]) / relative
    try:
        _link(source, target)
    except FileNotFoundError:  # the first frozen photo: no folder yet
        target.parent.mkdir(parents=True, exist_ok=True)
        _link(source, target)
    os.utime(target)
    return relative


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:  # no hard links here (another file system, a share that refuses them)
        shutil.copyfile(source, target)


def discard_frozen_photo(relative: str | None) -> None:
    """Remove the frozen copy of a submission that did not commit."""
    if relative:
        (Path(current_app.config["PHOTO_DIR"]) / relative).unlink(missing_ok=True)


def prune_frozen_photos(older_than: timedelta, *, dry_run: bool = False,
                        batch: int = 500) -> tuple[int, int]:
    """Delete frozen photos that no registration's snapshot names and that are older than ``older_than``;
    returns (files, bytes) removed (or that would be, with ``dry_run``).

    Batched like every photo prune (``photos.prune_unreferenced``): one query per batch on the unique
    ``registrations.number`` (a frozen file is named after its 报名号), reading only ``snapshot['photo']``.
    The age limit keeps a submission in flight safe: its copy is written moments before its commit.
    """
    return prune_unreferenced([FROZEN_DIR], FROZEN_NAME, _referenced_photos, older_than,
                              dry_run=dry_run, batch=batch)


def _referenced_photos(paths: list[str]) -> Select:
    """The frozen photo paths named by the snapshots of the registrations these files are named after."""
    numbers = {Path(path).name.split("-")[0] for path in paths}
    photo = Registration.snapshot["photo"].as_string()
    return select(photo).where(Registration.number.in_(numbers), photo.is_not(None))


def build_snapshot(reg: Registration, *, site, number: str, attempts: int, military_unit: bool,
                   ids: dict[str, set[int]], photo: str | None, submitted_at: datetime,
                   rows: tuple | None = None) -> dict:
    """The application as submitted: subject, site, the candidate's data and the entries used; ``rows``: the
    educations and trainings as read for the eligibility check (core.eligibility.entry_rows), instead of the
    candidate's collections."""
    cand, subject, region, year = reg.candidate, reg.subject, site.region, reg.exam_year
    educations, trainings = rows or (cand.educations, cand.trainings if ids["training"] else ())
    return {
        "version": VERSION, "number": number,
        "exam_year": {"year": year.year, "name": year.name},
        "subject": {"code": subject.code, "name": subject.name, "category": subject.category,
                    "level": subject.level, "route": subject.route},
        "extra_units": [subject.extra_units or "军事医学"] if military_unit else [],
        "region": {"code": region.code, "name": region.name},
        "site": {"code": site.code, "name": site.name, "address": site.address},
        "attempts": attempts,
        "candidate": {"name": cand.name, "sex": SEXES[cand.sex], "birth_date": cand.birth_date.isoformat(),
                      "doc_type": cand.doc_type, "doc_type_label": DOC_TYPES[cand.doc_type],
                      "doc_number": cand.doc_number, "nationality": cand.nationality,
                      "ethnic_group": cand.ethnic_group, "permit_number": cand.permit_number,
                      "military_identity": MILITARY[cand.military_identity]},
        "contact": {"mobile": cand.mobile, "email": cand.email, "address": cand.address,
                    "postcode": cand.postcode},
        "work": {"work_unit": cand.work_unit_name, "work_unit_manual": cand.work_unit_manual,
                 "department": cand.department, "title": cand.title, "title_date": cand.title_date,
                 "post": cand.post, "employment_status": cand.employment_status},
        "educations": [{"school_name": e.school_name, "level": e.level, "study_mode": e.study_mode,
                        "major": e.major, "start_ym": e.start_ym, "end_ym": e.end_ym,
                        "diploma_number": e.diploma_number, "apprentice_certificate": e.apprentice_certificate}
                       for e in educations if e.id in ids["education"]],
        "trainings": [{"type": t.training_type.name, "institution": t.institution, "major": t.major,
                       "start_ym": t.start_ym, "end_ym": t.end_ym, "certificate_number": t.certificate_number}
                      for t in (trainings if ids["training"] else ()) if t.id in ids["training"]],
        "certificates": [{"type": c.certificate_type.name, "issue_ym": c.issue_ym,
                          "cert_number": c.cert_number, "reg_ym": c.reg_ym, "reg_number": c.reg_number}
                         for c in (cand.certificates if ids["certificate"] else ()) if c.id in ids["certificate"]],
        "photo": photo,
        "submitted_at": to_shanghai(submitted_at).isoformat(timespec="seconds"),
    }
