"""Every page a staff member sees is Chinese (issue 15, item 3): Flask-AppBuilder's own pages included (添加用户's
help texts, 登录统计's series names). Data (user names, codes) is not UI text; the allow-list names the few
Latin words that are proper names (TOTP, Excel, PDF...)."""
from __future__ import annotations

import html
import re

import pytest

from tests.support.web import staff_login, text

ALLOWED = {"TOTP", "Excel", "PDF", "IP", "ID", "URL", "YYYY", "MM", "DD", "HH", "LDAP", "OID", "Email",
           "asc", "desc"}


def english_ui_text(page: str, data: set[str]) -> list[str]:
    """Latin words in the visible text and the readable attributes of a page, minus data and proper names."""
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    attrs = " ".join(re.findall(r'(?:title|placeholder|aria-label|alt|data-original-title)="([^"]*)"', page))
    body = re.sub(r"(?s)<[^>]+>", " ", page)
    tokens = re.findall(r"[A-Za-z0-9@._'-]+", html.unescape(body + " " + attrs))
    words = [t.strip(".'-") for t in tokens if not re.search(r"[0-9@_]|\w\.\w", t)]  # ids, e-mails: data
    return sorted({w for w in words if len(w) > 2 and w not in ALLOWED and w not in data})


def _data_words() -> set[str]:
    """Codes and names stored in the database (an exam family's code, FAB's role "Public")."""
    from flask_appbuilder.security.sqla.models import Role
    from sqlalchemy import select

    from core.db import db
    from core.models import ExamFamily
    return set(db.session.scalars(select(ExamFamily.code))) | set(db.session.scalars(select(Role.name)))


PAGES = ["/admin/", "/admin/users/list/", "/admin/users/add", "/admin/roles/list/",
         "/admin/userstatschartview/chart/", "/admin/resetmypassword/form", "/admin/users/userinfo/",
         "/admin/candidates/", "/admin/review/list/", "/admin/registrations/list/", "/admin/payments/list/",
         "/admin/refunds/list/", "/admin/audit-log/list/", "/admin/sites/list/", "/admin/sites/add",
         "/admin/fees/list/", "/admin/exam-years/list/", "/admin/exam-subjects/list/", "/admin/exam-families/list/", "/admin/rule-settings/", "/admin/regions/list/", "/admin/staff-scopes/list/",
         "/admin/staff-scopes/add", "/admin/reports/statistics/", "/admin/reports/exports/",
         "/admin/reports/print/site"]


@pytest.mark.parametrize("url", PAGES)
def test_staff_pages_have_no_english_ui_text(world, client, url):
    staff_login(client, world["staff"]["national"][1])
    resp = client.get(url, follow_redirects=True)
    assert resp.status_code == 200, url
    data = {s[1] for s in world["staff"].values()} | _data_words()
    assert english_ui_text(text(resp), data) == []


def test_roles_read_in_chinese_and_cannot_be_edited_here(world, client, app):
    """Issue 15: 角色 lists each role with what it may do and where, the Public role as 公开; FAB's edit pages
    (which the next `roles sync` would undo) are gone."""
    staff_login(client, world["staff"]["national"][1])
    page = text(client.get("/admin/roles/list/"))
    for words in ("国家管理员", "考区管理员", "考点审核员", "财务", "公开（未登录的访客）", "所属考点", "办理退费"):
        assert words in page, words
    assert "Public" not in page and "can list" not in page
    for url in ("/admin/roles/edit/1", "/admin/roles/add", "/admin/roles/show/1"):
        assert client.get(url).status_code == 404, url
    finance = app.test_client()
    staff_login(finance, world["staff"]["finance"][1])
    assert finance.get("/admin/roles/list/").status_code in (302, 403, 404)  # not a finance page


def test_login_page_is_chinese(client):
    assert english_ui_text(text(client.get("/admin/login/")), set()) == []
