"""退费 in the back office: 财务 executes a requested refund through the (real, local) sandbox bank or records
a refund made elsewhere; scope, roles, CSRF, double execution, gateway refusal; the candidate sees the state.

World: region A with a registration paid at the sandbox bank and then abandoned (放弃报考 on the portal, which
requests the refund); region B with a paid, abandoned registration of its own. Staff: 财务 of A, 考区管理员 of
A (read only), 考点审核员 of A's site, 国家管理员.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from core.db import db, utcnow
from core.models import AuditEntry, PaymentOrder, Refund, Registration
from core.payments import service
from core.services.scope import FINANCE, NATIONAL_ADMIN, REGION_ADMIN, SITE_REVIEWER
from tests.factories import add_fees, login_as, make_catalogue, make_registration, make_staff
from tests.support.environment import IS_SQLITE
from tests.support.payments import APP_ID, order_state, pay_at_bank, wait_for
from tests.support.web import admin_csrf, csrf_token_from, staff_login


def _abandon_on_portal(app, reg):
    """The candidate presses 放弃报考 on 考试报名: a paid registration becomes a refund request."""
    portal = app.test_client()
    login_as(portal, reg.candidate)
    token = csrf_token_from(portal.get("/registration").get_data(as_text=True))
    resp = portal.post(f"/registration/{reg.id}/abandon", data={"csrf_token": token})
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)
    return portal


@pytest.fixture
def rw(app, session, admin_app, pay_config, bank, platform_url, monkeypatch):
    for name in [k for k in app.config if k.startswith("PAYMENT_")]:  # the back office calls the bank too
        monkeypatch.setitem(admin_app.config, name, app.config[name])
    cat_a, cat_b = make_catalogue(), make_catalogue()
    add_fees(cat_a)
    reg_a = make_registration(cat=cat_a)
    reg_b = make_registration(cat=cat_b)
    order_b = PaymentOrder(registration_id=reg_b.id, out_trade_no=f"MXB{reg_b.id:08d}", provider="sandbox",
                           amount_fen=50000, items=[], status="paid", paid_at=utcnow())
    reg_b.payment_status = "paid"
    session.add(order_b)
    session.commit()
    pay_at_bank(bank, reg_a, platform_url)
    assert wait_for(lambda: order_state(session, reg_a) == ("paid", "paid"))
    portal = _abandon_on_portal(app, session.get(Registration, reg_a.id))
    refund_b = service.request_refund(session.get(Registration, reg_b.id), "考生放弃报考")
    session.commit()
    refund_a = session.scalar(select(Refund).join(PaymentOrder).where(PaymentOrder.registration_id == reg_a.id))
    assert refund_a is not None and refund_a.status == "requested"
    staff = {"finance": make_staff(admin_app, FINANCE, regions=[cat_a["region"]]),
             "region": make_staff(admin_app, REGION_ADMIN, regions=[cat_a["region"]]),
             "site": make_staff(admin_app, SITE_REVIEWER, sites=[cat_a["site"]]),
             "national": make_staff(admin_app, NATIONAL_ADMIN)}
    return {"a": refund_a.id, "b": refund_b.id, "reg_a": reg_a.id, "reg_b": reg_b.id, "staff": staff,
            "portal": portal, "out_trade_no_a": refund_a.order.out_trade_no,
            "yuan_a": f"{refund_a.amount_fen / 100:.2f}"}


def _as(app, rw, role):
    client = app.test_client()
    resp = staff_login(client, rw["staff"][role][1])
    assert resp.status_code == 302 and "/login" not in resp.headers["Location"]
    return client, admin_csrf(client)


def _refund(refund_id) -> Refund:
    db.session.expire_all()
    return db.session.get(Refund, refund_id)


def _audits(action, refund_id):
    return db.session.execute(select(AuditEntry).filter_by(action=action, object_type="refunds",
                                                           object_id=refund_id)).scalars().all()


def _bank_refunds(bank, rw):
    return dict(bank.trade(APP_ID, rw["out_trade_no_a"]).refunds)


def test_finance_executes_a_refund_through_the_bank_once(app, rw, bank):
    portal = rw["portal"]
    assert "退费处理中" in portal.get("/registration").get_data(as_text=True)
    client, token = _as(app, rw, "finance")
    page = client.get(f"/admin/refunds/show/{rw['a']}").get_data(as_text=True)
    assert "执行退费" in page and "登记线下退费" in page and "退费申请已提交，等待财务处理" in page
    form = client.get(f"/admin/refunds/{rw['a']}/execute").get_data(as_text=True)
    assert 'name="csrf_token"' in form and "确认执行退费" in form

    resp = client.post(f"/admin/refunds/{rw['a']}/execute", data={"csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/admin/refunds/show/{rw['a']}")
    shown = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "退费已通过银行原路退回" in shown and 'id="refund-status">已退费' in shown
    refund = _refund(rw["a"])
    assert refund.status == "done" and refund.executed_by_id == rw["staff"]["finance"][0]
    assert order_state(db.session, db.session.get(Registration, rw["reg_a"])) == ("refunded", "refunded")
    assert _bank_refunds(bank, rw) == {f"RF{rw['a']}": rw["yuan_a"]}

    again = client.post(f"/admin/refunds/{rw['a']}/execute", data={"csrf_token": token})
    assert again.status_code == 409 and "该退费已处理，不能重复退费" in again.get_data(as_text=True)
    external = client.post(f"/admin/refunds/{rw['a']}/external", data={"csrf_token": token,
                                                                         "external_ref": "BANK-1"})
    assert external.status_code == 409 and "不能重复登记" in external.get_data(as_text=True)
    assert _refund(rw["a"]).status == "done" and _bank_refunds(bank, rw) == {f"RF{rw['a']}": rw["yuan_a"]}
    entries = _audits("payment.refund.executed", rw["a"])
    assert len(entries) == 1 and entries[0].actor_id == rw["staff"]["finance"][0]

    assert "已退费" in portal.get("/registration").get_data(as_text=True)
    status = portal.get(f"/payment/{rw['out_trade_no_a']}").get_data(as_text=True)
    assert "已退费（原路退回）" in status


def test_a_refusal_by_the_bank_is_a_message_and_can_be_retried(app, rw, bank):
    client, token = _as(app, rw, "finance")
    bank.settings.query_refuse = True
    resp = client.post(f"/admin/refunds/{rw['a']}/execute", data={"csrf_token": token})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "退费未成功" in body and "确认执行退费" in body
    assert _refund(rw["a"]).status == "failed" and _bank_refunds(bank, rw) == {}
    assert len(_audits("payment.refund.failed", rw["a"])) == 1
    assert "退费处理中" in rw["portal"].get("/registration").get_data(as_text=True)
    bank.settings.query_refuse = False
    assert client.post(f"/admin/refunds/{rw['a']}/execute", data={"csrf_token": token}).status_code == 302
    assert _refund(rw["a"]).status == "done" and len(_bank_refunds(bank, rw)) == 1


def test_external_refund_is_recorded_with_its_reference(app, rw, bank):
    client, token = _as(app, rw, "finance")
    bad = client.post(f"/admin/refunds/{rw['a']}/external", data={"csrf_token": token, "external_ref": "  ",
                                                                    "note": "工行转账"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "请填写线下退费的凭证号" in body and "has-error" in body
    assert "工行转账" in body  # what was typed is kept
    assert _refund(rw["a"]).status == "requested"

    ok = client.post(f"/admin/refunds/{rw['a']}/external", data={"csrf_token": token,
                                                                   "external_ref": "ICBC-20270315-0001",
                                                                   "note": "工行转账"})
    assert ok.status_code == 302
    refund = _refund(rw["a"])
    assert (refund.status, refund.external_ref) == ("external", "ICBC-20270315-0001")
    assert db.session.get(Registration, rw["reg_a"]).payment_status == "refunded"
    entries = _audits("payment.refund.recorded_external", rw["a"])
    assert len(entries) == 1 and entries[0].after["external_ref"] == "ICBC-20270315-0001"
    assert entries[0].after["note"] == "工行转账" and entries[0].actor_id == rw["staff"]["finance"][0]
    shown = client.get(f"/admin/refunds/show/{rw['a']}").get_data(as_text=True)
    assert "ICBC-20270315-0001" in shown and "执行退费" not in shown
    # executing afterwards refunds nothing at the bank
    assert client.post(f"/admin/refunds/{rw['a']}/execute", data={"csrf_token": token}).status_code == 409
    assert _bank_refunds(bank, rw) == {}
    assert "已退费（线下办理）" in rw["portal"].get(f"/payment/{rw['out_trade_no_a']}").get_data(as_text=True)


def test_outside_the_scope_nothing_exists(app, rw):
    client, token = _as(app, rw, "finance")
    assert rw["out_trade_no_a"] in client.get("/admin/refunds/list/").get_data(as_text=True)
    b = rw["b"]
    assert client.get(f"/admin/refunds/show/{b}").status_code == 404
    assert client.get(f"/admin/refunds/{b}/execute").status_code == 404
    assert client.post(f"/admin/refunds/{b}/execute", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/admin/refunds/{b}/external", data={"csrf_token": token,
                                                              "external_ref": "X-1"}).status_code == 404
    assert client.post("/admin/refunds/999999/execute", data={"csrf_token": token}).status_code == 404
    assert _refund(b).status == "requested"
    assert not db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.object_type == "refunds", AuditEntry.object_id == b,
        AuditEntry.action != "payment.refund.requested"))


@pytest.mark.parametrize("role", ["site", "region"])
def test_reviewers_and_region_admins_cannot_refund(app, rw, role):
    client, token = _as(app, rw, role)
    show = client.get(f"/admin/refunds/show/{rw['a']}")
    if role == "region":  # 考区管理员 reads refunds, without the buttons
        assert show.status_code == 200 and "执行退费" not in show.get_data(as_text=True)
    else:
        assert show.status_code == 403
    assert client.get(f"/admin/refunds/{rw['a']}/execute").status_code == 403
    assert client.post(f"/admin/refunds/{rw['a']}/execute", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/admin/refunds/{rw['a']}/external", data={"csrf_token": token,
                                                                     "external_ref": "X-1"}).status_code == 403
    assert _refund(rw["a"]).status == "requested"


def test_without_the_csrf_token_nothing_happens(app, rw, bank):
    client, _ = _as(app, rw, "finance")
    resp = client.post(f"/admin/refunds/{rw['a']}/execute", data={})
    assert resp.status_code == 400 and _refund(rw["a"]).status == "requested"
    assert _bank_refunds(bank, rw) == {}


def test_national_admin_refunds_everywhere(app, rw):
    client, token = _as(app, rw, "national")
    assert client.get(f"/admin/refunds/{rw['b']}/execute").status_code == 200
    ok = client.post(f"/admin/refunds/{rw['b']}/external", data={"csrf_token": token, "external_ref": "NB-1"})
    assert ok.status_code == 302 and _refund(rw["b"]).status == "external"


@pytest.mark.skipif(IS_SQLITE, reason="racing requests need PostgreSQL")
def test_two_racing_executions_refund_once(app, rw, bank):
    """Two finance staff press 确认执行退费 at the same moment: one refund at the bank, one transition."""
    clients = [_as(app, rw, "finance") for _ in range(2)]
    barrier = threading.Barrier(2)
    codes = []

    def press(client, token):
        barrier.wait()
        codes.append(client.post(f"/admin/refunds/{rw['a']}/execute", data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=press, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(codes) == [302, 409]
    assert _refund(rw["a"]).status == "done" and len(_bank_refunds(bank, rw)) == 1
    assert len(_audits("payment.refund.executed", rw["a"])) == 1
