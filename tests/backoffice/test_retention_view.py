"""个人信息保存期限 in the back office: national administrators see the schedule with the counts due now (a dry
run that changes nothing) and can run it (audited, then done); other roles cannot open it."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import db, utcnow
from core.models import AuditEntry, Job, Registration
from tests.factories import make_candidate
from tests.support.web import csrf_token_from, staff_login, text


@pytest.fixture
def old_draft(world):
    reg = Registration(candidate_id=make_candidate().id, exam_year_id=world["ids"]["year"],
                       subject_id=world["ids"]["subject_a"], status="draft", updated_at=utcnow() - timedelta(days=400))
    db.session.add(reg)
    db.session.commit()
    return reg.id


def test_national_admin_sees_counts_then_runs_it(world, client, old_draft, admin_app, monkeypatch):
    monkeypatch.setitem(admin_app.config, "JOB_BACKEND", "inline")
    staff_login(client, world["staff"]["national"][1])
    page = text(client.get("/admin/retention/"))
    assert "从未提交的报名草稿" in page and "180天" in page and "审计日志" in page
    assert "<td>1</td>" in page  # the old draft, counted
    # each period with its basis and whether it is still a proposal awaiting the examination centre
    assert "法律法规：" in page and "会计档案管理办法" in page and "处理目的所需：" in page
    assert "考试管理机构的规定：" in page and "已确定" in page and "提议，待确认" in page
    assert db.session.get(Registration, old_draft) is not None  # the dry run changed nothing
    response = client.post("/admin/retention/run", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, old_draft) is None
    job = db.session.scalar(db.select(Job).filter_by(kind="privacy.retention"))
    assert job.state == "done" and "从未提交的报名草稿 1 条" in job.message
    actions = {a for (a,) in db.session.execute(db.select(AuditEntry.action))}
    assert {"privacy.retention.requested", "privacy.retention.enforced"} <= actions
    assert "从未提交的报名草稿 1 条" in text(client.get("/admin/retention/"))


@pytest.mark.parametrize("role", ["region", "site", "finance"])
def test_other_roles_cannot_open_or_run_it(world, client, role):
    staff_login(client, world["staff"][role][1])
    assert client.get("/admin/retention/").status_code in (302, 403, 404)
    home = text(client.get("/admin/resetmypassword/form"))  # a form every role has
    assert client.post("/admin/retention/run", data={"csrf_token": csrf_token_from(home)}).status_code in (302, 403, 404)
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 0
