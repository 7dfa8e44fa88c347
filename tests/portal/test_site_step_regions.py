"""选择考区及考点: the 考区 first, then only the chosen 考区's 考点 — with JavaScript (a fragment) or without (选择考区)."""
from __future__ import annotations

import re

import pytest

from core.models import Region, Registration, Site
from tests.factories import login_as, make_candidate, make_catalogue, ready_candidate, ready_draft
from tests.support.web import csrf_token_from


@pytest.fixture
def world(session, client):
    cat = make_catalogue(capacity=5)
    other = Region(code="440000", name="广东省")
    near = Site(region=other, code="G1", name="广州考点", capacity=3)
    full = Site(region=other, code="G2", name="深圳考点", capacity=1, taken=1)
    session.add_all([other, near, full])
    cand = ready_candidate()
    session.flush()
    reg = ready_draft(cand, cat)
    session.commit()
    login_as(client, cand)
    return {"cat": cat, "other": other, "near": near, "full": full, "reg": reg, "cand": cand}


def _url(reg, tail="step/site"):
    return f"/registration/{reg.id}/{tail}"


def test_the_page_lists_every_region_but_only_the_chosen_regions_sites(world, client):
    html = client.get(_url(world["reg"])).get_data(as_text=True)
    assert "广东省" in html and world["cat"]["region"].name in html  # every 考区 can be chosen
    assert f'id="site-{world["cat"]["site"].id}"' in html and "广州考点" not in html and "深圳考点" not in html
    assert re.search(rf'id="site-{world["cat"]["site"].id}"[^>]*checked', html)
    assert 'id="choose-region"' in html and 'for="region_id"' in html


def test_choosing_a_region_without_javascript_lists_its_sites_and_keeps_what_was_typed(world, client, session):
    reg = world["reg"]
    html = client.get(_url(reg)).get_data(as_text=True)
    chosen = client.post(_url(reg), data={"csrf_token": csrf_token_from(html), "region_id": world["other"].id,
                                          "site_id": world["cat"]["site"].id, "attempts": "4", "action": "region"})
    body = chosen.get_data(as_text=True)
    assert chosen.status_code == 200
    assert "广州考点" in body and "剩余名额 3" in body and re.search(rf'id="site-{world["full"].id}"[^>]*disabled', body)
    assert world["cat"]["site"].name not in body.split('id="sites"')[1].split("</fieldset>")[0]
    assert re.search(rf'<option value="{world["other"].id}" selected', body) and 'value="4"' in body
    assert not re.search(r'name="site_id"[^>]*checked', body)  # the 考点 of the other 考区 is dropped
    session.expire_all()
    draft = session.get(Registration, reg.id)
    assert (draft.draft_data["region_id"], draft.draft_data["site_id"], draft.status) == (world["other"].id, None, "draft")
    again = client.get(_url(reg)).get_data(as_text=True)  # the choice is kept in the draft
    assert "广州考点" in again


def test_choosing_no_region_asks_for_one_first(world, client):
    html = client.get(_url(world["reg"])).get_data(as_text=True)
    chosen = client.post(_url(world["reg"]), data={"csrf_token": csrf_token_from(html), "region_id": "",
                                                   "action": "region"})
    body = chosen.get_data(as_text=True)
    assert chosen.status_code == 200 and "请先选择考区" in body and 'name="site_id"' not in body


def test_the_sites_fragment_lists_one_regions_sites(world, client):
    fragment = client.get(_url(world["reg"], f"sites?region_id={world['other'].id}"))
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert "广州考点" in body and "已报满" in body and world["cat"]["site"].name not in body
    assert 'for="site-' in body
    assert "请先选择考区" in client.get(_url(world["reg"], "sites?region_id=x")).get_data(as_text=True)


def test_the_sites_fragment_is_only_for_ones_own_draft(world, client, session):
    other = make_candidate()
    session.flush()
    foreign = Registration(candidate_id=other.id, exam_year_id=world["cat"]["year"].id,
                           subject_id=world["cat"]["subject"].id, status="draft", draft_step="site", draft_data={})
    session.add(foreign)
    session.commit()
    assert client.get(_url(foreign, f"sites?region_id={world['other'].id}")).status_code == 404


def test_a_site_full_at_the_last_moment_lists_only_that_regions_sites(world, client, session):
    reg = world["reg"]
    html = client.get(_url(reg)).get_data(as_text=True)
    token = re.search(r'name="submit_token" value="([^"]+)"', html).group(1)
    site = session.get(Site, world["cat"]["site"].id)
    site.taken = site.capacity  # filled by others after the page was shown
    session.commit()
    refused = client.post(_url(reg, "submit"), data={"csrf_token": csrf_token_from(html), "submit_token": token})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "已报满" in body
    assert "广州考点" not in body and "广东省" in body
    session.expire_all()
    assert session.get(Registration, reg.id).status == "draft"


def _submit_at(client, reg, site, attempts: str):
    html = client.get(_url(reg)).get_data(as_text=True)
    token = re.search(r'name="submit_token" value="([^"]+)"', html).group(1)
    return client.post(_url(reg), data={"csrf_token": csrf_token_from(html), "region_id": site.region_id,
                                        "site_id": site.id, "attempts": attempts, "action": "submit",
                                        "submit_token": token})


def test_a_refused_submission_keeps_the_site_step_as_chosen(world, client, session, monkeypatch):
    """提交 writes the 考点 step's draft with the submission (one UPDATE); refused, the step is saved all the same."""
    from core.services import seats
    monkeypatch.setattr(seats, "take_seat", lambda site_id: False)  # filled by others at the last moment
    reg, near = world["reg"], world["near"]
    refused = _submit_at(client, reg, near, "3")
    assert refused.status_code == 409 and "已报满" in refused.get_data(as_text=True)
    session.expire_all()
    kept = session.get(Registration, reg.id)
    assert kept.status == "draft" and kept.draft_step == "site"
    assert (kept.draft_data["region_id"], kept.draft_data["site_id"], kept.draft_data["attempts"]) == (
        near.region_id, near.id, 3)
    assert session.get(Site, near.id).taken == 0


def test_a_submission_missing_the_photo_keeps_the_site_step_and_goes_to_it(world, client, session):
    reg, near = world["reg"], world["near"]
    world["cand"].photo_path = None
    session.commit()
    refused = _submit_at(client, reg, near, "2")
    assert refused.status_code == 302 and refused.location.endswith(f"/registration/{reg.id}/step/basic")
    session.expire_all()
    kept = session.get(Registration, reg.id)
    assert kept.status == "draft" and "site" in kept.draft_data["done"]
    assert (kept.draft_data["site_id"], kept.draft_data["attempts"]) == (near.id, 2)


def test_a_submission_writes_the_site_step_with_it(world, client, session):
    reg, near = world["reg"], world["near"]
    assert _submit_at(client, reg, near, "2").status_code == 303
    session.expire_all()
    done = session.get(Registration, reg.id)
    assert (done.status, done.site_id, done.attempts, done.draft_step) == ("submitted", near.id, 2, None)
    assert (done.draft_data["site_id"], done.draft_data["attempts"]) == (near.id, 2)
    assert session.get(Site, near.id).taken == 1
