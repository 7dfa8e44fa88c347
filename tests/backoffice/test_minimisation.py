"""最小必要 in the back office (PIPL Art. 6, 51; issue 20 item 5): contact data (手机、电子邮箱、通讯地址) is masked
on the candidate's page, in its history and in notification records; the roles whose work needs it
(国家管理员, 考区管理员, 考点审核员) show it in full for one candidate in scope, each showing audited without
the values; 财务 never. 审核材料 scans open only for reviewing roles; 财务 sees that they exist."""
from __future__ import annotations

import pytest

from core.db import db, utcnow
from core.models import AuditEntry, Candidate, Message
from core.services import audit
from core.services.scope import REGION_ADMIN
from reports.scope import ReportScope
from tests.factories import make_staff
from tests.support.web import csrf_token_from, staff_login, text

MOBILE, EMAIL, ADDRESS = "13912345678", "li.hua@example.com", "北京市东城区东单北大街1号"


@pytest.fixture
def contact(world):
    cand = db.session.get(Candidate, world["ids"]["cand_a"])
    cand.mobile, cand.email, cand.address = MOBILE, EMAIL, ADDRESS
    cand.mobile_verified_at = cand.email_verified_at = utcnow()  # messages go to verified contacts only
    audit.record("candidate.contact.updated", actor_type="candidate", actor_id=cand.id, obj=cand,
                 before={"mobile": "13800138000"}, after={"mobile": MOBILE, "email": EMAIL})
    db.session.commit()
    return world["ids"]["cand_a"]


def _reveals(world) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).filter_by(action="candidate.contact.revealed")))


# what each role's 显示 shows in full; the rest stays masked (docs/privacy.md, 最小必要 per role)
SHOWN = {"national": {MOBILE, EMAIL, ADDRESS}, "region": {MOBILE, EMAIL, ADDRESS}, "site": {MOBILE}}
MASKED = {MOBILE: "139****5678", EMAIL: "li***@example.com", ADDRESS: "北京市东城区***"}
BUTTON = {"national": "显示完整联系方式", "region": "显示完整联系方式", "site": "显示完整手机号码"}


@pytest.mark.parametrize("role", ["national", "region", "site"])
def test_contacts_are_masked_until_shown_and_each_showing_is_audited(world, client, contact, role):
    staff_login(client, world["staff"][role][1])
    page = text(client.get(f"/admin/candidates/{contact}"))
    assert all(masked in page for masked in MASKED.values())
    for value in (MOBILE, EMAIL, ADDRESS, "13800138000"):
        assert value not in page  # nor in the history's before/after
    assert f"{BUTTON[role]}（将记入审计日志）" in page and _reveals(world) == []
    shown = text(client.post(f"/admin/candidates/{contact}/reveal-contact",
                             data={"csrf_token": csrf_token_from(page)}))
    for value, masked in MASKED.items():
        assert (value in shown) == (value in SHOWN[role]) and (value in SHOWN[role] or masked in shown)
    (entry,) = _reveals(world)
    assert entry.actor_id == world["staff"][role][0] and entry.object_id == contact
    assert entry.after == {"fields": ["mobile"] if role == "site" else ["mobile", "email", "address"]}
    assert MOBILE not in str(entry.after) and MOBILE not in str(entry.before)


def test_a_site_reviewer_is_told_what_stays_masked(world, client, contact):
    staff_login(client, world["staff"]["site"][1])
    page = text(client.get(f"/admin/candidates/{contact}"))
    assert "电子邮箱、通讯地址已部分隐藏：您的角色不需要。" in page
    assert ReportScope.for_user(_user(world, "site")).full_contacts is False  # a whole file of phones: never


def test_finance_never_sees_contacts(world, client, contact):
    staff_login(client, world["staff"]["finance"][1])
    assert client.get(f"/admin/candidates/{contact}").status_code in (302, 403, 404)
    home = text(client.get("/admin/resetmypassword/form"))
    response = client.post(f"/admin/candidates/{contact}/reveal-contact", data={"csrf_token": csrf_token_from(home)})
    assert response.status_code in (302, 403, 404) and MOBILE not in text(response)
    assert _reveals(world) == []
    assert ReportScope.for_user(_user(world, "finance")).full_contacts is False  # its exports are masked
    assert ReportScope.for_user(_user(world, "region")).full_contacts is True


def _user(world, role):
    from flask_appbuilder.security.sqla.models import User
    return db.session.get(User, world["staff"][role][0])


def test_a_candidate_outside_the_scope_is_not_found(world, client, contact, admin_app):
    other = make_staff(admin_app, REGION_ADMIN, regions=[world["ids"]["region_b"]])
    staff_login(client, other[1])
    home = text(client.get("/admin/resetmypassword/form"))
    response = client.post(f"/admin/candidates/{contact}/reveal-contact", data={"csrf_token": csrf_token_from(home)})
    assert response.status_code == 404 and _reveals(world) == []


def test_the_reveal_needs_csrf(world, client, contact):
    staff_login(client, world["staff"]["region"][1])
    response = client.post(f"/admin/candidates/{contact}/reveal-contact")
    assert response.status_code in (400, 403) and _reveals(world) == []


def test_notification_records_mask_the_recipients(world, client, contact):
    for channel, recipient in (("sms", MOBILE), ("email", EMAIL)):
        db.session.add(Message(key=f"min:{channel}", candidate_id=contact, channel=channel, template="payment_paid",
                               params={}, lang="zh", recipient=recipient, subject="缴费成功", body_text="x",
                               state="failed", attempts=1, last_error="拒收"))
    db.session.commit()
    staff_login(client, world["staff"]["region"][1])
    for url in (f"/admin/notify/candidate/{contact}", "/admin/notify/failed"):
        page = text(client.get(url))
        assert "139****5678" in page and "li***@example.com" in page
        assert MOBILE not in page and EMAIL not in page


def test_documents_open_only_for_reviewing_roles_others_see_that_they_exist(world, client):
    ids = world["ids"]
    staff_login(client, world["staff"]["finance"][1])
    shown = text(client.get(f"/admin/registrations/show/{ids['onl_a']}"))
    assert "审核材料" in shown and "1 份（仅资格审核人员可在网上资格审核中查看）" in shown
    for which in ("thumb", "page", "original"):
        response = client.get(f"/admin/online-review/documents/{ids['doclink_a']}/{which}")
        assert response.status_code in (302, 403, 404) and response.mimetype != "image/jpeg"
    client.get("/admin/logout/")
    for role in ("region", "site"):
        staff_login(client, world["staff"][role][1])
        assert client.get(f"/admin/online-review/documents/{ids['doclink_a']}/thumb").mimetype == "image/jpeg"
        client.get("/admin/logout/")


def test_exports_may_mask_contacts_and_show_documents_separately():
    scope = ReportScope(False, frozenset({1}), frozenset(), full_documents=True, full_contacts=False)
    assert scope.full_documents and not scope.full_contacts
    assert ReportScope.of(full_documents=True).full_contacts is True  # unset: as documents
