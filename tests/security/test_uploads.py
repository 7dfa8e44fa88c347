"""Uploads refuse polyglots, oversized and wrong-type files with a clear Chinese message, changing nothing.

Portal: the photo (本人照片). Back office: the school list (学校) and work-unit (工作单位) imports.
"""
from __future__ import annotations

import io
import zipfile

import pytest

from core.db import db
from core.models import Candidate, Major, School, WorkUnit
from core.services.scope import NATIONAL_ADMIN
from tests.factories import jpeg, login_as, make_candidate, make_staff
from tests.support.web import post_page, staff_login, text


def _noisy_jpeg() -> bytes:
    """A real JPEG well over 40 KB (noise does not compress)."""
    import os

    from PIL import Image
    out = io.BytesIO()
    Image.frombytes("RGB", (400, 500), os.urandom(400 * 500 * 3)).save(out, "JPEG", quality=95)
    assert len(out.getvalue()) > 100 * 1024
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("evil.php", "<?php system($_GET['c']); ?>")
    return out.getvalue()


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PHOTO_CASES = {
    "jpeg+zip": (jpeg() + _zip(), "末尾附带"),
    "jpeg+html": (jpeg() + HTML, "末尾附带"),
    "jpeg+php": (jpeg() + b"<?php system($_GET['c']); ?>", "末尾附带"),
    "html named .jpg": (HTML, "JPG格式"),
    "png": (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "JPG格式"),
    "oversized": (_noisy_jpeg(), "不能大于"),
}


@pytest.mark.parametrize("case", PHOTO_CASES)
def test_photo_upload_refuses(client, app_ctx, case):
    data, message = PHOTO_CASES[case]
    cand = make_candidate()
    login_as(client, cand)
    resp = post_page(client, "/profile/photo", {"photo": (io.BytesIO(data), "me.jpg")}, page="/profile",
                     content_type="multipart/form-data")
    assert resp.status_code == 422 and message in text(resp)
    db.session.expire_all()
    assert db.session.get(Candidate, cand.id).photo_path is None


def test_a_plain_jpeg_is_still_accepted(client, app_ctx):
    cand = make_candidate()
    login_as(client, cand)
    resp = post_page(client, "/profile/photo", {"photo": (io.BytesIO(jpeg()), "me.jpg")}, page="/profile",
                     content_type="multipart/form-data")
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Candidate, cand.id).photo_path


def test_request_over_the_size_limit_is_refused(client, app_ctx):
    cand = make_candidate()
    login_as(client, cand)
    big = b"\xff\xd8\xff" + b"\0" * (3 * 1024 * 1024)
    resp = post_page(client, "/profile/photo", {"photo": (io.BytesIO(big), "me.jpg")}, page="/profile",
                     content_type="multipart/form-data")
    assert resp.status_code == 413
    assert "文件过大" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Candidate, cand.id).photo_path is None


IMPORT_CASES = {
    "html named .xlsx": (HTML, "list.xlsx"),
    "zip named .xlsx": (_zip(), "list.xlsx"),
    "jpeg+html named .xls": (jpeg() + HTML, "list.xls"),
    "php": (b"<?php system($_GET['c']); ?>", "list.php"),
}


@pytest.mark.parametrize("url,model", [("/admin/schools/import", School), ("/admin/work-units/import", WorkUnit),
                                       ("/admin/majors/import", Major)])
@pytest.mark.parametrize("case", IMPORT_CASES)
def test_dictionary_imports_refuse(app_ctx, admin_app, client, url, model, case):
    data, filename = IMPORT_CASES[case]
    staff = make_staff(admin_app, NATIONAL_ADMIN)[1]
    assert staff_login(client, staff).status_code == 302
    resp = post_page(client, url, {"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")
    assert resp.status_code == 422, text(resp)[:300]
    body = text(resp)
    error = body.split('class="alert alert-danger" role="alert">')[1].split("</div>")[0]
    assert "导入完成" not in body and any("\u4e00" <= ch <= "\u9fff" for ch in error), error  # Chinese reason
    assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0


@pytest.mark.parametrize("url", ["/admin/schools/import", "/admin/work-units/import", "/admin/majors/import"])
def test_dictionary_import_over_the_size_limit_is_refused(app_ctx, admin_app, client, url):
    staff = make_staff(admin_app, NATIONAL_ADMIN)[1]
    assert staff_login(client, staff).status_code == 302
    big = b"PK\x03\x04" + b"\0" * (3 * 1024 * 1024)
    resp = post_page(client, url, {"file": (io.BytesIO(big), "list.xlsx")}, content_type="multipart/form-data")
    assert resp.status_code == 413
