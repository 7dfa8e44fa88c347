"""考务管理工作台 (issue 15, item 4): the work waiting within the staff member's scope, with links, and today."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from core.db import db, utcnow
from core.models import PaymentOrder, Refund, Registration
from core.services.workload import start_of_today, workload_of
from tests.support.web import staff_login, text


def _badge(page: str, link_text: str) -> int:
    match = re.search(r'<span class="badge">(\d+)</span>\s*<a href="[^"]+">' + link_text, page)
    assert match, link_text
    return int(match.group(1))


def test_home_counts_only_the_scope(world, client):
    ids = world["ids"]
    order_a = db.session.get(PaymentOrder, ids["order_a"])
    order_b = db.session.get(PaymentOrder, ids["order_b"])
    order_a.expires_at = order_b.expires_at = utcnow() - timedelta(minutes=5)
    db.session.add(Refund(order_id=ids["order_b"], amount_fen=50000, reason="考生放弃报考"))
    db.session.commit()
    staff_login(client, world["staff"]["region"][1])  # 考区管理员 of region A
    page = text(client.get("/admin/"))
    assert _badge(page, "待现场资格审核的报名") == 1  # reg_a, not reg_b
    assert _badge(page, "待网上资格审核的报名（含已补正、逾期未补正）") == 1  # A's online case, not B's
    assert _badge(page, "已过支付时限、等待对账确认的订单") == 1
    assert "/admin/review/list/" in page
    client.get("/admin/logout/")
    staff_login(client, world["staff"]["national"][1])
    page = text(client.get("/admin/"))
    assert _badge(page, "待现场资格审核的报名") == 2
    assert _badge(page, "待网上资格审核的报名（含已补正、逾期未补正）") == 2
    assert _badge(page, "待办理的退费（已申请或未成功）") == 1


def test_today_starts_at_midnight_beijing_time(world):
    # 2027-03-01 01:00 in Beijing is 2027-02-28 17:00 UTC: today began at 2027-02-28 16:00 UTC
    assert start_of_today(datetime(2027, 2, 28, 17, 0)) == datetime(2027, 2, 28, 16, 0)
    reg = db.session.get(Registration, world["ids"]["reg_a"])
    reg.submitted_at = utcnow()
    db.session.commit()
    from flask_appbuilder.security.sqla.models import User
    national = db.session.get(User, world["staff"]["national"][0])
    assert workload_of(national).submitted_today >= 1
