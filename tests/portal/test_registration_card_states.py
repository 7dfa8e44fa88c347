"""The card after a review decision (issue 15): abandoning an approved registration warns that the approval is
lost; a rejected registration says what happens to the fee and what to do next."""
from core.db import db
from tests.factories import login_as, make_catalogue, make_registration
from tests.support.web import text


def _card(client, reg) -> str:
    html = text(client.get("/registration"))
    start = html.index(f'id="registration-{reg.id}"')
    return html[start:html.index("</article>", start)]


def test_abandoning_an_approved_registration_warns_about_losing_the_approval(client, session):
    reg = make_registration(cat=make_catalogue(), status="approved")
    db.session.commit()
    login_as(client, reg.candidate)
    card = _card(client, reg)
    assert f'id="approved-{reg.id}"' in card and "审核结果作废" in card.split("data-confirm=")[1]
    submitted = make_registration(reg.candidate, make_catalogue())
    db.session.commit()
    assert "审核结果作废" not in _card(client, submitted)


def test_a_rejected_registration_says_what_happens_to_the_fee_and_what_next(client, session):
    paid = make_registration(cat=make_catalogue(), status="rejected", reject_reason="学历证书不清晰",
                             payment_status="refund_pending", take_seat=False)
    db.session.commit()
    login_as(client, paid.candidate)
    card = _card(client, paid)
    assert "学历证书不清晰" in card and "退回原支付账户" in card and "开始新的报名" in card
    unpaid = make_registration(paid.candidate, make_catalogue(), status="rejected", take_seat=False)
    db.session.commit()
    card = _card(client, unpaid)
    assert "无需退费" in card and "退回原支付账户" not in card
