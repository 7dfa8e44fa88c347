"""审计日志 as a person reads it (issue 15, item 3): Chinese actions and object types, the actor by name,
before/after as fields (no JSON, no \\u escapes, never "None")."""
from __future__ import annotations

import re

from sqlalchemy import select

from core.db import db
from core.models import AuditEntry
from core.services import audit, audit_text
from tests.support.web import staff_login, text


def _entry(**kw) -> int:
    entry = audit.record(**kw)
    db.session.commit()
    return entry.id


def test_show_page_names_the_actor_and_lists_the_fields(world, client):
    staff_id, username = world["staff"]["national"]
    pk = _entry(action="registration.rejected", actor_type="staff", actor_id=staff_id,
                object_type="registrations", object_id=world["ids"]["reg_a"],
                before={"status": "submitted"}, after={"status": "rejected", "reason": "学历证书与系统不符"})
    staff_login(client, username)
    page = text(client.get(f"/admin/audit-log/show/{pk}"))
    assert "审核不通过" in page and f"{username}（考务人员）" in page and "报名 #" in page
    assert re.search(r"<th scope=\"row\">状态</th><td>已提交</td><td>审核未通过</td>", page)
    assert "学历证书与系统不符" in page
    assert "\\u" not in page and "None" not in page and "{&#34;" not in page and '{"' not in page


def test_list_shows_chinese_actions_and_object_types(world, client):
    _entry(action="catalogue.sites.added", actor_type="system", object_type="sites", object_id=1)
    staff_login(client, world["staff"]["national"][1])
    page = text(client.get("/admin/audit-log/list/"))
    assert "新增考点" in page and "catalogue.sites.added" not in page
    assert ">None<" not in page


def test_record_fills_in_the_staff_members_name(world):
    staff_id, username = world["staff"]["national"]
    pk = _entry(action="staff.password.changed", actor_type="staff", actor_id=staff_id)
    assert db.session.scalar(select(AuditEntry.actor_name).where(AuditEntry.id == pk)) == username


def test_every_action_the_code_writes_has_a_chinese_name():
    """Each literal action in the sources, plus the patterns built at run time, words in Chinese."""
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    found = set()
    for folder in ("core", "backoffice", "candidate_portal", "reports", "commands"):
        for path in (root / folder).rglob("*.py"):
            found |= set(re.findall(r"\"((?:candidate|registration|payment|staff|site|report|dictionary|demo)"
                                    r"\.[a-z_]+(?:\.[a-z_]+)?)\"", path.read_text(encoding="utf-8")))
    found -= {"candidate.name", "registration.number", "site.name"}  # attribute paths, not actions
    found |= {"catalogue.sites.added", "catalogue.fees.changed", "candidate.education.added",
              "training.verified"}
    from core.registration.lifecycle import TRANSITIONS
    found |= {t.audit_action for t in TRANSITIONS.values()}
    unnamed = sorted(a for a in found if not re.search(r"[\u4e00-\u9fff]", audit_text.action_label(a)))
    assert unnamed == []


def test_an_entry_without_an_object_shows_a_dash_not_none(world, client):
    audit.record("demo.loaded", actor_type="system")
    db.session.commit()
    staff_login(client, world["staff"]["national"][1])
    page = client.get("/admin/audit-log/list/").get_data(as_text=True)
    assert "载入演示数据" in page and ">None<" not in page.replace(" ", "").replace("\n", "")


def test_contact_data_is_masked_and_a_de_identified_entry_says_so(world, client):
    """Contact values are shown in full only by 显示完整联系方式 (audited), not through the log; an entry past its
    period (retention kind ``audit``) names nobody and says when it was de-identified."""
    from datetime import timedelta

    from core.db import utcnow
    from core.privacy import retention
    staff_id, username = world["staff"]["national"]
    pk = _entry(action="candidate.contact.updated", actor_type="candidate", actor_id=world["ids"]["cand_a"],
                object_type="candidates", object_id=world["ids"]["cand_a"],
                before={"mobile": "13912345678"}, after={"mobile": "13698765432"})
    old = audit.record("candidate.contact.updated", actor_type="staff", actor_id=staff_id,
                       object_type="candidates", object_id=world["ids"]["cand_a"], after={"mobile": "13698765432"})
    old.at = utcnow() - retention.SCHEDULE["audit"].period - timedelta(days=1)
    db.session.commit()
    old_pk = old.id
    retention.enforce()
    staff_login(client, username)
    page = text(client.get(f"/admin/audit-log/show/{pk}"))
    assert "139****5678" in page and "13912345678" not in page and "13698765432" not in page
    gone = text(client.get(f"/admin/audit-log/show/{old_pk}"))
    assert "去标识化" in gone and "操作者、IP地址和内容已清除" in gone and username not in gone.split("审计记录")[-1]
