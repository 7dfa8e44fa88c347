"""What the 考试报名 card says about paying (issue 15): the fee, 支付确认中 while the bank's confirmation is
awaited (no second 缴费), and the region's own payment note when it has no online payment."""
from datetime import timedelta

from core.db import utcnow
from core.payments import service
from tests.factories import login_as, setup_reg
from tests.support.payments import press_pay
from tests.support.web import text


def _card(client, reg) -> str:
    html = text(client.get("/registration"))
    start = html.index(f'id="registration-{reg.id}"')
    return html[start:html.index("</article>", start)]


def test_the_card_shows_the_fee_and_a_pay_button_before_paying(client, session, pay_config):
    reg = setup_reg(session)
    login_as(client, reg.candidate)
    card = _card(client, reg)
    assert "1040.00" in card and "未缴费" in card and f"/registration/{reg.id}/pay" in card
    assert "支付确认中" not in card


def test_after_going_to_the_bank_the_card_says_confirming_without_a_second_pay_button(client, session, pay_config):
    reg = setup_reg(session)
    login_as(client, reg.candidate)
    assert press_pay(client, reg).status_code == 303
    card = _card(client, reg)
    order = service.open_order(reg)
    assert "支付确认中" in card and "请勿重复缴费" in card and "未缴费" not in card
    assert f"/registration/{reg.id}/pay" not in card and f"/payment/{order.out_trade_no}" in card
    order.expires_at = utcnow() - timedelta(minutes=1)  # past the bank's time limit: 缴费 again
    session.commit()
    card = _card(client, reg)
    assert "支付确认中" not in card and f"/registration/{reg.id}/pay" in card


def test_a_region_without_online_payment_shows_its_note_on_the_card(client, session, pay_config):
    reg = setup_reg(session, online_payment_open=False, fee_collection_note="请在现场确认时到考点缴费。")
    login_as(client, reg.candidate)
    card = _card(client, reg)
    assert "请在现场确认时到考点缴费。" in card and "本考区未开通网上缴费" in card
    assert f"/registration/{reg.id}/pay" not in card
