"""Ids from URLs, forms and query strings: anything that is not a positive 32-bit integer names no row.

Before, ``int(x) if x.isdigit()`` let through numbers beyond the database's integers (an overflow: a 500 on
PostgreSQL and SQLite) and '²' (a digit that int() refuses: a 500 too)."""
from __future__ import annotations

import pytest

from core.validators import MAX_ROW_ID, row_id
from tests.support.web import csrf_token_from, text

HUGE = "99999999999999999999"


@pytest.mark.parametrize("value, expected", [("1", 1), (" 7", None), ("007", None), ("0", None), ("-3", None),
                                             ("²", None), ("١", None), ("", None), (None, None), ("1.0", None),
                                             (str(MAX_ROW_ID), MAX_ROW_ID), (str(MAX_ROW_ID + 1), None),
                                             (HUGE, None), (42, 42)])
def test_row_id(value, expected):
    assert row_id(value) == expected


@pytest.fixture
def logged_in(logged_in_draft):
    cat, _cand, reg = logged_in_draft
    return {"id": reg.id, "region": cat["region"].id, "site": cat["site"].id}


@pytest.mark.parametrize("url", [f"/registration/{HUGE}/step/basic", f"/registration/{MAX_ROW_ID + 1}",
                                 f"/registration/1/step/entries/education/{HUGE}", f"/messages/{HUGE}/read"])
def test_an_id_beyond_the_database_in_a_url_is_a_404(client, logged_in, url):
    assert client.get(url).status_code in (404, 405)


@pytest.mark.parametrize("query", [f"page={HUGE}", "page=²", "page=0", "page=-1"])
def test_a_message_page_number_out_of_reach_shows_a_page(client, logged_in, query):
    response = client.get(f"/messages?{query}")
    assert response.status_code == 200 and "消息中心" in text(response)


@pytest.mark.parametrize("region", [HUGE, "²", "x"])
def test_the_work_unit_picker_ignores_a_region_it_cannot_read(client, logged_in, region):
    response = client.get(f"/api/work-units?q=bj&region={region}")
    assert response.status_code == 200 and isinstance(response.get_json(), list)


@pytest.mark.parametrize("field, value, error", [("attempts", "²", "attempts"), ("attempts", "9" * 5000, "attempts"),
                                                 ("region_id", HUGE, "region_id"), ("region_id", "²", "region_id"),
                                                 ("site_id", "²", "site_id"), ("site_id", HUGE, "site_id")])
def test_the_site_step_refuses_unreadable_numbers_beside_the_field(client, logged_in, field, value, error):
    url = f"/registration/{logged_in['id']}/step/site"
    form = {"csrf_token": csrf_token_from(text(client.get(url))), "region_id": logged_in["region"],
            "site_id": logged_in["site"], "attempts": "1",
            "action": "next", field: value}
    response = client.post(url, data=form)
    assert response.status_code == 422
    assert f'id="{error}-error"' in text(response) or f'id="e-{error}"' in text(response)
