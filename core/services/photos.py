"""照片: JPEG only (judged by content), at most PHOTO_MAX_BYTES (the guide: 不要大于40k), a minimum
pixel size, decoded and re-encoded (no metadata kept), stored under PHOTO_DIR outside the web root.

The portal serves a photo to its owner; the back office serves it to staff in scope with
``photo_file(candidate)``. A file that no candidate's ``photo_path`` names any more (an upload killed
between writing the file and its commit, or between the commit and removing the old file; two tabs
uploading at once) is removed later by ``prune_profile_photos`` (`flask photos prune`).
"""
from __future__ import annotations

import io
import itertools
import os
import re
import secrets
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError
from sqlalchemy import Select, select

from core.db import db, utcnow
from core.messages import Msg
from core.models import Candidate
from core.services import audit
from core.services.errors import DomainError

MAX_PIXELS = 4000 * 4000  # far above any ID photo; a 40 KB file claiming more is a decompression bomb
FIELD = "photo"
PROFILE_FOLDER = re.compile(r"[0-9a-f]{2}")  # save_photo names a file <2 hex>/<32 hex>.jpg
PROFILE_NAME = re.compile(r"[0-9a-f]{32}\.jpg")


def limits() -> tuple[int, int, int]:
    cfg = current_app.config
    return cfg["PHOTO_MAX_BYTES"], cfg["PHOTO_MIN_WIDTH"], cfg["PHOTO_MIN_HEIGHT"]


def clean_photo(data: bytes) -> bytes:
    """Check an upload and return it re-encoded as a plain JPEG, or DomainError with the reason."""
    max_bytes, min_w, min_h = limits()
    if not data:
        raise DomainError("请选择要上传的照片文件。", FIELD)
    if len(data) > max_bytes:
        raise DomainError(Msg("照片文件不能大于%(max)sKB（当前约%(size)sKB）。", max=max_bytes // 1024,
                              size=-(-len(data) // 1024)), FIELD)
    if not data.startswith(b"\xff\xd8\xff"):
        raise DomainError("照片必须是JPG格式的图片文件。", FIELD)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.format != "JPEG":
                    raise DomainError("照片必须是JPG格式的图片文件。", FIELD)
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise DomainError("照片的像素尺寸异常，无法处理，请重新制作照片。", FIELD)
                if width < min_w or height < min_h:
                    raise DomainError(Msg("照片尺寸太小：至少%(min_w)s×%(min_h)s像素（当前%(width)s×%(height)s）。",
                                          min_w=min_w, min_h=min_h, width=width, height=height), FIELD)
                img.load()
                # pixels only: a new image carries no EXIF, ICC, comment (COM) or other segment of the upload
                rgb = Image.frombytes("RGB", img.size, img.convert("RGB").tobytes())
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DomainError("照片的像素尺寸异常，无法处理，请重新制作照片。", FIELD) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError("照片文件已损坏或无法识别，请重新选择。", FIELD) from None
    if not data.rstrip(b"\0").endswith(b"\xff\xd9"):  # a polyglot: a ZIP, HTML or script after the image
        raise DomainError("照片文件末尾附带了图片以外的数据，请重新保存为标准JPG文件后上传。", FIELD)
    for quality in (90, 80, 70, 60):
        out = io.BytesIO()
        rgb.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() <= max_bytes:
            break
    stored = out.getvalue()
    _check_plain_jpeg(stored)
    return stored


_SOS, _COM = 0xDA, 0xFE


def _check_plain_jpeg(data: bytes) -> None:
    """What is stored, checked as well: SOI, then only tables and one JFIF APP0 before the scan (no COM, no
    other APPn), and nothing after EOI. Anything else is a bug of the re-encode, never a candidate's fault."""
    if not (data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9")):
        raise RuntimeError("re-encoded photo is not a plain JPEG")
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == _SOS:
            return
        if marker == _COM or (0xE1 <= marker <= 0xEF):
            raise RuntimeError(f"re-encoded photo keeps segment 0x{marker:02X}")
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    raise RuntimeError("re-encoded photo has no scan")


def photo_dir() -> Path:
    return Path(current_app.config["PHOTO_DIR"])


def save_photo(candidate: Candidate, data: bytes) -> str:
    """Store a new photo for the candidate (the old file is removed after commit); returns its path."""
    clean = clean_photo(data)
    relative = f"{secrets.token_hex(1)}/{secrets.token_hex(16)}.jpg"
    target = photo_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(clean)
    old = candidate.photo_path
    candidate.photo_path = relative
    candidate.photo_uploaded_at = utcnow()
    audit.record("candidate.photo.uploaded", actor_type="candidate", actor_id=candidate.id,
                 actor_name=candidate.username, obj=candidate, after={"bytes": len(clean)})
    try:
        db.session.commit()
    except Exception:
        target.unlink(missing_ok=True)
        raise
    if old and old != relative:
        _safe_path(old) and _safe_path(old).unlink(missing_ok=True)
    return relative


def _safe_path(relative: str | None) -> Path | None:
    """A stored relative path resolved inside PHOTO_DIR, never outside it."""
    if not relative:
        return None
    base = photo_dir().resolve()
    path = (base / relative).resolve()
    return path if base in path.parents else None


def photo_file(candidate: Candidate) -> Path | None:
    """The candidate's photo file, if one is stored (callers check who may see it)."""
    path = _safe_path(candidate.photo_path)
    return path if path and path.is_file() else None


def prune_profile_photos(older_than: timedelta, *, dry_run: bool = False,
                         batch: int = 500) -> tuple[int, int]:
    """Delete profile photos (``<2 hex>/<32 hex>.jpg``) that no candidate's ``photo_path`` names and that are
    older than ``older_than``; returns (files, bytes) removed (or that would be, with ``dry_run``).

    Only the 256 two-hex-digit folders are read (not ``frozen/``, not a symbolic link) and only files named
    as save_photo names them; one query per batch on the index ``ix_candidates_photo_path``. An upload in
    flight is safe: its file is younger than the limit.
    """
    def referenced(paths: list[str]) -> Select:
        return select(Candidate.photo_path).where(Candidate.photo_path.in_(paths))

    with os.scandir(photo_dir()) as entries:
        folders = [e.name for e in entries
                   if PROFILE_FOLDER.fullmatch(e.name) and e.is_dir(follow_symlinks=False)]
    return prune_unreferenced(folders, PROFILE_NAME, referenced, older_than, dry_run=dry_run, batch=batch)


def prune_unreferenced(folders: Iterable[str], name: re.Pattern, referenced: Callable[[list[str]], Select],
                       older_than: timedelta, *, dry_run: bool, batch: int) -> tuple[int, int]:
    """Delete the files of ``folders`` (under PHOTO_DIR) whose names match ``name``, older than
    ``older_than``, whose paths relative to PHOTO_DIR the query ``referenced(paths)`` does not return;
    returns (files, bytes) removed (or that would be, with ``dry_run``). Shared by both photo prunes.

    How it scales: a folder is read one entry at a time (``os.scandir``) and the old files are checked
    ``batch`` at a time, one query per batch, each on its own short connection (behind PgBouncer's
    transaction pooling a long scan holds no server connection between batches). Memory is one batch,
    whatever the number of rows; time grows with the number of files.
    """
    cutoff = time.time() - older_than.total_seconds()
    old = (f for f in _files(folders, name) if _modified_before(f[1], cutoff))
    files = size = 0
    while chunk := list(itertools.islice(old, batch)):
        with db.engine.connect() as conn:
            kept = set(conn.scalars(referenced([path for path, _ in chunk])))
        for path, entry in chunk:
            if path not in kept:
                files, size = files + 1, size + entry.stat(follow_symlinks=False).st_size
                if not dry_run:
                    Path(entry.path).unlink(missing_ok=True)
    return files, size


def _files(folders: Iterable[str], name: re.Pattern) -> Iterator[tuple[str, os.DirEntry]]:
    """(path relative to PHOTO_DIR, entry) of the matching files, one directory entry at a time."""
    for folder in folders:
        try:
            with os.scandir(photo_dir() / folder) as entries:
                yield from ((f"{folder}/{e.name}", e) for e in entries if name.fullmatch(e.name))
        except FileNotFoundError:  # no such folder (yet)
            continue


def _modified_before(entry: os.DirEntry, cutoff: float) -> bool:
    try:
        return entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff
    except FileNotFoundError:  # removed meanwhile (a failed write cleaning up after itself)
        return False
