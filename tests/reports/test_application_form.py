"""报名申请表: the PDF carries the snapshot's values (rare characters too); only its owner prints it."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from reports.application_form import application_form_pdf, forms_pdf, photo_uri
from tests.factories import id_number, login_as, make_candidate, make_catalogue, make_registration


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def pdf_pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def military_registration(app, session):
    cand = make_candidate(name="王𠮷", military_identity="active", doc_number=id_number(seq="777"),
                          mobile="13712345678")
    reg = make_registration(cand, make_catalogue(), attempts=3, military_unit=True)
    snap = dict(reg.snapshot)
    snap["attempts"] = 3
    snap["candidate"] = dict(snap["candidate"], military_identity="现役军人")
    snap["trainings"] = [{"type": "住院医师规范化培训", "institution": "四川大学华西医院", "major": "内科",
                          "start_ym": "2015-09", "end_ym": "2018-08", "certificate_number": "GP2018001"}]
    snap["certificates"] = [{"type": "执业助理医师", "issue_ym": "2012-12", "cert_number": "201211000001",
                             "reg_ym": "2013-03", "reg_number": "110110000012345"}]
    photo_dir = Path(app.config["PHOTO_DIR"])
    (photo_dir / "frozen").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (102, 126), (200, 210, 230)).save(photo_dir / "frozen" / f"{reg.number}.jpg")
    snap["photo"] = f"frozen/{reg.number}.jpg"
    reg.snapshot = snap
    session.commit()
    return reg


def test_pdf_contains_the_snapshot_in_chinese(app_ctx, military_registration, tmp_path):
    snap = military_registration.snapshot
    pdf = application_form_pdf(snap, Path(app_ctx.config["PHOTO_DIR"]))
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    flat = "".join(text.split())  # table cells may wrap a value over two lines
    for expected in ("2027年医师资格考试报名申请表", snap["number"], "王𠮷", "110", "临床执业医师",
                     snap["region"]["name"], snap["site"]["name"], "军事医学", "现役军人",
                     snap["candidate"]["doc_number"], "13712345678", "北京协和医院", "北京大学", "临床医学",
                     "100011201505000123", "住院医师规范化培训", "四川大学华西医院", "执业助理医师",
                     "110110000012345", "累计报考次数", "考生签名", "日期"):
        assert expected in flat, expected
    assert "\n3\n" in text  # 累计报考次数
    assert pdf_pages(pdf, tmp_path) == 1
    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True).stdout.decode()
    assert "jpeg" in images  # the frozen photo is embedded (the QR code is a small PNG)


def test_the_pdf_is_tagged_and_the_major_column_holds_its_name(app_ctx, military_registration, tmp_path):
    """Issue 15: a tagged PDF (PDF/UA-1: structure tree, marked content, language) and 专业 wide enough for
    临床医学 on one line (it wrapped as 临床医 / 学)."""
    import io

    from pypdf import PdfReader
    pdf = application_form_pdf(military_registration.snapshot, Path(app_ctx.config["PHOTO_DIR"]))
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"] and root["/Lang"] == "zh-CN"
    lines = pdf_text(pdf, tmp_path).splitlines()
    assert any("临床医学" in line for line in lines), [line for line in lines if "临床" in line]


def test_fonts_are_embedded_noto_cjk(app_ctx, military_registration, tmp_path):
    path = tmp_path / "f.pdf"
    path.write_bytes(application_form_pdf(military_registration.snapshot, Path("/nonexistent")))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Noto-Sans-CJK-SC" in fonts
    assert len([line for line in fonts.splitlines()[2:] if line.strip()]) <= 2  # one or two faces


def test_qr_code_carries_the_registration_number(military_registration):
    import base64
    import io

    import qrcode
    from reports.application_form import qr_data_uri
    uri = qr_data_uri(military_registration.number)
    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("L")
    expected = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M)
    expected.add_data(military_registration.number)
    matrix = expected.get_matrix()
    box = image.width // len(matrix)
    pixels = [[image.getpixel((x * box + box // 2, y * box + box // 2)) < 128 for x in range(len(matrix))]
              for y in range(len(matrix))]
    assert pixels == matrix  # module for module the QR code of this 报名号


def test_no_photo_file_gives_a_placeholder_and_no_escape_from_photo_dir(app_ctx, tmp_path):
    assert photo_uri(None, tmp_path) is None
    assert photo_uri("../../etc/passwd", tmp_path) is None
    assert photo_uri("missing.jpg", tmp_path) is None


def test_masked_documents_for_staff_who_may_not_see_them(app_ctx, military_registration, tmp_path):
    full = military_registration.snapshot["candidate"]["doc_number"]
    text = pdf_text(application_form_pdf(military_registration.snapshot, tmp_path, mask_documents=True),
                    tmp_path)
    assert full not in text and full[:6] + "********" + full[-4:] in text


def test_batch_of_forms_is_one_pdf_one_page_each(app_ctx, session, tmp_path):
    cat = make_catalogue()
    regs = [make_registration(make_candidate(name=n), cat) for n in ("甲一", "乙二", "丙三")]
    pdf = forms_pdf([r.snapshot for r in regs], tmp_path, chunk=2)
    assert pdf_pages(pdf, tmp_path) == 3
    text = pdf_text(pdf, tmp_path)
    assert all(r.number in text for r in regs) and all(n in text for n in ("甲一", "乙二", "丙三"))


def test_batch_laid_out_by_worker_processes_keeps_the_order(app_ctx, session, tmp_path):
    cat = make_catalogue()
    regs = [make_registration(make_candidate(name=n), cat) for n in ("甲一", "乙二", "丙三")]
    target = tmp_path / "batch.pdf"
    seen = []
    forms_pdf([r.snapshot for r in regs], tmp_path, target=target, chunk=1, workers=2,
              progress=lambda done, total: seen.append((done, total)))
    pages = [pdf_text(_page(target, n), tmp_path) for n in (1, 2, 3)]
    assert [n in p for n, p in zip(("甲一", "乙二", "丙三"), pages)] == [True, True, True]
    assert seen[-1] == (3, 3)


def _page(path: Path, n: int) -> bytes:
    from pypdf import PdfReader, PdfWriter
    import io
    writer = PdfWriter()
    writer.add_page(PdfReader(path).pages[n - 1])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- the candidate's 打印申请表 route ---------------------------------------------------------------

def test_candidate_prints_their_own_form(app, client, military_registration, tmp_path):
    with app.app_context():
        from core.db import db
        reg = db.session.merge(military_registration)
        login_as(client, reg.candidate)
        url = f"/registrations/{reg.id}/application-form.pdf"
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "王𠮷" in pdf_text(response.data, tmp_path)
    assert response.headers["Content-Disposition"].startswith("inline;")
    download = client.get(url + "?download=1")  # 下载申请表: saved, not shown (issue 15)
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment;")
    page = client.get("/registration").get_data(as_text=True)
    assert f'href="{url}" target="_blank"' in page and f'href="{url}?download=1" download' in page


def test_candidate_cannot_print_another_candidates_form(app, client, military_registration):
    with app.app_context():
        other = make_candidate(name="李四")
        make_registration(other, make_catalogue())
        from core.db import db
        db.session.commit()
        login_as(client, other)
        reg_id = military_registration.id
    assert client.get(f"/registrations/{reg_id}/application-form.pdf").status_code == 404
    assert client.get("/registrations/999999/application-form.pdf").status_code == 404


def test_draft_without_snapshot_has_no_form(app, client, session):
    cand = make_candidate()
    reg = make_registration(cand, make_catalogue(), status="draft", number=None, take_seat=False)
    reg.snapshot = None
    session.commit()
    login_as(client, cand)
    assert client.get(f"/registrations/{reg.id}/application-form.pdf").status_code == 404


def test_anonymous_visitor_is_sent_to_login(app, client, military_registration):
    response = client.get(f"/registrations/{military_registration.id}/application-form.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
