"""选择考区及考点 refuses bad input beside the field (422, never a 500) and keeps what was chosen; another
candidate's registration is a 404 whatever site the form names (the registration and the site are read together)."""
from __future__ import annotations

import pytest

from core.db import db
from core.models import Region, Registration, Site
from tests.factories import login_as, make_catalogue, ready_candidate, ready_draft
from tests.support.web import csrf_token_from, text


@pytest.fixture
def draft(client, session):
    cat = make_catalogue(capacity=1)
    other_region = Region(code="990000", name="别的考区")
    other_site = Site(region=other_region, code="Z1", name="别的考点", capacity=5)
    session.add_all([other_region, other_site])
    cand = ready_candidate()
    reg = ready_draft(cand, cat)
    session.commit()
    login_as(client, cand)
    url = f"/registration/{reg.id}/step/site"
    return {"url": url, "reg_id": reg.id, "region": cat["region"].id, "site": cat["site"].id,
            "other_site": other_site.id, "token": csrf_token_from(text(client.get(url)))}


def _post(client, d, **form):
    return client.post(d["url"], data={"csrf_token": d["token"], "region_id": d["region"], "site_id": d["site"],
                                       "attempts": "1", "action": "next", **form})


@pytest.mark.parametrize("site_id", ["", "abc", "0", "987654", "99999999999999999999", "-1"])
def test_a_missing_or_unknown_site_is_refused_beside_its_field(client, draft, site_id):
    response = _post(client, draft, site_id=site_id)
    html = text(response)
    assert response.status_code == 422 and 'id="site_id-error"' in html and "请选择考点" in html
    db.session.expire_all()
    assert db.session.get(Registration, draft["reg_id"]).draft_data.get("region_id") == draft["region"]  # kept


def test_a_site_of_another_region_is_refused(client, draft):
    response = _post(client, draft, site_id=draft["other_site"])
    assert response.status_code == 422 and "请选择考点" in text(response)


def test_bad_attempts_are_refused_beside_the_field(client, draft):
    response = _post(client, draft, attempts="abc")
    assert response.status_code == 422 and "累计报考次数请填写1至50之间的整数" in text(response)


def test_a_full_site_is_refused_by_name(client, draft):
    site = db.session.get(Site, draft["site"])
    site.taken = site.capacity
    db.session.commit()
    response = _post(client, draft)
    assert response.status_code == 422 and "已报满" in text(response)


def test_another_candidates_registration_is_a_404_whatever_site_is_named(client, draft, session):
    stranger = ready_candidate(username="lisi", doc_number="11010519491231002X")
    theirs = ready_draft(stranger, make_catalogue())
    session.commit()
    for site_id in (draft["site"], "", "12345"):
        response = client.post(f"/registration/{theirs.id}/step/site",
                                data={"csrf_token": draft["token"], "site_id": site_id, "action": "submit"})
        assert response.status_code == 404, site_id
    session.expire_all()
    assert session.get(Registration, theirs.id).status == "draft"
