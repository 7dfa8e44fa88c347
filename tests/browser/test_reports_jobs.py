"""A national administrator exports registrations: the job page's progress bar fills by itself
(polling JSON) and a download link appears; the statistics page draws its charts."""
from __future__ import annotations

import time

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from core.db import db
from core.services.scope import NATIONAL_ADMIN
from tests.factories import STAFF_PASSWORD, make_candidate, make_catalogue, make_registration, make_staff

pytestmark = pytest.mark.browser


def test_export_job_progress_and_download(app, admin_app, live_server, page, tmp_path, monkeypatch):
    monkeypatch.setitem(admin_app.config, "JOB_BACKEND", "thread")  # the zero-set-up default
    from core import jobs
    run_in_app = jobs._run_in_app

    def slow_start(app_, job_id):  # the job starts after the page is shown, so the page must poll
        time.sleep(1.5)
        run_in_app(app_, job_id)
    monkeypatch.setattr(jobs, "_run_in_app", slow_start)
    with app.app_context():
        cat = make_catalogue()
        numbers = [make_registration(make_candidate(name=f"考生{i}"), cat).number for i in range(3)]
        db.session.commit()
        _, name = make_staff(admin_app, NATIONAL_ADMIN)
    page.goto(f"{live_server}/admin/login/")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.goto(f"{live_server}/admin/reports/statistics/")
    expect(page.locator("#stat-total")).to_have_text("3")
    expect(page.locator("svg.bar-chart").first).to_be_visible()

    page.goto(f"{live_server}/admin/reports/exports/")
    page.get_by_label("导出内容").select_option(label="报名信息")
    page.get_by_label("导出用途").select_option(label="统计分析")
    page.get_by_role("button", name="导出").click()
    expect(page.locator("#job-state")).to_have_text("排队中")
    expect(page.get_by_role("link", name="下载文件")).to_be_hidden()
    expect(page.locator("#job-state")).to_have_text("已完成", timeout=20_000)  # no reload: polling
    expect(page.locator("#job-bar")).to_have_text("100%")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载文件").click()
    path = tmp_path / "export.xlsx"
    info.value.save_as(path)
    rows = list(load_workbook(path).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows) == sorted(numbers)
