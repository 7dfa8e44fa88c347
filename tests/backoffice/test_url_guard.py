"""Bad ids and action names in back-office URLs are a 404 for every view, FAB's own included
(backoffice/url_guard.py); found by tests/security/test_bad_input.py."""
from __future__ import annotations

import pytest

from tests.support.web import admin_csrf, staff_login


@pytest.mark.parametrize("url", [
    "/admin/fees/delete/99999999999999999999", "/admin/users/delete/NaN", "/admin/roles/action/NaN/1",
    "/admin/roles/action_post", "/admin/groups/action/copy_role/1e309", "/admin/resetpassword/form",
])
def test_bad_ids_and_action_names_in_urls_are_404(world, client, url):
    """FAB passed these to the database or its action table: an overflow or a crash (500). Now: 404."""
    staff_login(client, world["staff"]["national"][1])
    token = admin_csrf(client)
    assert client.post(url, data={"csrf_token": token, "action": "NaN", "rowid": "1"}).status_code == 404
    assert client.get("/admin/userstatschartview/chart/NaN").status_code == 404
