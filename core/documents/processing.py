"""Safe processing of an uploaded document: trusted by content, never by name or declared type.

- sniffed: JPEG, PNG or PDF by their first bytes; anything else (a renamed file, HTML, a ZIP) is refused;
- images are decoded (decompression bombs refused) and re-encoded from pixels alone as JPEG: no EXIF, ICC,
  comment or trailing data survives; the EXIF orientation is applied first; the long side is capped;
- a PDF is checked (size, page count, no JavaScript, no embedded files, no launch actions, not encrypted)
  and kept as it came, and each page is rendered to a JPEG for the reviewer (pypdfium2), so staff never open
  the PDF itself in the browser;
- every file gets a thumbnail (the first page for a PDF).

``process(data)`` returns a ``Processed`` or raises DomainError with the Chinese sentence for the field.
"""
from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass, field

import pypdfium2 as pdfium
from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from core.messages import Msg
from core.services.errors import DomainError

FIELD = "document"
MAX_PIXELS = 50_000_000  # a 50-megapixel phone photo is fine; more is a bomb
THUMB_SIDE = 240
PAGE_SIDE = 1600  # a PDF page rendered for the reviewer
_JPEG, _PNG, _PDF = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-"
_PDF_DANGER = ("/JavaScript", "/JS", "/EmbeddedFile", "/EmbeddedFiles", "/Launch", "/RichMedia", "/XFA")
# Stream bodies (page images, fonts) are data, not PDF syntax: a scan's compressed image holds any 3 bytes, "/JS"
# included, about once in 16 MB (2^24 byte triples), and must not be refused as a script for it.
_STREAM_BODY = re.compile(rb"stream\r?\n.*?endstream", re.S)
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/RichMedia", "/XFA", "/Launch"}
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/RichMediaExecute"}
MAX_PDF_OBJECTS = 50_000


@dataclass
class Processed:
    kind: str  # "image" or "pdf"
    content_type: str  # what is stored: image/jpeg or application/pdf
    data: bytes  # the stored original: re-encoded JPEG, or the checked PDF
    thumbnail: bytes  # JPEG
    pages: list[bytes] = field(default_factory=list)  # JPEG per page: the image itself, or the PDF's renders


def sniff(data: bytes) -> str | None:
    head = data[:1024]
    if head.startswith(_JPEG):
        return "jpeg"
    if head.startswith(_PNG):
        return "png"
    if head.startswith(_PDF):  # at offset 0 only: a polyglot hiding %PDF further in is not a PDF to us
        return "pdf"
    return None


def process(data: bytes) -> Processed:
    cfg = current_app.config
    if not data:
        raise DomainError("上传的文件是空的（0字节），请重新选择。", FIELD)
    if len(data) > cfg["DOCUMENT_MAX_BYTES"]:
        raise DomainError(Msg("文件不能大于%(max)sMB（当前约%(size)sMB）。",
                              max=cfg["DOCUMENT_MAX_BYTES"] // (1024 * 1024),
                              size=round(len(data) / (1024 * 1024), 1)), FIELD)
    kind = sniff(data)
    if kind is None:
        raise DomainError("只能上传JPG、PNG图片或PDF文件（按文件内容判断，改扩展名无效）。", FIELD)
    if kind == "pdf":
        return _pdf(data, cfg["DOCUMENT_MAX_PAGES"])
    image = _capped(_decode(data, kind, cfg["DOCUMENT_LONG_SIDE"]), cfg["DOCUMENT_LONG_SIDE"])
    page = _encode(image)
    return Processed("image", "image/jpeg", page, _encode(_capped(image, THUMB_SIDE), 80), [page])


def _decode(data: bytes, kind: str, long_side: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.format != {"jpeg": "JPEG", "png": "PNG"}[kind]:
                    raise DomainError("文件内容与图片格式不符，请重新保存为JPG或PNG后上传。", FIELD)
                if img.width * img.height > MAX_PIXELS:
                    raise DomainError("图片的像素尺寸异常，无法处理，请重新拍摄或扫描。", FIELD)
                if kind == "jpeg" and max(img.size) > long_side:  # decode at 1/2, 1/4 … scale: fast
                    scale = long_side / max(img.size)
                    img.draft("RGB", (math.ceil(img.width * scale), math.ceil(img.height * scale)))
                img.load()
                oriented = ImageOps.exif_transpose(img)  # the phone's rotation, applied to the pixels
                rgb = oriented.convert("RGB") if oriented.mode != "RGB" or oriented is img else oriented
                rgb.info.clear()  # pixels only: no EXIF, ICC profile, comment or text chunk is written
                return rgb
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DomainError("图片的像素尺寸异常，无法处理，请重新拍摄或扫描。", FIELD) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError("图片文件已损坏或无法识别，请重新选择。", FIELD) from None


def _capped(img: Image.Image, side: int) -> Image.Image:
    if max(img.size) <= side:
        return img
    out = img.copy()
    out.thumbnail((side, side), Image.Resampling.BICUBIC, reducing_gap=2.0)
    return out


def _encode(img: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _pdf(data: bytes, max_pages: int) -> Processed:
    unsafe = "PDF文件包含脚本、附件或其他不允许的内容，请重新扫描或另存为普通PDF后上传。"
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise DomainError("PDF文件已加密或设有密码，请上传未加密的文件。", FIELD)
        if _active_content(data, reader):
            raise DomainError(unsafe, FIELD)
        pages = len(reader.pages)
    except DomainError:
        raise
    except Exception:  # noqa: BLE001 (whatever the parser raises on a hostile or broken file: refused, never a 500)
        raise DomainError("PDF文件已损坏或无法识别，请重新选择。", FIELD) from None
    if pages == 0:
        raise DomainError("PDF文件没有页面，请重新选择。", FIELD)
    if pages > max_pages:
        raise DomainError(Msg("PDF文件最多%(max)s页（当前%(pages)s页），请只上传所需的页面。",
                              max=max_pages, pages=pages), FIELD)
    rendered = _render(data)
    return Processed("pdf", "application/pdf", data,
                     _encode(_capped(Image.open(io.BytesIO(rendered[0])), THUMB_SIDE), 80), rendered)


def _active_content(data: bytes, reader: PdfReader) -> bool:
    """JavaScript, embedded files, launch actions, rich media or XFA forms: named in the file's PDF syntax outside
    stream bodies (objects a lenient reader could still find), or in any object the cross-reference lists (those
    packed in compressed object streams included)."""
    syntax = _STREAM_BODY.sub(b"stream endstream", data)
    if any(name.encode() in syntax for name in _PDF_DANGER):
        return True
    numbers = {num for by_number in reader.xref.values() for num in by_number} | set(reader.xref_objStm)
    if len(numbers) > MAX_PDF_OBJECTS:
        return True  # not a scan; nothing a candidate needs to upload
    return any(_active(reader.get_object(num)) for num in sorted(numbers))


def _active(obj) -> bool:
    if not isinstance(obj, DictionaryObject):  # streams are dictionaries too
        return False
    return (not _ACTIVE_KEYS.isdisjoint(obj.keys()) or obj.get("/S") in _ACTIVE_ACTIONS
            or obj.get("/Type") == "/EmbeddedFile")


def _render(data: bytes) -> list[bytes]:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise DomainError("PDF文件已损坏或无法识别，请重新选择。", FIELD) from None
    try:
        out = []
        for page in pdf:
            width, height = page.get_size()
            scale = min(PAGE_SIDE / max(width, height, 1), 4.0)
            if width * height * scale * scale > MAX_PIXELS:
                raise DomainError("PDF页面尺寸异常，无法处理，请重新扫描。", FIELD)
            out.append(_encode(page.render(scale=scale).to_pil().convert("RGB")))
        return out
    finally:
        pdf.close()
