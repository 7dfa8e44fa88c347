"""考场编排 in the back office: 预排 → 发布, files, 导入考场, 入场核验, rooms list; scope and bad input."""
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from core.arrangement import admission
from core.db import db
from core.models import ArrangementRun, AuditEntry, ExamRoom, SeatAssignment
from core.services.scope import REGION_ADMIN, SITE_REVIEWER
from tests.factories import make_catalogue, make_rooms, make_sessions, make_staff
from tests.support.web import admin_csrf, staff_login


@pytest.fixture
def staff(admin_app, published_site):
    other = make_catalogue()
    other["site"].name = "外省考点"
    db.session.commit()
    return {"region": make_staff(admin_app, REGION_ADMIN, regions=[published_site["region"]])[1],
            "site": make_staff(admin_app, SITE_REVIEWER, sites=[published_site["site"]])[1],
            "foreign": make_staff(admin_app, REGION_ADMIN, regions=[other["region"]])[1]}


def _login(client, username):
    assert staff_login(client, username).status_code == 302
    return admin_csrf(client)


def test_plan_then_publish_through_the_pages(client, admin_app, monkeypatch, published_site, staff):
    monkeypatch.setitem(admin_app.config, "JOB_BACKEND", "inline")
    site, year = published_site["site"], published_site["year"]
    token = _login(client, staff["region"])
    page = client.get("/admin/arrangement/").get_data(as_text=True)
    assert site.name in page and "签到表和门贴" in page
    bad = client.post("/admin/arrangement/plan", data={"csrf_token": token, "site_id": site.id,
                                                       "exam_year_id": year.id, "seed": "abc"})
    assert bad.status_code == 400 and "随机种子须为" in bad.get_data(as_text=True)
    resp = client.post("/admin/arrangement/plan", data={"csrf_token": token, "site_id": site.id,
                                                        "exam_year_id": year.id, "seed": "77"})
    assert resp.status_code == 302 and "/reports/jobs/" in resp.headers["Location"]
    job_page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已安排 5 人" in job_page
    run = db.session.scalar(select(ArrangementRun).where(ArrangementRun.state == "draft"))
    assert run.seed == 77 and run.moved_count == 0  # nothing changed since the publication: nobody moves
    assert "考场预排结果" in client.get(f"/admin/arrangement/runs/{run.id}").get_data(as_text=True)
    client.post(f"/admin/arrangement/runs/{run.id}/publish", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(ArrangementRun, run.id).state == "published"
    again = client.post(f"/admin/arrangement/runs/{run.id}/publish", data={"csrf_token": token},
                        follow_redirects=True)
    assert "只能发布尚未发布的预排结果" in again.get_data(as_text=True)


def test_sheets_and_workbook(client, admin_app, monkeypatch, published_site, staff):
    monkeypatch.setitem(admin_app.config, "JOB_BACKEND", "inline")
    token = _login(client, staff["site"])
    site = published_site["site"]
    seats = db.session.scalars(select(SeatAssignment)).all()
    resp = client.post(f"/admin/arrangement/sites/{site.id}/sheets", data={"csrf_token": token})
    assert resp.status_code == 302 and "/reports/jobs/" in resp.headers["Location"]
    job_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    status = client.get(f"/admin/reports/jobs/{job_id}.json").get_json()
    assert status["state"] == "done" and status["progress"] == 100 and "签到表和门贴" in status["message"]
    pdf = client.get(status["download_url"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "签到表" in text and all(s.admission_number in text for s in seats)
    xlsx = client.get(f"/admin/arrangement/sites/{site.id}/arrangement.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[1][:4] == ("考场", "考场位置", "座位号", "准考证号") and len(rows) == 2 + len(seats)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"arrangement.sheets.requested", "arrangement.site.exported"} <= actions


def test_foreign_staff_see_nothing_of_the_site(client, published_site, staff):
    token = _login(client, staff["foreign"])
    site = published_site["site"]
    assert published_site["site"].name not in client.get("/admin/arrangement/").get_data(as_text=True)
    assert client.post(f"/admin/arrangement/sites/{site.id}/sheets", data={"csrf_token": token}).status_code == 404
    assert client.post("/admin/arrangement/plan", data={"csrf_token": token, "site_id": site.id,
                                                        "exam_year_id": published_site["year"].id}).status_code == 404
    number = db.session.scalars(select(SeatAssignment.admission_number)).first()
    assert client.get(f"/admin/arrangement/checkin/photo/{number}").status_code == 404
    rooms = client.get("/admin/exam-rooms/list/").get_data(as_text=True)
    assert published_site["site"].name not in rooms


def test_checkin_page(client, published_site, staff):
    token = _login(client, staff["site"])
    reg = published_site["regs"][0]
    payload = admission.ticket_data(reg)["qr_payload"]
    site_id = published_site["site"].id
    resp = client.post("/admin/arrangement/checkin", data={"csrf_token": token, "site_id": site_id, "code": payload})
    page = resp.get_data(as_text=True)
    assert "核验通过" in page and reg.candidate.name in page
    number = re.search(r"checkin/photo/(\d{16})", page).group(1)
    assert client.get(f"/admin/arrangement/checkin/photo/{number}").mimetype == "image/jpeg"
    forged = client.post("/admin/arrangement/checkin", data={"csrf_token": token, "site_id": site_id,
                                                              "code": payload[:-4] + "AAAA"}).get_data(as_text=True)
    assert "二维码签名无效" in forged and reg.candidate.name not in forged
    empty = client.post("/admin/arrangement/checkin", data={"csrf_token": token, "site_id": site_id, "code": " "})
    assert empty.status_code == 400 and "请输入准考证号" in empty.get_data(as_text=True)
    assert reg.candidate.doc_number not in page


def test_rooms_upload_reports_each_refused_row(client, published_site, staff):
    token = _login(client, staff["region"])
    wb = Workbook()
    wb.active.append(["考点代码", "考场号", "容量"])
    wb.active.append([published_site["site"].code, 20, 30])
    wb.active.append([published_site["site"].code, 21, 0])
    data = io.BytesIO()
    wb.save(data)
    resp = client.post("/admin/arrangement/rooms/import", content_type="multipart/form-data", data={
        "csrf_token": token, "region_id": published_site["region"].id, "exam_year_id": published_site["year"].id,
        "file": (io.BytesIO(data.getvalue()), "rooms.xlsx")})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "新增 1 个考场" in text and "第 3 行" in text and "不能为 0 或负数" in text
    assert db.session.scalar(select(ExamRoom).where(ExamRoom.number == 20)) is not None
    missing = client.post("/admin/arrangement/rooms/import", data={"csrf_token": token,
                                                                    "region_id": published_site["region"].id})
    assert missing.status_code == 400 and "请选择要上传的 Excel 文件" in missing.get_data(as_text=True)


def test_site_reviewer_may_not_arrange_or_import(client, published_site, staff):
    token = _login(client, staff["site"])
    assert client.post("/admin/arrangement/plan", data={"csrf_token": token}).status_code == 403
    assert client.get("/admin/arrangement/rooms/import").status_code == 403
    assert client.get(f"/admin/arrangement/runs/{published_site['run'].id}").status_code == 403


def test_rooms_list_and_add_stay_in_scope(client, published_site, staff):
    other = make_catalogue()
    other["site"].name = "邻省考点"
    make_rooms(other["site"], make_sessions(other)["physician"], 30, start=50)
    db.session.commit()
    token = _login(client, staff["region"])
    listing = client.get("/admin/exam-rooms/list/").get_data(as_text=True)
    assert published_site["site"].name in listing and other["site"].name not in listing
    resp = client.post("/admin/exam-rooms/add", data={"csrf_token": token, "site": other["site"].id,
                                                      "number": 7, "capacity": 30})
    assert resp.status_code == 200  # the form again: the other region's site is not a choice
    assert db.session.scalar(select(ExamRoom).where(ExamRoom.number == 7)) is None


def test_marking_an_accessible_need(client, published_site, staff):
    token = _login(client, staff["region"])
    reg = published_site["regs"][0]
    resp = client.post("/admin/arrangement/accessible", data={"csrf_token": token, "number": reg.number,
                                                               "needed": "1"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert reg.needs_accessible_room
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "arrangement.accessible_need.changed"))
    bad = client.post("/admin/arrangement/accessible", data={"csrf_token": token, "number": "nope", "needed": "1"})
    assert bad.status_code == 400 and "未找到该报名号" in bad.get_data(as_text=True)


def test_foreign_staff_cannot_mark_an_accessible_need(client, published_site, staff):
    token = _login(client, staff["foreign"])
    reg = published_site["regs"][0]
    resp = client.post("/admin/arrangement/accessible", data={"csrf_token": token, "number": reg.number,
                                                               "needed": "1"})
    assert resp.status_code == 400 and "不在您管理的考区" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert not reg.needs_accessible_room


@pytest.fixture
def base_site(published_site):
    """A 实践技能基地 in the published site's region, with a 实践技能 room; the site names it as its base."""
    from core.models import Site
    from tests.factories import make_skills_sessions
    skills = make_skills_sessions(published_site)
    base = Site(region=published_site["region"], code="B" + published_site["site"].code[1:],
                name="实践技能基地", address="海淀区学院路38号", capacity=10, hosts_skills=True)
    db.session.add(base)
    db.session.flush()
    published_site["site"].skills_base_id = base.id
    make_rooms(base, skills["physician"], 20)
    db.session.commit()
    return {**published_site, "base": base, "skills": skills}


def test_plan_the_skills_part_at_the_base_through_the_pages(client, admin_app, monkeypatch, base_site, staff):
    monkeypatch.setitem(admin_app.config, "JOB_BACKEND", "inline")
    base, year = base_site["base"], base_site["year"]
    token = _login(client, staff["region"])
    page = client.get("/admin/arrangement/").get_data(as_text=True)
    assert '<label for="f-part"' in page and "实践技能，在实践技能基地" in page
    bad = client.post("/admin/arrangement/plan", data={"csrf_token": token, "site_id": base.id,
                                                       "exam_year_id": year.id, "part": "oral"})
    assert bad.status_code == 400 and "请选择考试部分" in bad.get_data(as_text=True)
    resp = client.post("/admin/arrangement/plan", data={"csrf_token": token, "site_id": base.id,
                                                        "exam_year_id": year.id, "part": "skills"})
    assert "实践技能基地（实践技能）：已安排 5 人" in client.get(resp.headers["Location"]).get_data(as_text=True)
    run = db.session.scalar(select(ArrangementRun).where(ArrangementRun.state == "draft"))
    assert run.part == "skills" and run.site_id == base.id
    assert f"待发布的预排 #{run.id}（实践技能）" in client.get("/admin/arrangement/").get_data(as_text=True)
    assert "考场预排结果（实践技能）" in client.get(f"/admin/arrangement/runs/{run.id}").get_data(as_text=True)
    client.post(f"/admin/arrangement/runs/{run.id}/publish", data={"csrf_token": token})
    seats = db.session.scalars(select(SeatAssignment).where(SeatAssignment.part == "skills")).all()
    assert len(seats) == 5 and {s.site_id for s in seats} == {base.id}
    written = db.session.scalars(select(SeatAssignment).where(SeatAssignment.part == "written")).all()
    assert len(written) == 5  # the 医学综合 seats are untouched
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "arrangement.published")
                              .order_by(AuditEntry.id.desc()))
    assert audit.after["part"] == "skills"


def test_declared_needs_are_listed_for_staff_in_scope(client, published_site, staff):
    reg = published_site["regs"][1]
    reg.needs_accessible_room = True
    db.session.commit()
    _login(client, staff["region"])
    page = client.get(f"/admin/arrangement/?exam_year_id={published_site['year'].id}").get_data(as_text=True)
    table = page[page.index('id="accessible-needs"'):]
    assert reg.number in table and reg.candidate.name in table
    detail = client.get(f"/admin/registrations/show/{reg.id}").get_data(as_text=True)
    assert "需要无障碍考场" in detail
    client.get("/admin/logout/")
    _login(client, staff["foreign"])
    assert reg.number not in client.get(f"/admin/arrangement/?exam_year_id={published_site['year'].id}").get_data(
        as_text=True)


def test_a_site_s_skills_base_is_a_site_of_its_region(client, admin_app, base_site):
    from core.models import Site
    from core.services.scope import NATIONAL_ADMIN
    _, national = make_staff(admin_app, NATIONAL_ADMIN)
    token = _login(client, national)
    site = base_site["site"]
    other = make_catalogue()["site"]
    db.session.commit()
    form = {"csrf_token": token, "region": site.region_id, "code": site.code, "name": site.name,
            "address": "", "capacity": site.capacity}
    refused = client.post(f"/admin/sites/edit/{site.id}", data={**form, "skills_base": other.id},
                          follow_redirects=True)
    assert "实践技能基地须为本考区的考点" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Site, site.id).skills_base_id == base_site["base"].id
    client.post(f"/admin/sites/edit/{site.id}", data={**form, "skills_base": ""})
    db.session.expire_all()
    assert db.session.get(Site, site.id).skills_base_id is None


def test_a_room_hosting_both_parts_is_refused(client, base_site, staff):
    token = _login(client, staff["region"])
    sessions = [base_site["skills"]["physician"][0].id, base_site["sessions"]["physician"][0].id]
    resp = client.post("/admin/exam-rooms/add", data={"csrf_token": token, "site": base_site["site"].id,
                                                      "number": 77, "capacity": 30, "sessions": sessions,
                                                      },
                       follow_redirects=True)
    assert "一个考场只能承担一个考试部分的场次" in resp.get_data(as_text=True)
    assert db.session.scalar(select(ExamRoom).where(ExamRoom.number == 77)) is None
    ok = client.post("/admin/exam-rooms/add", data={"csrf_token": token, "site": base_site["site"].id,
                                                    "number": 78, "capacity": 30, "sessions": sessions[1:]})
    assert ok.status_code == 302  # 无障碍 and 停用 left unticked: a plain open room
    room = db.session.scalar(select(ExamRoom).where(ExamRoom.number == 78))
    assert room is not None and not room.accessible and not room.closed


def _site_form(token, site, **changes):
    form = {"csrf_token": token, "region": site.region_id, "code": site.code, "name": site.name,
            "address": site.address or "", "capacity": site.capacity}
    if site.hosts_skills:
        form["hosts_skills"] = "y"
    if site.skills_base_id:
        form["skills_base"] = site.skills_base_id
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def _field_error(page: str, field: str) -> str:
    """The text of the form group holding the field (FAB prints a field's errors inside it)."""
    start = page.index(f'id="{field}"')
    return page[start:page.index("</tr>", start)]


def test_region_staff_set_the_skills_base_of_their_sites(client, base_site, staff):
    from core.models import Site
    site, base = base_site["site"], base_site["base"]
    site.skills_base_id = None
    db.session.commit()
    token = _login(client, staff["region"])
    page = client.get(f"/admin/sites/edit/{site.id}").get_data(as_text=True)
    assert '<label for="skills_base"' in page and '<label for="hosts_skills"' in page
    assert base.name in page[page.index('id="skills_base"'):]  # offered: flagged, in the region
    resp = client.post(f"/admin/sites/edit/{site.id}", data=_site_form(token, site, skills_base=base.id))
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Site, site.id).skills_base_id == base.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "catalogue.sites.changed")
                              .order_by(AuditEntry.id.desc()))
    assert entry.object_id == site.id and entry.before == {"skills_base_id": None}
    assert entry.after == {"skills_base_id": base.id} and entry.actor_name == staff["region"]


@pytest.mark.parametrize("case,message", [
    ("not flagged", "未标记为“可承担实践技能”"),
    ("other region", "实践技能基地须为本考区的考点"),
    ("names a base itself", "本身指定了其他实践技能基地"),
])
def test_a_base_the_rules_refuse_is_explained_beside_the_field(client, base_site, staff, case, message):
    from core.models import Site
    site, base = base_site["site"], base_site["base"]
    if case == "not flagged":
        target = Site(region=site.region, code="N" + site.code[1:], name="普通考点", capacity=5)
    elif case == "other region":
        target = Site(region=make_catalogue()["region"], code="O" + site.code[1:], name="外区基地", capacity=5,
                      hosts_skills=True)
    else:
        target = Site(region=site.region, code="C" + site.code[1:], name="另一基地", capacity=5,
                      hosts_skills=True, skills_base_id=base.id)
    db.session.add(target)
    db.session.commit()
    token = _login(client, staff["region"])
    resp = client.post(f"/admin/sites/edit/{site.id}", data=_site_form(token, site, skills_base=target.id))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and message in _field_error(page, "skills_base")
    db.session.expire_all()
    assert db.session.get(Site, site.id).skills_base_id == base.id  # unchanged


def test_a_base_in_use_keeps_its_flag(client, base_site, staff):
    from core.models import Site
    base = base_site["base"]
    token = _login(client, staff["region"])
    resp = client.post(f"/admin/sites/edit/{base.id}", data=_site_form(token, base, hosts_skills=None))
    assert resp.status_code == 200 and "不能取消“可承担实践技能”" in _field_error(resp.get_data(as_text=True),
                                                                             "hosts_skills")
    db.session.expire_all()
    assert db.session.get(Site, base.id).hosts_skills
    # a site that is the base of others names no base itself
    other = Site(region=base.region, code="D" + base.code[1:], name="第二基地", capacity=5, hosts_skills=True)
    db.session.add(other)
    db.session.commit()
    resp = client.post(f"/admin/sites/edit/{base.id}", data=_site_form(token, base, skills_base=other.id))
    assert "已是其他考点的实践技能基地" in _field_error(resp.get_data(as_text=True), "skills_base")


def test_another_region_s_site_is_not_theirs_to_change(client, base_site, staff):
    from core.models import Site
    site, base = base_site["site"], base_site["base"]
    token = _login(client, staff["foreign"])
    assert client.get(f"/admin/sites/edit/{site.id}").status_code == 404
    resp = client.post(f"/admin/sites/edit/{site.id}", data=_site_form(token, site, skills_base=None))
    assert resp.status_code == 404
    db.session.expire_all()
    assert db.session.get(Site, site.id).skills_base_id == base.id


def test_region_wide_dry_run_and_publish_with_a_busy_site_failing_alone(client, admin_app, monkeypatch,
                                                                         published_site, staff):
    """全区预排 and 全区编排并发布 (a background job over every site of the region): per-site summary with
    reasons; a site busy with another run fails alone, the other sites are published; audited; progress 100."""
    from core.models import ArrangementLock, Site
    from core.db import utcnow
    from tests.factories import arranged_registrations
    monkeypatch.setitem(admin_app.config, "JOB_BACKEND", "inline")
    cat = published_site
    second = Site(region=cat["region"], code="S99998", name="西城区考点", capacity=100)
    busy = Site(region=cat["region"], code="S99999", name="朝阳区考点", capacity=100)
    db.session.add_all([second, busy])
    db.session.flush()
    make_rooms(second, cat["sessions"]["physician"] + [cat["sessions"]["military"]], 2)
    for reg in arranged_registrations({**cat, "site": second}, 3):
        reg.needs_accessible_room = True  # no accessible room at this site: reported with the reason
    db.session.add(ArrangementLock(site_id=busy.id, holder="another run", locked_at=utcnow()))
    db.session.commit()
    token = _login(client, staff["region"])
    page = client.get("/admin/arrangement/").get_data(as_text=True)
    assert '<label for="f-region_id"' in page and "全区编排并发布" in page

    def run(publish):
        resp = client.post("/admin/arrangement/region", data={
            "csrf_token": token, "region_id": cat["region"].id, "region_exam_year_id": cat["year"].id,
            "region_part": "written", "publish": publish})
        assert resp.status_code == 302 and "/reports/jobs/" in resp.headers["Location"]
        job_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
        return client.get(f"/admin/reports/jobs/{job_id}.json").get_json()

    dry = run("0")
    assert dry["state"] == "done" and dry["progress"] == 100
    assert "西城区考点：已安排 0 人，未能安排 3 人（无可用的无障碍考场 3 人）" in dry["message"]
    assert "朝阳区考点：失败，该考点正在编排或发布中" in dry["message"]
    assert not db.session.scalars(select(SeatAssignment).where(SeatAssignment.site_id == second.id)).all()
    done = run("1")
    assert "2 个考点已发布，1 个考点失败" in done["message"]
    db.session.expire_all()
    published = db.session.scalars(select(ArrangementRun).where(ArrangementRun.site_id == second.id,
                                                               ArrangementRun.state == "published")).all()
    assert len(published) == 1 and len(published[0].unplaced) == 3
    assert len(db.session.scalars(select(SeatAssignment).where(SeatAssignment.site_id == cat["site"].id)).all()) == 5
    actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("arrangement.%"))))
    assert actions.count("arrangement.region.requested") == 2 and "arrangement.published" in actions


def test_region_wide_arrangement_of_another_region_is_refused(client, published_site, staff):
    token = _login(client, staff["foreign"])
    resp = client.post("/admin/arrangement/region", data={
        "csrf_token": token, "region_id": published_site["region"].id,
        "region_exam_year_id": published_site["year"].id, "region_part": "written", "publish": "1"})
    assert resp.status_code == 400 and "不在您的管理范围内" in resp.get_data(as_text=True)
    assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "arrangement.region.requested")).all()


@pytest.mark.parametrize("field", ["site_id", "exam_year_id"])
def test_an_id_beyond_32_bits_in_the_plan_form_is_refused_not_a_500(client, published_site, staff, field):
    site, year = published_site["site"], published_site["year"]
    token = _login(client, staff["region"])
    form = {"csrf_token": token, "site_id": site.id, "exam_year_id": year.id, field: "99999999999999999999"}
    response = client.post("/admin/arrangement/plan", data=form)
    assert response.status_code in (400, 403, 404), response.status_code
    assert db.session.scalar(select(ArrangementRun).where(ArrangementRun.state == "draft")) is None
    assert client.get("/admin/arrangement/?exam_year_id=99999999999999999999").status_code == 200
    assert client.get("/admin/reports/statistics/?exam_year_id=99999999999999999999").status_code == 200
