"""准考证 (admission ticket), 签到表 (sign-in sheet) and 门贴 (door list) as PDFs; a site's arrangement as Excel.

The data comes from core.arrangement.admission; here only layout (WeasyPrint, Noto Sans CJK SC, one face).
The ticket has a Chinese and an English layout (the portal's language); sheets are Chinese.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from weasyprint import CSS, HTML

from reports import pdf_parts
from reports.application_form import TEMPLATES, _env, _fonts, photo_uri, qr_data_uri

_css = CSS(filename=str(TEMPLATES / "reports" / "arrangement.css"), font_config=_fonts)

LABELS = {
    "zh": {"title": "准考证", "admission_number": "准考证号", "registration_number": "报名号", "name": "姓名",
           "doc": "证件号码", "exam": "考试", "subject": "报考类别", "sessions": "考试时间", "site": "考点",
           "site_address": "考点地址", "room": "考场", "room_place": "考场位置", "seat": "座位号",
           "rules": "考试须知", "valid": "二维码有效期至", "no_photo": "无照片",
           "parts": {"written": "医学综合", "skills": "实践技能"}},
    "en": {"title": "Admission Ticket", "admission_number": "Admission No.", "registration_number":
           "Registration No.", "name": "Name", "doc": "Document No.", "exam": "Examination", "subject": "Subject",
           "sessions": "Sessions", "site": "Test site", "site_address": "Site address", "room": "Room",
           "room_place": "Room location", "seat": "Seat", "rules": "Rules of the day", "valid": "QR code valid until",
           "no_photo": "No photo", "parts": {"written": "Comprehensive written examination", "skills": "Practical skills examination"}},
}
DEFAULT_RULES_EN = (
    "Bring this ticket and the identity document used for registration; both are required.",
    "Arrive 30 minutes before the start; entry is refused 15 minutes after the start.",
    "No phones, smart watches or other electronic devices, books or notes in the room.",
    "Follow the invigilators' instructions and work alone.",
    "Do not leave before the end of the session, nor linger near the rooms afterwards.",
)


def ticket_html(data: dict, photo_dir: Path, lang: str = "zh") -> str:
    from core.arrangement.admission import DEFAULT_RULES
    labels = LABELS["en" if lang == "en" else "zh"]
    rules = data["rules"]
    if lang == "en" and list(rules) == list(DEFAULT_RULES):
        rules = list(DEFAULT_RULES_EN)
    return _env.get_template("reports/admission_ticket.html").render(
        t=data, L=labels, rules=rules, lang=lang, qrs=[qr_data_uri(p["qr_payload"]) for p in data["parts"]],
        photo=photo_uri(data.get("photo"), photo_dir))


def ticket_pdf(data: dict, photo_dir: Path, lang: str = "zh") -> bytes:
    html = ticket_html(data, photo_dir, lang)
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf(stylesheets=[_css], font_config=_fonts)


SHEET_PHOTO_PX = (120, 150)  # the 签到表 prints photos 12 x 15 mm: 120 x 150 px is about 250 dpi


def small_photos(sheets: list[dict], photo_dir: Path, out_dir: Path) -> None:
    """Each row's photo downscaled once to the printed size (JPEG in ``out_dir``), as ``row["photo_uri"]``:
    WeasyPrint then decodes and embeds a few KB per candidate instead of the full upload."""
    from PIL import Image, ImageOps
    rows = [row for sheet in sheets for row in sheet["rows"]]
    for i, row in enumerate(rows):
        source = photo_uri(row.get("photo"), photo_dir)  # only a file inside PHOTO_DIR
        row["photo_uri"] = None
        if source is None:
            continue
        small = out_dir / f"photo-{i:05d}.jpg"
        try:
            with Image.open(Path(photo_dir).resolve() / row["photo"]) as img:
                ImageOps.fit(ImageOps.exif_transpose(img).convert("RGB"), SHEET_PHOTO_PX).save(small, "JPEG",
                                                                                                quality=80)
        except OSError:  # an unreadable photo prints as the 无照片 box
            continue
        row["photo_uri"] = small.as_uri()


def render_sheets(sheets: list[dict], target: Path) -> None:
    """Lay out some rooms' 签到表 and 门贴 (rows carrying ``photo_uri``) as one PDF file."""
    html = _env.get_template("reports/room_sheets.html").render(sheets=sheets)
    HTML(string=html, base_url=str(TEMPLATES)).write_pdf(target, stylesheets=[_css], font_config=_fonts)


def sheets_pdf(sheets: list[dict], photo_dir: Path, target: Path | None = None, rooms_per_part: int = 8,
               workers: int = 1, progress: Callable[[int, int], None] | None = None) -> bytes | None:
    """Per room: the 签到表 (photos, signature boxes) then its 门贴, all rooms in one PDF. Photos are downscaled
    first (``small_photos``). A few rooms are laid out as one part and the parts are joined (pypdf): one
    document of thousands of table rows lays out slower and holds every page in memory. With ``workers`` > 1 the
    parts are laid out by that many child processes (``python -m reports.sheets_worker``)."""
    with tempfile.TemporaryDirectory(prefix="sheets-") as tmp:
        small_photos(sheets, photo_dir, Path(tmp))
        chunks = [sheets[i:i + rooms_per_part] for i in range(0, len(sheets), rooms_per_part)] or [[]]
        parts = [Path(tmp) / f"part-{i:04d}.pdf" for i in range(len(chunks))]
        done = 0

        def finished(i: int) -> None:
            nonlocal done
            done += 1
            if progress:
                progress(done, len(chunks))

        if workers <= 1:
            for i, chunk in enumerate(chunks):
                render_sheets(chunk, parts[i])
                finished(i)
        else:
            pdf_parts.render_in_children("reports.sheets_worker", [{"sheets": c} for c in chunks], parts,
                                         workers, finished)
        return pdf_parts.join(parts, target)


SITE_COLUMNS = ("考场", "考场位置", "座位号", "准考证号", "姓名", "报考类别", "报名号")


def site_workbook(site_name: str, sheets: list[dict], numbers: dict[str, str], target: Path) -> None:
    """The whole site's arrangement, one row per seat (write-only openpyxl; text cells stay text)."""
    from openpyxl import Workbook

    from reports.spreadsheet import safe
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="考场编排")
    ws.append([safe(ws, f"{site_name} 考场编排")])
    ws.append(list(SITE_COLUMNS))
    for sheet in sheets:
        for r in sheet["rows"]:
            ws.append([safe(ws, v) for v in (sheet["room"], sheet["room_place"], r["seat"], r["admission_number"],
                                              r["name"], r["subject"], numbers.get(r["admission_number"], ""))])
    wb.save(target)
