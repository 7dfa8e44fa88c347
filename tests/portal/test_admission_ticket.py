"""打印准考证 on the registration card: the date before it opens, the PDF after (text checked), never another's."""
import io

from pypdf import PdfReader
from sqlalchemy import select

from core.arrangement import tickets
from core.db import db, utcnow
from core.models import AuditEntry, SeatAssignment
from tests.factories import login_as


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_card_says_when_before_the_date_and_the_pdf_is_refused(client, ticket_opens_later):
    reg = ticket_opens_later["regs"][0]
    login_as(client, reg.candidate)
    page = client.get("/registration").get_data(as_text=True)
    assert "准考证将于" in page and "开放打印" in page and "打印准考证" not in page
    assert client.get(f"/registrations/{reg.id}/admission-ticket.pdf").status_code == 404


def test_ticket_pdf_after_the_date(client, published_site):
    reg = published_site["regs"][0]
    seat = db.session.scalar(select(SeatAssignment).where(SeatAssignment.registration_id == reg.id))
    login_as(client, reg.candidate)
    page = client.get("/registration").get_data(as_text=True)
    assert "打印准考证" in page and f"/registrations/{reg.id}/admission-ticket.pdf" in page
    response = client.get(f"/registrations/{reg.id}/admission-ticket.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = _text(response.data)
    for expected in ("准考证", seat.admission_number, reg.candidate.name, "临床执业医师", "东城区考点",
                     "北京市东城区东单三条9号", f"第{seat.room.number:03d}考场", "第1单元", "考试须知", reg.number):
        assert expected in text, expected
    assert reg.candidate.doc_number not in text and reg.candidate.doc_number[-4:] in text  # masked
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "arrangement.ticket.printed"))


def test_english_ticket(client, published_site):
    reg = published_site["regs"][0]
    login_as(client, reg.candidate)
    client.set_cookie("lang", "en")
    text = _text(client.get(f"/registrations/{reg.id}/admission-ticket.pdf").data)
    assert "Admission Ticket" in text and "Seat" in text and "Rules of the day" in text


def test_another_candidates_ticket_is_404(client, published_site):
    mine, theirs = published_site["regs"][:2]
    login_as(client, mine.candidate)
    assert client.get(f"/registrations/{theirs.id}/admission-ticket.pdf").status_code == 404
    assert client.get("/registrations/999999/admission-ticket.pdf").status_code == 404


def test_logged_out_is_sent_to_login(client, published_site):
    reg = published_site["regs"][0]
    response = client.get(f"/registrations/{reg.id}/admission-ticket.pdf")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_qr_on_the_ticket_carries_a_valid_payload(published_site):
    from core.arrangement import admission
    reg = published_site["regs"][1]
    payload = admission.ticket_data(reg)["qr_payload"]
    assert tickets.verify(payload, utcnow()).registration_number == reg.number


def test_card_in_english(client, ticket_opens_later):
    reg = ticket_opens_later["regs"][0]
    login_as(client, reg.candidate)
    client.set_cookie("lang", "en")
    page = client.get("/registration").get_data(as_text=True)
    assert "The admission ticket can be printed from" in page and "准考证将于" not in page
