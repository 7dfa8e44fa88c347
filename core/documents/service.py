"""The candidate's documents for 网上资格审核: upload (checked, re-encoded, stored), replace, delete, read;
what a registration still lacks; freezing them with the registration at submission; 补正.

A document is frozen while a live submitted registration uses it (``registration_documents``): it can be
neither deleted nor replaced, except a document the reviewer marked 需补正 while the registration waits for
the 补正 (status ``correction``). A replaced document a registration used is kept (``retired_at``) for the
record. Files go to core.storage first and the row is committed after: a failure of either leaves no row
naming a missing file (files the commit never named are removed at once or by ``prune_orphans``).
"""
from __future__ import annotations

import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from core.db import db, utcnow
from core.documents import processing
from core.documents.required import Requirement, required_for, slot_belongs_to
from core.messages import Msg
from core.models import Candidate, Document, Registration, RegistrationDocument
from core.registration.states import CORRECTION, SUBMITTED_LIVE
from core.services import audit, ratelimit
from core.services.errors import DomainError, NotAllowed
from core.storage import StorageUnavailable, new_key, storage

FIELD = processing.FIELD
UNAVAILABLE = "文件存储服务暂时不可用，材料未能保存，请稍后再试。"
FROZEN = "该材料已随报名提交，审核期间不能更换或删除；如审核人员要求补正，届时可以更换。"


def current(candidate_id: int) -> dict[str, Document]:
    """The candidate's current document per slot."""
    rows = db.session.scalars(select(Document).where(Document.candidate_id == candidate_id,
                                                     Document.retired_at.is_(None)))
    return {d.slot: d for d in rows}


def own_document(candidate: Candidate, document_id: int) -> Document:
    doc = db.session.get(Document, document_id)
    if doc is None or doc.candidate_id != candidate.id:
        raise NotAllowed("没有找到该材料。")
    return doc


def _uses(document_id: int) -> list[tuple[RegistrationDocument, str]]:
    """(link, registration status) of the live submitted registrations that use a document."""
    return list(db.session.execute(
        select(RegistrationDocument, Registration.status).join(Registration)
        .where(RegistrationDocument.document_id == document_id, Registration.status.in_(SUBMITTED_LIVE))))


def replaceable(doc: Document, uses: list[tuple[str | None, str]] | None = None) -> bool:
    """uses: (verdict, registration status) of each live submitted registration using it, when read already
    (个人信息 reads them for all the candidate's documents at once: core/services/profile_page.py)."""
    if uses is None:
        uses = [(link.verdict, status) for link, status in _uses(doc.id)]
    return all(status == CORRECTION and verdict == "correction" for verdict, status in uses)


def deletable(doc: Document, uses: list[tuple[str | None, str]] | None = None) -> bool:
    """Delete: only while no live submitted registration uses the document (not even one waiting for 补正)."""
    return doc.retired_at is None and not (_uses(doc.id) if uses is None else uses)


def _actor(candidate: Candidate) -> dict:
    return dict(actor_type="candidate", actor_id=candidate.id, actor_name=candidate.username)


def upload(candidate: Candidate, slot: str, data: bytes) -> Document:
    """Store a document for ``slot`` (replacing the current one if allowed) and commit; DomainError
    (field ``document``) with the reason otherwise, nothing saved."""
    if not slot_belongs_to(candidate, slot):
        raise NotAllowed("没有找到该材料项目。")
    old = current(candidate.id).get(slot)
    if old is not None and not replaceable(old):
        raise DomainError(FROZEN, FIELD)
    _count_upload(candidate)
    result = processing.process(data)
    _check_candidate_limit(candidate, old, result)
    keys = _store(result)
    doc = Document(candidate_id=candidate.id, slot=slot, content_type=result.content_type,
                   bytes=len(result.data) + len(result.thumbnail) + sum(len(p) for p in result.pages[1:]),
                   pages=len(result.pages), **keys)
    try:
        db.session.add(doc)
        db.session.flush()
        gone = _retire(old, doc) if old else []
        audit.record("document.replaced" if old else "document.uploaded", **_actor(candidate), obj=doc,
                     after={"slot": slot, "bytes": doc.bytes, "pages": doc.pages,
                            **({"document_id": old.id} if old else {})})
        db.session.commit()
    except Exception:
        db.session.rollback()
        _remove_files(list(keys_of(keys)))
        raise
    _remove_files(gone)
    return doc


def _count_upload(candidate: Candidate) -> None:
    """Each attempt counts against DOCUMENT_UPLOAD_RATE_LIMIT (core/services/ratelimit.py, Redis when set):
    100 uploads in a row are refused before any is decoded, and nothing of the refused ones is stored."""
    limit = ratelimit.Limit.parse(current_app.config["DOCUMENT_UPLOAD_RATE_LIMIT"])
    if not ratelimit.hit(f"document-upload:{candidate.id}", limit):
        raise DomainError(Msg("上传次数过多：每%(minutes)s分钟最多上传%(count)s次材料，请稍后再试。已上传的材料不受影响。",
                              minutes=limit.seconds // 60, count=limit.count), FIELD)


def keys_of(keys: dict) -> list[str]:
    return [keys["key"], keys["thumb_key"], *keys["page_keys"]]


def _store(result: processing.Processed) -> dict:
    suffix = "pdf" if result.kind == "pdf" else "jpg"
    keys = {"key": new_key(suffix), "thumb_key": new_key("thumb.jpg"),
            "page_keys": [] if result.kind == "image" else [new_key("page.jpg") for _ in result.pages]}
    written: list[str] = []
    try:
        store = storage()
        store.put(keys["key"], result.data, result.content_type)
        written.append(keys["key"])
        store.put(keys["thumb_key"], result.thumbnail, "image/jpeg")
        written.append(keys["thumb_key"])
        for key, page in zip(keys["page_keys"], result.pages):
            store.put(key, page, "image/jpeg")
            written.append(key)
    except StorageUnavailable:
        current_app.logger.warning("document storage unavailable during upload", exc_info=True)
        _remove_files(written)
        raise DomainError(UNAVAILABLE, FIELD) from None
    return keys


def _remove_files(keys: list[str]) -> None:
    """Best effort: what cannot be removed now is an orphan for ``prune_orphans``."""
    try:
        store = storage()
        for key in keys:
            store.delete(key)
    except StorageUnavailable:
        current_app.logger.warning("could not remove %d document files; prune will", len(keys))


def _check_candidate_limit(candidate: Candidate, old: Document | None, result: processing.Processed) -> None:
    limit = current_app.config["DOCUMENT_CANDIDATE_MAX_BYTES"]
    used = db.session.scalar(select(func.coalesce(func.sum(Document.bytes), 0))
                             .where(Document.candidate_id == candidate.id, Document.retired_at.is_(None)))
    new = len(result.data) + len(result.thumbnail) + sum(len(p) for p in result.pages[1:])
    if used - (old.bytes if old else 0) + new > limit:
        raise DomainError(Msg("您上传的材料合计不能超过%(max)sMB，请删除不需要的材料或上传较小的文件。",
                              max=limit // (1024 * 1024)), FIELD)


def _retire(old: Document, new: Document) -> list[str]:
    """The old document gives way to the new one: links waiting for 补正 point to the new one (待审核 again);
    a document some registration used is kept, retired; one nobody used is deleted (its files after commit)."""
    links = _uses(old.id)
    for link, _status in links:
        link.document_id, link.verdict = new.id, "pending"
    used_ever = links or db.session.scalar(select(RegistrationDocument.id)
                                           .where(RegistrationDocument.document_id == old.id).limit(1))
    if used_ever:
        old.retired_at = utcnow()
        return []
    files = keys_of({"key": old.key, "thumb_key": old.thumb_key, "page_keys": old.page_keys})
    db.session.delete(old)
    return files


def delete(candidate: Candidate, document_id: int) -> None:
    doc = own_document(candidate, document_id)
    if not deletable(doc):
        raise DomainError(FROZEN, FIELD)
    used_ever = db.session.scalar(select(RegistrationDocument.id)
                                  .where(RegistrationDocument.document_id == doc.id).limit(1))
    audit.record("document.deleted", **_actor(candidate), obj=doc, before={"slot": doc.slot})
    files: list[str] = []
    if used_ever:
        doc.retired_at = utcnow()
    else:
        files = keys_of({"key": doc.key, "thumb_key": doc.thumb_key, "page_keys": doc.page_keys})
        db.session.delete(doc)
    db.session.commit()
    _remove_files(files)


def erase(document_ids: list[int]) -> int:
    """Retention and account closure (core/privacy): these documents, their links to registrations and their
    files go. The caller commits; files that cannot be removed now are orphans for ``prune_orphans``."""
    docs = list(db.session.scalars(select(Document).where(Document.id.in_(document_ids))))
    files = [k for d in docs for k in keys_of({"key": d.key, "thumb_key": d.thumb_key, "page_keys": d.page_keys})]
    db.session.execute(db.delete(RegistrationDocument).where(RegistrationDocument.document_id.in_(document_ids)))
    db.session.execute(db.delete(Document).where(Document.id.in_(document_ids)))
    _remove_files(files)
    return len(docs)


def read(doc: Document, which: str, page: int = 0) -> tuple[bytes, str]:
    """(bytes, content type) of a document's ``thumb``, ``page`` (JPEG) or ``original``; callers check access."""
    if which == "thumb":
        key, ctype = doc.thumb_key, "image/jpeg"
    elif which == "page":
        keys = doc.page_keys or [doc.key]
        if not 0 <= page < len(keys):
            raise NotAllowed("没有该页。")
        key, ctype = keys[page], "image/jpeg"
    else:
        key, ctype = doc.key, doc.content_type
    return fetch(key), ctype


def fetch(key: str) -> bytes:
    """A stored file by its key; callers check access. DomainError when the store is unreachable."""
    try:
        data = storage().get(key)
    except StorageUnavailable:
        raise DomainError(UNAVAILABLE) from None
    if data is None:
        raise NotAllowed("材料文件不存在。")
    return data


def missing(reg: Registration) -> list[Requirement]:
    have = current(reg.candidate_id)
    return [r for r in required_for(reg) if r.slot not in have]


def freeze(reg: Registration, chosen: dict[str, set[int]] | None = None) -> list[RegistrationDocument]:
    """At submission (in its transaction): link every required document to the registration."""
    have = current(reg.candidate_id)
    links = [RegistrationDocument(registration_id=reg.id, document_id=have[r.slot].id, slot=r.slot,
                                  label=r.full_label[:80], verdict="pending")
             for r in required_for(reg, chosen) if r.slot in have]
    db.session.add_all(links)
    return links


def links_of(registration_id: int) -> list[RegistrationDocument]:
    return list(db.session.scalars(select(RegistrationDocument)
                                   .where(RegistrationDocument.registration_id == registration_id)
                                   .order_by(RegistrationDocument.id)))


def prune_orphans(older_than: timedelta = timedelta(hours=1), *, dry_run: bool = False) -> int:
    """Delete stored files no document row names, older than ``older_than`` (an upload killed between the
    store and the commit); returns how many. Run by the scheduled housekeeping like ``photos prune``."""
    cutoff = time.time() - older_than.total_seconds()
    store = storage()
    removed = 0
    batch: list[str] = []

    def flush() -> int:
        named = set()
        for doc in db.session.scalars(select(Document).where(
                (Document.key.in_(batch)) | (Document.thumb_key.in_(batch)))):
            named |= {doc.key, doc.thumb_key}
        pages = {k for d in db.session.scalars(select(Document.page_keys)) for k in d or ()} \
            if any(k.endswith(".page.jpg") for k in batch) else set()
        gone = [k for k in batch if k not in named and k not in pages]
        if not dry_run:
            for k in gone:
                store.delete(k)
        batch.clear()
        return len(gone)

    for key, mtime in store.keys():
        if mtime < cutoff:
            batch.append(key)
            if len(batch) >= 500:
                removed += flush()
    if batch:
        removed += flush()
    return removed
