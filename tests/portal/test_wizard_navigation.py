"""Moving through the wizard (guide: 「可以通过页面右上方的导航按钮“上一步”“下一步”来实现各个步骤的跳转」).

上一步 always goes back; what a step refuses then stays out of the profile but is kept in the draft and
shown again, with its messages, when the candidate returns. 下一步 and 提交 still refuse. The step bar numbers
the guide's six steps, 1 选择报考类别 to 6 选择考区及考点.
"""
from __future__ import annotations

import re

from core.db import db
from core.models import Registration
from tests.factories import login_as, make_catalogue, ready_candidate
from tests.support.web import post_page, text

WORK = {"employment_status": "在岗", "work_unit_name": "北京协和医院", "department": "内科", "title": "主治医师",
        "title_date": "2022-8", "post": "", "practice_start": "2020-07"}


def _step(reg, step):
    return f"/registration/{reg.id}/step/{step}"


def test_prev_from_a_refused_work_step_goes_back_and_keeps_the_input_out_of_the_profile(logged_in_draft, client,
                                                                                        session):
    cat, cand, reg = logged_in_draft
    back = post_page(client, _step(reg, "work"), {**WORK, "action": "prev"})
    assert back.status_code == 302 and back.headers["Location"].endswith(_step(reg, "basic"))
    session.expire_all()
    assert (cand.title_date, cand.title) == ("2020-07", "住院医师")  # nothing of the refused step saved

    basic = text(client.get(_step(reg, "basic")))
    assert basic.count("“工作情况”中有填写有误的内容，未保存") == 1  # said once, on the page it went to

    again = text(client.get(_step(reg, "work")))  # back on the step: as typed, with its message
    assert 'value="2022-8"' in again and 'value="主治医师"' in again
    assert 'id="title_date-error"' in again and "YYYY-MM" in again

    refused = post_page(client, _step(reg, "work"), {**WORK, "action": "next"})  # 下一步 still checks
    assert refused.status_code == 422
    saved = post_page(client, _step(reg, "work"), {**WORK, "title_date": "2022-08", "action": "next"})
    assert saved.headers["Location"].endswith(_step(reg, "entries"))
    session.expire_all()
    assert (cand.title_date, cand.title) == ("2022-08", "主治医师")
    assert 'value="2022-8"' not in text(client.get(_step(reg, "work")))  # the kept input is gone once saved


def test_prev_with_valid_input_saves_it(logged_in_draft, client, session):
    cat, cand, reg = logged_in_draft
    back = post_page(client, _step(reg, "work"), {**WORK, "title_date": "2022-08", "action": "prev"})
    assert back.headers["Location"].endswith(_step(reg, "basic"))
    session.expire_all()
    assert (cand.title_date, cand.title) == ("2022-08", "主治医师")
    assert "未保存" not in text(client.get(_step(reg, "basic")))


def test_prev_from_basic_without_a_photo_goes_to_the_subject_page(logged_in_draft, client, session):
    cat, cand, reg = logged_in_draft
    cand.photo_path = None
    session.commit()
    form = {"military_identity": "none", "mobile": "123", "email": "", "address": "北京市西城区", "postcode": ""}
    back = post_page(client, _step(reg, "basic"), {**form, "action": "prev"})
    assert back.status_code == 302 and back.headers["Location"].endswith("/registration/subjects")
    session.expire_all()
    assert (cand.mobile, cand.address) == ("13800138000", "北京市东城区")
    again = text(client.get(_step(reg, "basic")))
    assert 'value="123"' in again and 'value="北京市西城区"' in again
    assert 'id="photo-error"' in again and 'id="mobile-error"' in again
    assert post_page(client, _step(reg, "basic"), {**form, "action": "next"}).status_code == 422


def test_prev_from_entries_with_nothing_ticked_keeps_nothing_ticked(logged_in_draft, client, session):
    cat, cand, reg = logged_in_draft
    edu = cand.educations[0].id
    back = post_page(client, _step(reg, "entries"), {"action": "prev"})
    assert back.headers["Location"].endswith(_step(reg, "work"))
    session.expire_all()
    assert reg.draft_data["education_ids"] == [edu]  # the draft's ticks untouched
    again = text(client.get(_step(reg, "entries")))
    assert not re.search(rf'id="education-{edu}"[^>]*checked', again)  # as the candidate left it
    assert "请勾选用于报考的教育经历" in again


def test_submit_waits_for_a_step_with_kept_input(logged_in_draft, client, session):
    cat, cand, reg = logged_in_draft
    post_page(client, _step(reg, "work"), {**WORK, "action": "prev"})
    opened = client.get(_step(reg, "site"))  # the steps are passed in order: the one with kept input first
    assert opened.status_code == 302 and opened.headers["Location"].endswith(_step(reg, "work"))
    assert "请先完成“工作情况”一步" in text(client.get(_step(reg, "work")))
    refused = post_page(client, _step(reg, "site"), {"region_id": cat["region"].id, "site_id": cat["site"].id,
                                                     "attempts": "1", "action": "submit", "submit_token": "tok"},
                        page=_step(reg, "work"))
    assert refused.headers["Location"].endswith(_step(reg, "work"))
    session.expire_all()
    assert session.get(Registration, reg.id).status == "draft"
    assert 'value="2022-8"' in text(client.get(_step(reg, "work")))


def test_the_step_bar_numbers_the_guides_six_steps(logged_in_draft, client):
    cat, cand, reg = logged_in_draft
    subjects = text(client.get("/registration/subjects"))
    bar = subjects[subjects.index('class="stepbar"'):subjects.index("</ol>")]
    assert re.search(r'class="current" aria-current="step">\s*1\. 选择报考类别', bar)
    assert "2. 基本情况" in bar and "6. 选择考区及考点" in bar and "<button" not in bar

    page = text(client.get(_step(reg, "work")))
    bar = page[page.index('class="stepbar"'):page.index("</ol>")]
    labels = re.findall(r"(\d)\. ([^<\s]+)", bar)
    assert labels == [("1", "选择报考类别"), ("2", "基本情况"), ("3", "工作情况"), ("4", "教育经历和培训经历"),
                      ("5", "选择证书"), ("6", "选择考区及考点")]
    assert 'value="goto:subjects"' in bar and 'value="goto:site"' in bar and 'value="goto:work"' not in bar


def test_the_step_bar_goes_back_like_prev_and_forward_like_next(logged_in_draft, client, session):
    cat, cand, reg = logged_in_draft
    back = post_page(client, _step(reg, "work"), {**WORK, "action": "goto:subjects"})
    assert back.headers["Location"].endswith("/registration/subjects")
    assert 'value="2022-8"' in text(client.get(_step(reg, "work")))  # kept, not saved
    forward = post_page(client, _step(reg, "work"), {**WORK, "action": "goto:site"})
    assert forward.status_code == 422 and 'id="title_date-error"' in text(forward)
    ok = post_page(client, _step(reg, "work"), {**WORK, "title_date": "2022-08", "action": "goto:site"})
    assert ok.headers["Location"].endswith(_step(reg, "site"))


def test_a_step_not_reached_is_not_offered_in_the_bar(session, client):
    cat = make_catalogue()
    cand = ready_candidate()
    session.commit()
    login_as(client, cand)
    post_page(client, "/registration/start", {"subject_id": cat["subject"].id}, page="/registration/subjects")
    reg = session.scalar(db.select(Registration))
    page = text(client.get(_step(reg, "basic")))
    bar = page[page.index('class="stepbar"'):page.index("</ol>")]
    assert re.findall(r'value="goto:(\w+)"', bar) == ["subjects"]


def test_enter_in_a_field_saves_the_step_and_stays(logged_in_draft, client, session):
    """Enter submits with the form's default button, the first submit button of the form in the page:
    a hidden 保存 (action=stay), never 上一步 and never 提交."""
    cat, cand, reg = logged_in_draft
    page = text(client.get(_step(reg, "site")))
    buttons = re.findall(r'<button type="submit" form="step-form" name="action" value="([a-z:]+)"', page)
    assert buttons[0] == "stay" and "prev" in buttons and "submit" in buttons

    refused = post_page(client, _step(reg, "work"), {**WORK, "action": "stay"})
    assert refused.status_code == 422  # a refused step is shown again with its messages
    saved = post_page(client, _step(reg, "work"), {**WORK, "title_date": "2022-08", "action": "stay"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(_step(reg, "work"))
    session.expire_all()
    assert cand.title_date == "2022-08"


def test_kept_messages_follow_the_page_language(logged_in_draft, client, session):
    """A refused step kept on 上一步 shows its messages again in the language of the page, parameters too."""
    import flask_babel
    cat, cand, reg = logged_in_draft
    post_page(client, _step(reg, "work"), {**WORK, "title_date": "2022-08", "employment_status": "", "action": "prev"})
    assert "请选择在岗情况。" in text(client.get(_step(reg, "work")))
    client.get("/lang/en?next=/")
    flask_babel.refresh()
    english = text(client.get(_step(reg, "work")))
    assert "请选择在岗情况" not in english and "Please choose" in english
