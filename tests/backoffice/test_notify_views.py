"""通知 in the back office: per candidate the messages with their delivery state, the failed deliveries of the
staff member's scope only, 重新发送 (audited, region administrators), 404 outside the scope."""
from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.models import AuditEntry, Message
from core.notify.outbox import queue
from core.services.audit_text import ACTIONS
from tests.support.web import admin_csrf, staff_login, text


def failed(candidate_id: int, key: str) -> int:
    queue(candidate_id, "payment_paid", {"number": key, "amount": "1.00", "receipt": "R"}, key=key)
    db.session.flush()
    message = Message(key=f"{key}:email", candidate_id=candidate_id, channel="email", template="payment_paid",
                      params={}, lang="zh", recipient=f"{key}@invalid.test", subject=f"主题{key}",
                      body_text="x", state="failed", attempts=1, last_error="邮件服务器拒绝收件人（550）")
    db.session.add(message)
    db.session.commit()
    return message.id


def test_failed_list_is_scoped_and_resend_is_audited(world, client, admin_app):
    mine, theirs = failed(world["ids"]["cand_a"], "A1"), failed(world["ids"]["cand_b"], "B1")
    staff_login(client, world["staff"]["region"][1])
    page = text(client.get("/admin/notify/failed"))
    assert "主题A1" in page and "主题B1" not in page and "A1***@invalid.test" in page  # masked (最小必要)
    token = admin_csrf(client)
    assert client.post(f"/admin/notify/{theirs}/resend", data={"csrf_token": token}).status_code == 404
    response = client.post(f"/admin/notify/{mine}/resend", data={"csrf_token": token, "back": "failed"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Message, mine).state == "queued" and db.session.get(Message, mine).attempts == 0
    assert db.session.get(Message, theirs).state == "failed"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "notify.message.resent"))
    assert entry.object_id == mine and entry.after["state"] == "queued"
    assert ACTIONS["notify.message.resent"] == "重新发送通知"
    # twice: not failed any more, nothing changes
    client.post(f"/admin/notify/{mine}/resend", data={"csrf_token": token})
    assert "无需重新发送" in text(client.get("/admin/notify/failed"))
    assert db.session.scalar(select(db.func.count(AuditEntry.id))
                             .where(AuditEntry.action == "notify.message.resent")) == 1


def test_resend_needs_csrf(world, client):
    mine = failed(world["ids"]["cand_a"], "A1")
    staff_login(client, world["staff"]["region"][1])
    assert client.post(f"/admin/notify/{mine}/resend").status_code == 400
    db.session.expire_all()
    assert db.session.get(Message, mine).state == "failed"


def test_candidate_messages_with_state(world, client):
    failed(world["ids"]["cand_a"], "A1")
    staff_login(client, world["staff"]["site"][1])
    page = text(client.get(f"/admin/notify/candidate/{world['ids']['cand_a']}"))
    assert "消息中心" in page and "电子邮件" in page and "发送失败" in page and "未读" in page
    assert "/resend" not in page  # a site reviewer sees, but may not resend
    assert client.get(f"/admin/notify/candidate/{world['ids']['cand_b']}").status_code == 404
    assert f"/admin/notify/candidate/{world['ids']['cand_a']}" in text(
        client.get(f"/admin/candidates/{world['ids']['cand_a']}"))


def test_finance_has_no_access(world, client):
    staff_login(client, world["staff"]["finance"][1])
    assert client.get("/admin/notify/failed").status_code in (302, 403)
