"""照片: JPEG by content, at most 40 KB, a minimum size, re-encoded without metadata, owner only."""
import io
import struct

import pytest
from PIL import Image

from core.db import db
from core.services import photos
from tests.factories import jpeg, login_as, make_candidate
from tests.support.web import post_page, text


def upload(client, data: bytes, filename="photo.jpg"):
    return post_page(client, "/profile/photo", {"photo": (io.BytesIO(data), filename)}, page="/profile",
                     content_type="multipart/form-data")


@pytest.fixture
def cand(client, app_ctx):
    c = make_candidate()
    db.session.commit()
    login_as(client, c)
    return c


def _exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0)}  # GPS
    return exif.tobytes()


def test_good_photo_is_stored_outside_the_web_root_without_metadata(client, cand, app):
    original = jpeg(exif=_exif_with_gps())
    assert b"SecretCamera" in original
    response = upload(client, original)
    assert response.status_code == 302
    db.session.refresh(cand)
    path = photos.photo_file(cand)
    assert path.is_relative_to(app.config["PHOTO_DIR"])
    from candidate_portal import bp
    for web_root in filter(None, (app.static_folder, bp.static_folder)):
        assert not path.is_relative_to(web_root)
    stored = path.read_bytes()
    assert b"SecretCamera" not in stored and stored != original
    with Image.open(io.BytesIO(stored)) as img:
        assert img.format == "JPEG" and img.size == (120, 150) and not img.getexif()
    served = client.get("/profile/photo")
    assert served.status_code == 200 and served.data == stored
    assert served.headers["Content-Type"] == "image/jpeg"
    assert "no-store" in served.headers["Cache-Control"]
    assert "本人照片" in text(client.get("/profile"))


def test_new_photo_replaces_the_old_file(client, cand):
    upload(client, jpeg())
    db.session.refresh(cand)
    first = photos.photo_file(cand)
    upload(client, jpeg(colour=(10, 10, 10)))
    db.session.refresh(cand)
    assert photos.photo_file(cand) != first and not first.exists()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 150), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()


def _bomb() -> bytes:
    """A tiny JPEG whose header claims 30000 x 30000 pixels."""
    data = bytearray(jpeg())
    sof = data.find(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", 30000, 30000)
    return bytes(data)


@pytest.mark.parametrize("make, filename, message", [
    (_png, "photo.jpg", "JPG格式"),  # a PNG renamed .jpg: judged by content
    (lambda: b"GIF89a" + b"\0" * 100, "photo.jpg", "JPG格式"),
    (lambda: jpeg()[:200], "photo.jpg", "已损坏"),
    (lambda: jpeg(400, 500, quality=100) + b"\0" * 40000, "photo.jpg", "不能大于40KB"),
    (lambda: jpeg(60, 80), "photo.jpg", "尺寸太小"),
    (_bomb, "photo.jpg", "像素尺寸异常"),
    (lambda: b"", "photo.jpg", "请选择"),
])
def test_bad_photos_get_a_clear_message(client, cand, make, filename, message):
    response = upload(client, make(), filename)
    html = text(response)
    assert response.status_code == 422
    assert 'id="e-photo"' in html and message in html
    db.session.refresh(cand)
    assert cand.photo_path is None


def test_a_jpeg_named_png_is_accepted(client, cand):
    assert upload(client, jpeg(), "photo.png").status_code == 302


def test_no_photo_yet_is_404(client, cand):
    assert client.get("/profile/photo").status_code == 404


def test_stored_path_cannot_escape_the_photo_folder(app_ctx):
    c = make_candidate(photo_path="../../etc/passwd")
    assert photos.photo_file(c) is None
