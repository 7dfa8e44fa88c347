"""签到表和门贴 of a site: photos downscaled once to the printed size, rooms laid out in child processes, joined
in room order; the PDF's text holds every name, seat and admission number."""
import io

from PIL import Image
from pypdf import PdfReader

from reports.admission_documents import SHEET_PHOTO_PX, sheets_pdf


def _photo(path, colour):
    Image.new("RGB", (900, 1200), colour).save(path, "JPEG", quality=90)


def _sheets(n_rooms, per_room):
    return [{"site": "第一考点", "site_address": "某路1号", "room": f"第{r:03d}考场", "room_place": "2层",
             "rows": [{"seat": f"{s:02d}", "name": f"考生{r}甲{s}", "admission_number": f"2027{r:03d}{s:02d}",
                       "subject": "临床执业医师", "photo": f"p{r}-{s}.jpg"} for s in range(1, per_room + 1)]}
            for r in range(1, n_rooms + 1)]


def test_sheets_with_distinct_photos_in_two_processes(tmp_path):
    sheets = _sheets(3, 4)
    for r, sheet in enumerate(sheets):
        for i, row in enumerate(sheet["rows"]):
            _photo(tmp_path / row["photo"], (20 * i, 60 * r, 200))  # distinct photos
    sheets[0]["rows"][1]["photo"] = "../outside.jpg"  # not inside PHOTO_DIR: the 无照片 box
    pdf = sheets_pdf(sheets, tmp_path, rooms_per_part=1, workers=2)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    for sheet in sheets:
        assert sheet["room"] in text
        for row in sheet["rows"]:
            assert row["name"] in text and row["admission_number"] in text
    assert "无照片" in text
    assert text.index("第001考场") < text.index("第002考场") < text.index("第003考场")  # parts in room order
    images = {img.data: img for page in reader.pages for img in page.images}  # (pages share resources)
    assert len(images) == 11
    assert all(img.image.size == SHEET_PHOTO_PX for img in images.values())  # downscaled, not the 900 x 1200 upload
