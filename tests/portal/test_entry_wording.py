"""How entries read (issue 15, item 5): a training without 培训专业 has no empty "· ·"; the review page's lock is
an SVG icon, not an emoji that needs an emoji font."""
from __future__ import annotations

from core.db import db
from core.models import Training, TrainingType
from tests.factories import login_as, make_catalogue, ready_candidate, ready_draft
from tests.support.web import staff_login, text


def test_training_without_major_has_no_empty_separator(app_ctx, client):
    cand = ready_candidate()
    reg = ready_draft(cand, make_catalogue())
    kind = TrainingType(code="jx-wording", name="进修")
    db.session.add(kind)
    db.session.flush()
    db.session.add(Training(candidate_id=cand.id, training_type_id=kind.id, institution="中日友好医院",
                            major=None, start_ym="2022-01", end_ym="2022-06"))
    db.session.commit()
    login_as(client, cand)
    page = text(client.get(f"/registration/{reg.id}/step/entries"))
    assert "进修 · 中日友好医院 · 2022-01" in page
    assert "· ·" not in page


def test_review_page_lock_is_an_svg(world, client):
    from core.models import Education, RegistrationEntry
    reg_id = world["ids"]["reg_a"]
    from core.models import Registration
    reg = db.session.get(Registration, reg_id)
    edu = Education(candidate_id=reg.candidate_id, school_name="北京大学", level="本科", major="临床医学",
                    start_ym="2010-09", end_ym="2015-07", diploma_number="100011201505000123")
    db.session.add(edu)
    db.session.flush()
    db.session.add(RegistrationEntry(registration_id=reg_id, education_id=edu.id))
    db.session.commit()
    staff_login(client, world["staff"]["national"][1])
    page = text(client.get(f"/admin/review/show/{reg_id}"))
    assert "已锁定" in page and "🔒" not in page and 'class="icon-lock"' in page
