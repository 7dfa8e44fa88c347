"""Back-office report pages: statistics, exports as jobs with a download, printing, job ownership."""
from __future__ import annotations

import subprocess
from io import BytesIO
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from core.db import db
from core.models import AuditEntry, Job
from core.services.scope import FINANCE, NATIONAL_ADMIN, REGION_ADMIN, SITE_REVIEWER
from reports import tasks
from reports.exports import RegistrationFilters
from reports.scope import ReportScope
from tests.factories import make_candidate, make_catalogue, make_registration, make_staff
from tests.support.web import csrf_token_from, staff_login

@pytest.fixture
def world(app, admin_app, monkeypatch):
    monkeypatch.setitem(admin_app.config, "JOB_BACKEND", "inline")  # the job finishes before the redirect
    with app.app_context():
        a, b = make_catalogue(), make_catalogue()
        ra = [make_registration(make_candidate(name=f"甲{i}"), a) for i in range(3)]
        rb = make_registration(make_candidate(name="乙𠮷"), b)
        db.session.commit()
        ids = dict(region_a=a["region"].id, site_a=a["site"].id, site_b=b["site"].id,
                   reg_a=ra[0].id, reg_b=rb.id, number_b=rb.number)
    ids["national"] = make_staff(admin_app, NATIONAL_ADMIN)
    ids["region"] = make_staff(admin_app, REGION_ADMIN, regions=[ids["region_a"]])
    ids["site"] = make_staff(admin_app, SITE_REVIEWER, sites=[ids["site_a"]])
    ids["finance"] = make_staff(admin_app, FINANCE, regions=[ids["region_a"]])
    return ids


def test_statistics_page_shows_counts_and_charts(client, world):
    staff_login(client, world["national"][1])
    page = client.get("/admin/reports/statistics/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<strong id="stat-total">4</strong>' in html and "<svg" in html and "考点座位使用率" in html
    xlsx = client.get("/admin/reports/statistics/download.xlsx")
    assert xlsx.status_code == 200
    assert load_workbook(BytesIO(xlsx.data)).sheetnames[0] == "按考区统计"


def test_export_runs_as_a_job_with_a_download(client, world):
    staff_login(client, world["national"][1])
    page = client.get("/admin/reports/exports/").get_data(as_text=True)
    assert '<label for="f-kind"' in page
    resp = client.post("/admin/reports/exports/", data={"kind": "registrations", "purpose": "现场资格审核", "site_id": str(world["site_b"]),
                                                        "csrf_token": csrf_token_from(page)})
    assert resp.status_code == 302 and "/admin/reports/jobs/" in resp.headers["Location"]
    job_page = client.get(resp.headers["Location"])
    assert "progress-bar" in job_page.get_data(as_text=True)
    job_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    status = client.get(f"/admin/reports/jobs/{job_id}.json").get_json()
    assert status["state"] == "done" and status["progress"] == 100 and "1 行" in status["message"]
    download = client.get(status["download_url"])
    assert download.status_code == 200 and "现场资格审核" in unquote(download.headers["Content-Disposition"])
    with client.application.app_context():
        from core.models import AuditEntry
        actions = [a for (a,) in db.session.query(AuditEntry.action).order_by(AuditEntry.id)]
        assert actions[-2:] == ["report.export.requested", "report.file.downloaded"]
    rows = list(load_workbook(BytesIO(download.data)).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [world["number_b"]]
    with client.application.app_context():  # the purpose is in the audit entry too
        requested = db.session.scalar(db.select(AuditEntry).filter_by(action="report.export.requested"))
        assert requested.after["purpose"] == "现场资格审核"


def test_an_export_file_is_deleted_after_its_period(client, world):
    """Exports are kept 7 days (retention kind ``exports``): then the file goes, the job says so, no download."""
    from datetime import timedelta

    from core.db import utcnow
    from core.jobs import result_file
    from core.privacy import retention
    staff_login(client, world["national"][1])
    page = client.get("/admin/reports/exports/").get_data(as_text=True)
    resp = client.post("/admin/reports/exports/", data={"kind": "registrations", "purpose": "考务安排",
                                                        "csrf_token": csrf_token_from(page)})
    job_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    with client.application.app_context():
        job = db.session.get(Job, job_id)
        path = result_file(job)
        assert path is not None and path.exists()
        assert retention.enforce(utcnow() + timedelta(days=6))["exports"] == 0  # within the 7 days: kept
        assert retention.enforce(utcnow() + timedelta(days=8))["exports"] == 1
        assert not path.exists() and "文件已过保存期限并删除" in db.session.get(Job, job_id).message
    assert client.get(f"/admin/reports/jobs/{job_id}/download").status_code == 404


def test_bad_export_input_is_refused_next_to_the_field(client, world):
    staff_login(client, world["national"][1])
    token = csrf_token_from(client.get("/admin/reports/exports/").get_data(as_text=True))
    resp = client.post("/admin/reports/exports/", data={"kind": "passwords", "status": "approved",
                                                        "csrf_token": token})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "请选择要导出的数据。" in html and "has-error" in html
    assert 'value="approved" selected' in html  # what was chosen is kept
    resp = client.post("/admin/reports/exports/", data={"kind": "registrations", "purpose": "现场资格审核", "site_id": "999999",
                                                        "csrf_token": token})
    assert resp.status_code == 400 and "不在您的管理范围内" in resp.get_data(as_text=True)
    resp = client.post("/admin/reports/exports/", data={"kind": "registrations", "csrf_token": token})
    assert resp.status_code == 400 and "请选择导出用途。" in resp.get_data(as_text=True)  # no purpose, no export
    with client.application.app_context():
        assert db.session.query(Job).count() == 0  # nothing queued for refused input


def test_export_without_csrf_token_is_refused(client, world):
    staff_login(client, world["national"][1])
    assert client.post("/admin/reports/exports/", data={"kind": "registrations"}).status_code == 400


def test_jobs_are_private_to_their_owner(client, admin_app, world):
    with admin_app.app_context():
        from flask_appbuilder.security.sqla.models import User
        owner = db.session.get(User, world["region"][0])
        job = tasks.start_export(owner, "registrations", RegistrationFilters(), "统计分析")
        job_id = job.id
    staff_login(client, world["national"][1])  # even the national admin does not see others' jobs
    for url in (f"/admin/reports/jobs/{job_id}", f"/admin/reports/jobs/{job_id}.json",
                f"/admin/reports/jobs/{job_id}/download"):
        assert client.get(url).status_code == 404
    client.get("/admin/logout/")
    assert client.get(f"/admin/reports/jobs/{job_id}.json").status_code == 404


def test_region_admins_export_job_sees_only_the_region_and_masked_for_finance(app, admin_app, world):
    from flask_appbuilder.security.sqla.models import User
    with admin_app.app_context():
        for who, masked in (("region", False), ("finance", True)):
            user = db.session.get(User, world[who][0])
            job = tasks.start_export(user, "registrations", RegistrationFilters(), "统计分析")
            job = db.session.get(Job, job.id)
            assert job.state == "done", job.message
            from core.jobs import result_file
            rows = list(load_workbook(result_file(job)).worksheets[0].iter_rows(min_row=2, values_only=True))
            assert len(rows) == 3 and all(r[4] != "" for r in rows)
            assert ("*" in rows[0][11]) is masked
            assert ReportScope.for_user(user).region_ids == frozenset({world["region_a"]})


def test_site_print_job_is_one_pdf_and_refuses_sites_outside_scope(app, admin_app, world):
    from flask_appbuilder.security.sqla.models import User
    from core.jobs import result_file
    from core.services.errors import DomainError
    with admin_app.app_context():
        reviewer = db.session.get(User, world["site"][0])
        with pytest.raises(DomainError):
            tasks.start_site_print(reviewer, world["site_b"])
        job = db.session.get(Job, tasks.start_site_print(reviewer, world["site_a"]).id)
        assert job.state == "done", job.message
        pdf = result_file(job).read_bytes()
        assert pdf.startswith(b"%PDF")
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True).stdout.decode()
        assert "Pages:           3" in info and "3 份" in job.message
        assert job.result_name.endswith("-现场资格审核.pdf")  # its purpose, named like an export's
        requested = db.session.scalar(db.select(AuditEntry).filter_by(action="report.forms.print_requested"))
        assert requested.after == {"site_id": world["site_a"], "purpose": "现场资格审核"}


def test_national_admin_prints_one_form(client, world):
    staff_login(client, world["national"][1])
    resp = client.get(f"/admin/reports/print/registration/{world['reg_b']}.pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    assert client.get("/admin/reports/print/registration/999999.pdf").status_code == 404


def test_staff_without_the_permission_cannot_open_exports(client, world):
    staff_login(client, world["site"][1])
    resp = client.get("/admin/reports/exports/")
    assert resp.status_code in (302, 403)


@pytest.mark.parametrize("role, total", [("region", 3), ("site", 3), ("finance", 3)])
def test_scoped_roles_see_statistics_of_their_scope_only(client, world, role, total):
    staff_login(client, world[role][1])
    page = client.get("/admin/reports/statistics/")
    assert page.status_code == 200
    assert f'<strong id="stat-total">{total}</strong>' in page.get_data(as_text=True)


def test_region_admin_exports_through_the_page_within_scope_only(client, world):
    staff_login(client, world["region"][1])
    page = client.get("/admin/reports/exports/").get_data(as_text=True)
    token = csrf_token_from(page)
    assert "统计用去标识数据" not in page  # national only
    refused = client.post("/admin/reports/exports/", data={"kind": "statistics", "purpose": "统计分析",
                                                           "csrf_token": token})
    assert refused.status_code == 400
    outside = client.post("/admin/reports/exports/", data={"kind": "registrations", "purpose": "考务安排",
                                                           "site_id": str(world["site_b"]),
                                                           "csrf_token": token})
    assert outside.status_code in (400, 403, 404) or "/admin/reports/jobs/" not in outside.headers.get("Location", "")
    resp = client.post("/admin/reports/exports/", data={"kind": "registrations", "purpose": "考务安排",
                                                        "csrf_token": token})
    assert resp.status_code == 302
    status = client.get(resp.headers["Location"].rstrip("/") + ".json").get_json()
    rows = list(load_workbook(BytesIO(client.get(status["download_url"]).data))
                .worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3 and world["number_b"] not in [r[0] for r in rows]


def test_site_reviewer_prints_forms_of_the_site_only(client, world):
    staff_login(client, world["site"][1])
    assert client.get(f"/admin/reports/print/registration/{world['reg_a']}.pdf").status_code == 200
    assert client.get(f"/admin/reports/print/registration/{world['reg_b']}.pdf").status_code == 404


def test_the_statistics_export_takes_only_filters_that_pick_whole_rows(client, world):
    """A site or a state filter would let two de-identified exports be subtracted: refused beside the field,
    nothing queued; 考区 (a row of the file) is taken."""
    staff_login(client, world["national"][1])
    token = csrf_token_from(client.get("/admin/reports/exports/").get_data(as_text=True))
    refused = client.post("/admin/reports/exports/", data={"kind": "statistics", "purpose": "统计分析",
                                                           "site_id": str(world["site_a"]), "csrf_token": token})
    assert refused.status_code == 400
    assert "只按考试年度、报考类别、考区筛选" in refused.get_data(as_text=True)
    with client.application.app_context():
        assert db.session.query(Job).count() == 0  # nothing queued
    taken = client.post("/admin/reports/exports/", data={"kind": "statistics", "purpose": "统计分析",
                                                         "region_id": str(world["region_a"]), "csrf_token": token})
    assert taken.status_code == 302 and "/admin/reports/jobs/" in taken.headers["Location"]
