"""报名申请表: the printable application form, rendered from the registration's frozen snapshot.

HTML (Jinja template ``reports/templates/reports/application_form.html``) -> PDF with WeasyPrint,
A4, in Noto Sans CJK SC (regular and bold: two faces keep font subsetting, most of the time, short).
Noto Sans CJK SC also covers CJK Extension B (e.g. 𠮷 U+20BB7). Many forms print as ONE PDF, laid out
in chunks of forms (one font subset per chunk: far faster than one PDF per form), on one or more
processes, joined with pypdf.
"""
from __future__ import annotations

import base64
import io
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Sequence

import qrcode
import qrcode.constants
from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from reports import pdf_parts


TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
_fonts = FontConfiguration()
_css = CSS(filename=str(TEMPLATES / "reports" / "application_form.css"), font_config=_fonts)
# Tagged PDF (PDF/UA-1: structure tree, language, title) so screen readers read the form in order (issue 15)
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


def qr_data_uri(text: str) -> str:
    """The registration number as a QR code (a small 1-bit PNG: far cheaper to lay out than an SVG
    path of hundreds of squares). It carries only the 报名号."""
    qr = qrcode.QRCode(box_size=4, border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    buffer = io.BytesIO()
    qr.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def photo_uri(relative: str | None, photo_dir: Path) -> str | None:
    """file:// URI of the frozen photo, only if it exists inside PHOTO_DIR (else the form shows a box)."""
    if not relative:
        return None
    base = Path(photo_dir).resolve()
    path = (base / relative).resolve()
    return path.as_uri() if path.is_relative_to(base) and path.is_file() else None


def _submitted(value: str | None) -> str:
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def form_context(snapshot: dict, photo_dir: Path, mask_documents: bool = False) -> dict:
    """What the template needs for one form: the snapshot plus QR code, photo and masked numbers."""
    person = dict(snapshot.get("candidate") or {})
    if mask_documents:
        from core.services.audit import mask_document
        person["doc_number"] = mask_document(person.get("doc_number"))
        person["permit_number"] = mask_document(person.get("permit_number")) or None
    qr = None if snapshot.get("preview") else qr_data_uri(snapshot["number"])  # a preview has no number yet
    return {"s": snapshot, "person": person, "qr": qr,
            "photo": photo_uri(snapshot.get("photo"), photo_dir),
            "submitted": _submitted(snapshot.get("submitted_at"))}


def render_html(snapshots: Iterable[dict], photo_dir: Path, mask_documents: bool = False) -> str:
    forms = [form_context(s, photo_dir, mask_documents) for s in snapshots]
    return _env.get_template("reports/application_form.html").render(forms=forms)


def application_form_pdf(snapshot: dict, photo_dir: Path, mask_documents: bool = False) -> bytes:
    """One candidate's 报名申请表 as PDF bytes."""
    html = render_html([snapshot], photo_dir, mask_documents)
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf(stylesheets=[_css], font_config=_fonts,
                                                               **PDF_OPTIONS)


def render_chunk(snapshots: Sequence[dict], photo_dir: Path, mask_documents: bool, target: Path) -> None:
    """Lay out some forms as one PDF file (a part of a batch)."""
    html = render_html(snapshots, photo_dir, mask_documents)
    HTML(string=html, base_url=str(TEMPLATES)).write_pdf(target, stylesheets=[_css], font_config=_fonts,
                                                             **PDF_OPTIONS)


def forms_pdf(snapshots: Sequence[dict], photo_dir: Path, mask_documents: bool = False,
              target: Path | None = None, chunk: int = 100, workers: int = 1,
              progress: Callable[[int, int], None] | None = None) -> bytes | None:
    """Many forms into ONE PDF (batch printing a site's forms), written to ``target`` when given.

    Forms are laid out ``chunk`` at a time (one font subset per chunk), each chunk to its own part
    file, and the parts are joined in order with pypdf: memory stays bounded by one chunk however
    many forms a site has. With ``workers`` > 1 the chunks are laid out by that many child processes
    (``python -m reports.form_worker``; plain subprocesses work inside Celery's daemonic workers too)."""
    total = len(snapshots)
    chunks = [snapshots[i:i + chunk] for i in range(0, total, chunk)] or [[]]
    with tempfile.TemporaryDirectory(prefix="forms-") as tmp:
        parts = [Path(tmp) / f"part-{i:05d}.pdf" for i in range(len(chunks))]
        done = 0

        def finished(i: int) -> None:
            nonlocal done
            done += len(chunks[i])
            if progress:
                progress(done, total)

        if workers <= 1:
            for i, forms in enumerate(chunks):
                render_chunk(forms, photo_dir, mask_documents, parts[i])
                finished(i)
        else:
            pdf_parts.render_in_children(
                "reports.form_worker", [{"snapshots": list(c), "photo_dir": str(photo_dir),
                                         "mask_documents": mask_documents} for c in chunks], parts, workers, finished)
        return pdf_parts.join(parts, target)
