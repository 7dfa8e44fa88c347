"""Safe processing of uploaded documents: sniffed by content, images re-encoded, PDFs checked and rendered."""
from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from core.documents.processing import process
from core.services.errors import DomainError
from tests.factories import jpeg, pdf, png


def _exif_rotated_jpeg() -> bytes:
    """A 400×200 photo whose EXIF says 'rotate 90°' (orientation 6), with a GPS-like comment."""
    img = Image.new("RGB", (400, 200), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010E] = "secret description"
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes(), comment=b"private comment")
    return out.getvalue()


def test_jpeg_is_reencoded_with_orientation_applied_and_metadata_gone(app_ctx):
    result = process(_exif_rotated_jpeg())
    assert result.kind == "image" and result.content_type == "image/jpeg"
    with Image.open(io.BytesIO(result.data)) as img:
        assert img.size == (200, 400)  # the rotation is in the pixels now
        assert not img.getexif() and "comment" not in img.info
    assert b"secret description" not in result.data and b"private comment" not in result.data
    assert result.pages == [result.data]
    with Image.open(io.BytesIO(result.thumbnail)) as thumb:
        assert max(thumb.size) <= 240


def test_png_becomes_jpeg_and_long_side_is_capped(app_ctx, app):
    app.config["DOCUMENT_LONG_SIDE"] = 500
    try:
        result = process(png(1000, 400))
    finally:
        app.config["DOCUMENT_LONG_SIDE"] = 2000
    with Image.open(io.BytesIO(result.data)) as img:
        assert img.format == "JPEG" and img.size == (500, 200)


def test_pdf_is_kept_and_rendered_page_by_page(app_ctx):
    data = pdf(pages=3)
    result = process(data)
    assert result.kind == "pdf" and result.data == data and len(result.pages) == 3
    for page in result.pages:
        with Image.open(io.BytesIO(page)) as img:
            assert img.format == "JPEG" and max(img.size) <= 1600


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.txt", "x")
    return out.getvalue()


REFUSED = {
    "empty": (b"", "0字节"),
    "html renamed .jpg": (b"<html><script>alert(1)</script></html>", "按文件内容判断"),
    "zip": (_zip(), "按文件内容判断"),
    "exe": (b"MZ\x90\x00" + b"\0" * 100, "按文件内容判断"),
    "truncated jpeg": (jpeg()[:60], "损坏"),
    "png header, garbage": (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "损坏"),
    "pdf with javascript": (pdf(javascript=True), "脚本、附件"),
    "pdf with embedded file": (pdf(attachment=True), "脚本、附件"),
    "encrypted pdf": (pdf(password="x"), "加密"),
    "too many pages": (pdf(pages=11), "最多10页"),
    "broken pdf": (b"%PDF-1.4\n garbage", "损坏"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_refused_with_a_chinese_reason_for_the_field(app_ctx, case):
    data, words = REFUSED[case]
    with pytest.raises(DomainError) as err:
        process(data)
    assert words in err.value.message and err.value.field == "document"


def test_oversized_file_is_refused_before_decoding(app_ctx, app):
    app.config["DOCUMENT_MAX_BYTES"] = 100_000
    try:
        with pytest.raises(DomainError, match="不能大于"):
            process(jpeg() + b"\0" * 100_000)
    finally:
        app.config["DOCUMENT_MAX_BYTES"] = 8 * 1024 * 1024


def test_decompression_bomb_is_refused(app_ctx):
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")  # tiny file, 144 megapixels
    assert len(out.getvalue()) < 100_000
    with pytest.raises(DomainError, match="像素尺寸异常"):
        process(out.getvalue())


def test_jpeg_with_html_appended_is_stored_without_it(app_ctx):
    result = process(jpeg(300, 300) + b"<script>alert(1)</script>")
    assert b"<script>" not in result.data and result.data.endswith(b"\xff\xd9")


def test_script_words_inside_page_data_are_not_a_script(app_ctx):
    """A scan's page data may hold any bytes ("/JS" about once in 16 MB of compressed image): only PDF syntax
    counts. Here the words sit in the page's (uncompressed) content stream, as a comment."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf())))
    page = writer.pages[0]
    stream = DecodedStreamObject()
    stream.set_data(page.get_contents().get_data() + b"\n% /JS /JavaScript /EmbeddedFile /Launch /XFA\n")
    page.replace_contents(stream)
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    assert b"/JS /JavaScript" in data
    result = process(data)
    assert result.kind == "pdf" and len(result.pages) == 1


def test_a_script_in_a_page_action_is_found_by_the_object_walk(app_ctx):
    """JavaScript outside the catalogue (a page's additional action) is refused like one in it."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf())))
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})})
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(DomainError, match="脚本、附件"):
        process(out.getvalue())
