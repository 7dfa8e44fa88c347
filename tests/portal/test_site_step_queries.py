"""选择考区及考点 lists the regions and the chosen region's sites in a fixed number of queries, however many regions."""
from __future__ import annotations

from sqlalchemy import event

from core.db import db
from core.models import Region, Site


def _queries_for(client, url: str) -> tuple[int, str]:
    db.session.commit()  # nothing cached from an earlier request: count what a fresh request needs
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen), response.get_data(as_text=True)


def test_site_step_queries_do_not_grow_with_regions(client, session, logged_in_draft):
    _cat, _cand, reg = logged_in_draft
    url = f"/registration/{reg.id}/step/site"
    client.get(url)
    few, _ = _queries_for(client, url)
    for r in range(12):
        region = Region(code=f"9{r:05d}", name=f"考区{r}")
        session.add_all([region, Site(region=region, code=f"Q{r}a", name=f"考点{r}甲", capacity=10),
                         Site(region=region, code=f"Q{r}b", name=f"考点{r}乙", capacity=10)])
    session.commit()
    many, html = _queries_for(client, url)
    assert many == few
    assert "考区11" in html and "考区0" in html  # every 考区 to choose from
    assert "考点11乙" not in html and "考点0甲" not in html  # only the chosen 考区's 考点
    assert reg.draft_data["site_id"] and f'id="site-{reg.draft_data["site_id"]}"' in html
