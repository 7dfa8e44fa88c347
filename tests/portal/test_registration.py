"""考试报名 pages: the list, 选择报考类别, the wizard step by step, 提交 and 放弃报考, and who may touch what."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.db import db, utcnow
from core.models import AuditEntry, Education, Registration, Site
from tests.factories import (dictionaries, jpeg, login_as, make_candidate, make_catalogue, make_registration,
                             ready_candidate, ready_draft)
from tests.support.web import csrf_token_from


def _post(client, url, data, page_url=None, **kw):
    html = client.get(page_url or url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token_from(html), **data}, **kw)


def _step(reg, step):
    return f"/registration/{reg.id}/step/{step}"


@pytest.fixture
def setup(session, client):
    cat = make_catalogue(capacity=2)
    cand = ready_candidate()
    session.commit()
    login_as(client, cand)
    return cat, cand


# --- the 考试报名 page ------------------------------------------------------------------------------

def test_list_shows_every_registration_newest_first_with_its_actions(setup, client, session):
    cat, cand = setup
    old = make_registration(cand, cat, status="abandoned", take_seat=False)
    old.created_at = utcnow() - timedelta(days=3)
    new = make_registration(cand, cat)
    session.commit()
    html = client.get("/registration").get_data(as_text=True)
    assert "开始新的报名" in html and "报名信息不提供修改功能" in html
    assert html.index(f"registration-{new.id}") < html.index(f"registration-{old.id}")
    card = html[html.index(f"registration-{new.id}"):html.index(f"registration-{old.id}")]
    for text in (new.number, "已提交", "未缴费", cat["region"].name, cat["site"].name, "放弃报考"):
        assert text in card
    old_card = html[html.index(f"registration-{old.id}"):]
    assert "已放弃" in old_card and "放弃报考</button>" not in old_card


def test_list_needs_a_login(client, app):
    assert client.get("/registration").status_code == 302


# --- 选择报考类别 ----------------------------------------------------------------------------------

def test_subjects_filter_on_the_server_too(setup, client):
    html = client.get("/registration/subjects?level=执业助理医师").get_data(as_text=True)
    assert "临床执业助理医师" in html and ">临床执业医师<" not in html
    html = client.get("/registration/subjects?q=110").get_data(as_text=True)
    assert ">临床执业医师<" in html and "临床执业助理医师" not in html
    html = client.get("/registration/subjects").get_data(as_text=True)
    assert html.count("aria-label=\"报名 ") == 2 and "网上报名时间" in html


def test_subjects_before_the_window_say_when_it_opens(session, client):
    cat = make_catalogue(window_open=False)
    cand = make_candidate()
    session.commit()
    login_as(client, cand)
    html = client.get("/registration/subjects").get_data(as_text=True)
    assert "尚未开始" in html and "aria-label=\"报名 " not in html
    response = _post(client, "/registration/start", {"subject_id": cat["subject"].id},
                     page_url="/registration", follow_redirects=True)
    assert "尚未开始" in response.get_data(as_text=True)
    assert session.scalar(db.select(db.func.count(Registration.id))) == 0


# --- the wizard, step by step ---------------------------------------------------------------------

def test_wizard_step_by_step(setup, client, session):
    cat, cand = setup
    cand.photo_path = None
    session.commit()
    dictionaries()
    session.commit()
    start = _post(client, "/registration/start", {"subject_id": cat["subject"].id},
                  page_url="/registration/subjects")
    reg = session.scalar(db.select(Registration))
    assert start.headers["Location"].endswith(_step(reg, "basic"))

    # 基本情况: pre-filled from the profile; photo required; 现役军人 said at once
    html = client.get(_step(reg, "basic")).get_data(as_text=True)
    assert 'value="13800138000"' in html and "不要大于40k" in html and "上一步" in html and "下一步" in html
    basic = {"military_identity": "active", "mobile": "13800138000", "email": "", "address": "北京市东城区",
             "postcode": ""}
    refused = _post(client, _step(reg, "basic"), {**basic, "action": "next"})
    assert refused.status_code == 422 and "请上传照片" in refused.get_data(as_text=True)
    bad = _post(client, _step(reg, "basic"), {**basic, "mobile": "123", "action": "next"})
    assert "手机号码" in bad.get_data(as_text=True) and 'value="123"' in bad.get_data(as_text=True)
    from io import BytesIO
    ok = _post(client, _step(reg, "basic"), {**basic, "action": "next", "photo": (BytesIO(jpeg()), "me.jpg")},
               content_type="multipart/form-data")
    assert ok.status_code == 302, re.findall(r'field-error" [^<]*<', ok.get_data(as_text=True))
    assert ok.headers["Location"].endswith(_step(reg, "work"))
    session.expire_all()
    assert cand.photo_path and cand.military_identity == "active"

    # 工作情况: YYYY-MM, saved back to the profile
    html = client.get(_step(reg, "work")).get_data(as_text=True)
    assert "当年毕业研究生" in html and "2008-03" in html and "加考军事医学" in html
    work = {"employment_status": "在岗", "work_unit_name": "北京协和医院", "title": "主治医师",
            "title_date": "2021/07", "practice_start": "2020-07", "action": "next"}
    bad = _post(client, _step(reg, "work"), work)
    assert bad.status_code == 422 and "YYYY-MM" in bad.get_data(as_text=True)
    assert _post(client, _step(reg, "work"), {**work, "title_date": "2021-07"}).status_code == 302
    session.expire_all()
    assert cand.title == "主治医师" and cand.title_date == "2021-07"

    # 教育经历和培训经历: nothing ticked is refused; “+” saves to the profile and ticks
    refused = _post(client, _step(reg, "entries"), {"action": "next"})
    assert refused.status_code == 422 and "请勾选用于报考的教育经历" in refused.get_data(as_text=True)
    bad_add = _post(client, _step(reg, "entries"), {"action": "add_education", "new_education-school_name": "协和医学院",
                                                    "new_education-level": "博士研究生", "new_education-major": "内科学",
                                                    "new_education-start_ym": "2015-13"})
    assert bad_add.status_code == 422 and "YYYY-MM" in bad_add.get_data(as_text=True)
    added = _post(client, _step(reg, "entries"), {"action": "add_education", "new_education-school_name": "协和医学院",
                                                  "new_education-level": "本科", "new_education-major": "临床医学",
                                                  "new_education-study_mode": "全日制",
                                                  "new_education-start_ym": "2005-09", "new_education-end_ym": "2010-07",
                                                  "new_education-diploma_number": "X1", "new_education-select": "1"})
    assert added.status_code == 302, re.findall(r'field-error" [^<]*<', added.get_data(as_text=True))
    new_edu = session.scalar(db.select(Education).filter_by(school_name="协和医学院"))
    html = client.get(_step(reg, "entries")).get_data(as_text=True)
    assert re.search(rf'id="education-{new_edu.id}"[^>]*checked', html)  # no need to tick it again
    assert _post(client, _step(reg, "entries"), {"education_ids": [str(new_edu.id)], "action": "next"}).status_code == 302

    # 选择证书: skippable here (本科)
    html = client.get(_step(reg, "certificates")).get_data(as_text=True)
    assert "可以直接跳过" in html and "执业助理医师（乡镇）" in html
    assert _post(client, _step(reg, "certificates"), {"action": "next"}).status_code == 302

    # 选择考区及考点: review, attempts explained, then 提交
    html = client.get(_step(reg, "site")).get_data(as_text=True)
    assert "累计报考次数" in html and "默认次数为1" in html and "请先选择考区" in html and "剩余名额 2" not in html
    chosen = _post(client, _step(reg, "site"), {"region_id": cat["region"].id, "attempts": "3", "action": "region"})
    html = chosen.get_data(as_text=True)  # 选择考区 without JavaScript: its 考点, and what was typed kept
    assert chosen.status_code == 200 and "剩余名额 2" in html and "协和医学院" in html and 'value="3"' in html
    bad = _post(client, _step(reg, "site"), {"region_id": cat["region"].id, "site_id": cat["site"].id,
                                              "attempts": "0", "action": "submit"})
    assert bad.status_code == 422 and "累计报考次数" in bad.get_data(as_text=True)
    html = client.get(_step(reg, "site")).get_data(as_text=True)
    token = re.search(r'name="submit_token" value="([^"]+)"', html).group(1)
    done = client.post(_step(reg, "site"), data={"csrf_token": csrf_token_from(html), "region_id": cat["region"].id,
                                                  "site_id": cat["site"].id, "attempts": "2", "action": "submit",
                                                  "submit_token": token})
    assert done.status_code == 303 and done.headers["Location"].endswith("/registration")
    session.expire_all()
    reg = session.get(Registration, reg.id)
    assert (reg.status, reg.attempts, reg.military_unit) == ("submitted", 2, True)
    assert cat["site"].name in client.get("/registration").get_data(as_text=True)


def test_certificate_step_required_for_zhongzhuan_to_physician(setup, client, session):
    cat, cand = setup
    types = dictionaries()
    edu = cand.educations[0]
    edu.level = "中专"
    reg = ready_draft(cand, cat)
    session.commit()
    html = client.get(_step(reg, "certificates")).get_data(as_text=True)
    assert "不具备报考执业医师的资格" in html
    refused = _post(client, _step(reg, "certificates"), {"action": "next"})
    assert refused.status_code == 422 and "须勾选“执业助理医师”证书" in refused.get_data(as_text=True)
    township = _post(client, _step(reg, "certificates"), {
        "action": "add_certificate", "new_certificate-certificate_type_id": types["执业助理医师（乡镇）"].id,
        "new_certificate-issue_ym": "2015-05", "new_certificate-cert_number": "T1", "new_certificate-select": "1"})
    assert township.status_code == 302
    assert _post(client, _step(reg, "certificates"), {"action": "next",
                                                       "certificate_ids": [str(cand.certificates[0].id)]}).status_code == 422


def test_hk_macau_taiwan_candidate_gives_the_permit(session, client):
    cat = make_catalogue()
    cand = ready_candidate(doc_type="hk_macau_permit", doc_number="H87654321")
    reg = ready_draft(cand, cat)
    session.commit()
    login_as(client, cand)
    html = client.get(_step(reg, "basic")).get_data(as_text=True)
    assert 'for="permit_number"' in html
    data = {"military_identity": "civilian", "mobile": "13800138000", "address": "香港", "action": "next"}
    refused = _post(client, _step(reg, "basic"), data)
    assert refused.status_code == 422 and "往来大陆通行证" in refused.get_data(as_text=True)
    assert _post(client, _step(reg, "basic"), {**data, "permit_number": "H12345678"}).status_code == 302
    session.expire_all()
    assert cand.permit_number == "H12345678"


def test_full_site_cannot_be_chosen(setup, client, session):
    cat, cand = setup
    full = Site(region_id=cat["region"].id, code="SFULL", name="已满考点", capacity=1, taken=1)
    session.add(full)
    reg = ready_draft(cand, cat)
    session.commit()
    html = client.get(_step(reg, "site")).get_data(as_text=True)
    assert re.search(rf'id="site-{full.id}"[^>]*disabled', html) and "已报满" in html
    refused = _post(client, _step(reg, "site"), {"region_id": cat["region"].id, "site_id": full.id, "action": "next"})
    assert refused.status_code == 422 and "已报满，请选择其他考点" in refused.get_data(as_text=True)


def test_closed_browser_resumes_where_the_candidate_was(setup, client, session):
    cat, cand = setup
    reg = ready_draft(cand, cat)
    reg.draft_step = "entries"
    session.commit()
    login_as(client, cand)  # a new login, as after closing the browser
    assert client.get(f"/registration/{reg.id}").headers["Location"].endswith(_step(reg, "entries"))


def test_double_submission_gives_one_registration(setup, client, session):
    cat, cand = setup
    reg = ready_draft(cand, cat)
    session.commit()
    html = client.get(_step(reg, "site")).get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(html), "submit_token": re.search(r'name="submit_token" value="([^"]+)"', html).group(1)}
    first = client.post(f"/registration/{reg.id}/submit", data=data)
    second = client.post(f"/registration/{reg.id}/submit", data=data)
    assert first.status_code == second.status_code == 303
    assert session.scalar(db.select(db.func.count(Registration.id))) == 1
    assert session.get(Site, cat["site"].id).taken == 1


def test_abandon_then_register_again(setup, client, session):
    cat, cand = setup
    reg = make_registration(cand, cat)
    session.commit()
    response = _post(client, f"/registration/{reg.id}/abandon", {}, page_url="/registration", follow_redirects=True)
    assert "已放弃报考" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Registration, reg.id).status == "abandoned" and session.get(Site, cat["site"].id).taken == 0
    again = _post(client, "/registration/start", {"subject_id": cat["subject"].id}, page_url="/registration/subjects")
    assert again.status_code == 302 and "/step/basic" in again.headers["Location"]


def test_abandon_a_draft_discards_it(setup, client, session):
    """放弃报考 on a draft (no seat, number or locked entry): the draft is deleted, never a 500."""
    cat, cand = setup
    reg = ready_draft(cand, cat)
    session.commit()
    reg_id = reg.id
    response = _post(client, f"/registration/{reg_id}/abandon", {}, page_url="/registration", follow_redirects=True)
    assert response.status_code == 200 and "已放弃报考" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Registration, reg_id) is None and session.get(Site, cat["site"].id).taken == 0
    audit = session.scalar(db.select(AuditEntry).filter_by(action="registration.draft_discarded"))
    assert audit.object_id == reg_id and audit.actor_id == cand.id
    again = _post(client, f"/registration/{reg_id}/abandon", {}, page_url="/registration")
    assert again.status_code == 404  # gone: nothing left to abandon
    start = _post(client, "/registration/start", {"subject_id": cat["subject"].id}, page_url="/registration/subjects")
    assert start.status_code == 302 and "/step/basic" in start.headers["Location"]


# --- nobody touches another candidate's drafts or registrations -----------------------------------

def test_other_candidates_get_404_on_every_route(setup, client, session):
    cat, owner = setup
    draft = ready_draft(owner, cat)
    other_cat = make_catalogue()
    submitted = make_registration(owner, other_cat)
    intruder = make_candidate()
    session.commit()
    login_as(client, intruder)
    token = csrf_token_from(client.get("/registration/subjects").get_data(as_text=True))
    for reg in (draft, submitted):
        assert client.get(f"/registration/{reg.id}").status_code == 404
        assert client.get(_step(reg, "basic")).status_code == 404
        assert client.post(_step(reg, "site"), data={"csrf_token": token, "action": "next"}).status_code == 404
        assert client.post(f"/registration/{reg.id}/submit", data={"csrf_token": token, "submit_token": "x"}).status_code == 404
        assert client.post(f"/registration/{reg.id}/abandon", data={"csrf_token": token}).status_code == 404
    session.expire_all()
    assert session.get(Registration, submitted.id).status == "submitted"
    assert session.get(Registration, draft.id).status == "draft"


def test_submitted_registration_cannot_be_edited(setup, client, session):
    cat, cand = setup
    reg = make_registration(cand, cat)
    session.commit()
    assert client.get(_step(reg, "basic")).status_code == 404


def test_rules_warn_on_the_step_and_block_the_submission(setup, client, session):
    cat, cand = setup
    types = dictionaries()
    from core.models import Training
    other = Training(candidate_id=cand.id, training_type_id=types["进修"].id, institution="某医院", start_ym="2016-09")
    session.add(other)
    cand.practice_start = "2027-01"
    session.flush()
    reg = ready_draft(cand, cat)
    reg.draft_data = {**reg.draft_data, "training_ids": [other.id]}
    session.commit()
    html = client.get(_step(reg, "entries")).get_data(as_text=True)
    assert "请取消勾选“某医院 进修”" in html and "试用期（执业）满1年" in html  # warnings, not yet blocking
    html = client.get(_step(reg, "site")).get_data(as_text=True)
    token = re.search(r'name="submit_token" value="([^"]+)"', html).group(1)
    refused = client.post(_step(reg, "site"), data={"csrf_token": csrf_token_from(html), "region_id": cat["region"].id,
                                                     "site_id": cat["site"].id, "action": "submit", "submit_token": token})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "报名未能提交" in body and "某医院 进修" in body
    session.expire_all()
    assert session.get(Registration, reg.id).status == "draft" and session.get(Site, cat["site"].id).taken == 0


def test_start_while_registered_for_the_year_says_abandon_first(setup, client, session):
    cat, cand = setup
    make_registration(cand, cat)
    session.commit()
    response = _post(client, "/registration/start", {"subject_id": cat["assistant_subject"].id},
                     page_url="/registration/subjects", follow_redirects=True)
    assert "请先“放弃报考”" in response.get_data(as_text=True)


# --- the wizard and submission agree (issue 13) --------------------------------------------------

R3_NO_CERT = ("以中专学历报考执业医师，需在“选择证书”一步勾选“执业助理医师”证书"
              "（“执业助理医师（乡镇）”类型不具备报考资格）。")


def _zhongzhuan_draft(session, cat, cand, **route_and_rules):
    from core.models import EligibilityRouteSetting, EligibilityRuleSetting
    cand.educations[0].level = "中专"
    for key, value in route_and_rules.items():
        if key == "route":
            session.add(EligibilityRouteSetting(exam_year_id=cat["year"].id, route=value, open=False))
        else:
            session.add(EligibilityRuleSetting(exam_year_id=cat["year"].id, rule=key, enabled=value, params={}))
    reg = ready_draft(cand, cat)
    session.commit()
    return reg


def test_certificate_step_asks_for_the_certificate_even_with_r3_switched_off(setup, client, session):
    cat, cand = setup
    reg = _zhongzhuan_draft(session, cat, cand, R3=False)
    assert 'id="certificate-required"' in client.get(_step(reg, "certificates")).get_data(as_text=True)
    refused = _post(client, _step(reg, "certificates"), {"action": "next"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert f'<span class="field-error" id="certificate_ids-error">{R3_NO_CERT}</span>' in html


def test_a_closed_route_is_said_at_the_education_step_and_no_certificate_is_asked(setup, client, session):
    cat, cand = setup
    reg = _zhongzhuan_draft(session, cat, cand, route="physician_secondary")
    closed = "2027年度不开放中专学历报考执业医师：请改选执业助理医师类别，或勾选专科及以上学历的教育经历。"
    refused = _post(client, _step(reg, "entries"), {"action": "next",
                                                    "education_ids": [str(cand.educations[0].id)]})
    assert refused.status_code == 422
    assert f'<span class="field-error" id="education_ids-error">{closed}</span>' in refused.get_data(as_text=True)
    html = client.get(_step(reg, "certificates")).get_data(as_text=True)
    assert 'id="certificate-optional"' in html and 'id="certificate-required"' not in html


def test_adult_education_after_the_cut_off_is_refused_where_it_is_ticked(setup, client, session):
    cat, cand = setup
    edu = cand.educations[0]
    edu.study_mode, edu.start_ym = "成人教育", "2003-09"
    reg = ready_draft(cand, cat)
    session.commit()
    refused = _post(client, _step(reg, "entries"), {"action": "next", "education_ids": [str(edu.id)]})
    assert refused.status_code == 422
    assert ("教育经历“北京大学 本科”为成人教育学历，2003-09入学，晚于2002年10月31日"
            in refused.get_data(as_text=True))
    done = _post(client, _step(reg, "site"), {"action": "submit", "region_id": cat["region"].id,
                                              "site_id": cat["site"].id, "attempts": "1",
                                              "submit_token": "tok"})
    assert done.status_code == 422 and session.get(Registration, reg.id).status == "draft"


def test_submission_requires_every_step_passed_in_order(setup, client, session):
    """Opening the last step's URL directly, posting it, or posting 提交 skips nothing: the first step not
    passed is named and opened."""
    from core.registration.draft import Draft
    cat, cand = setup
    reg = ready_draft(cand, cat)
    Draft(done=["basic", "work", "entries"], education_ids=[cand.educations[0].id]).store(reg)
    session.commit()
    opened = client.get(_step(reg, "site"))
    assert opened.status_code == 302 and opened.headers["Location"].endswith(_step(reg, "certificates"))
    form = {"action": "submit", "region_id": cat["region"].id, "site_id": cat["site"].id, "attempts": "1",
            "submit_token": "tok"}
    response = _post(client, _step(reg, "site"), form, page_url=_step(reg, "certificates"))
    assert response.status_code == 302 and response.headers["Location"].endswith(_step(reg, "certificates"))
    assert "请先完成“选择证书”一步。" in client.get(_step(reg, "certificates")).get_data(as_text=True)
    direct = _post(client, f"/registration/{reg.id}/submit", {"submit_token": "tok"},
                   page_url=_step(reg, "certificates"))
    assert direct.status_code == 302 and direct.headers["Location"].endswith(_step(reg, "certificates"))
    assert "请完成“选择证书”一步。" in client.get(_step(reg, "certificates")).get_data(as_text=True)
    session.expire_all()
    assert session.get(Registration, reg.id).status == "draft" and Draft.of(session.get(Registration, reg.id)).done \
        == ["basic", "work", "entries"]


def test_a_step_with_refused_input_kept_must_be_passed_before_a_later_one(setup, client, session):
    cat, cand = setup
    reg = ready_draft(cand, cat)
    session.commit()
    back = _post(client, _step(reg, "work"), {"action": "prev", "employment_status": "在岗",
                                               "practice_start": "2020/13"})
    assert back.status_code == 302  # 上一步 always goes back, the refused input kept
    opened = client.get(_step(reg, "entries"))
    assert opened.status_code == 302 and opened.headers["Location"].endswith(_step(reg, "work"))


def test_work_step_refuses_too_few_years_of_practice_beside_the_field(setup, client, session):
    """R1 is a rule of 工作情况: once the diploma is ticked, the step itself refuses, nothing is saved."""
    cat, cand = setup
    reg = ready_draft(cand, cat)
    session.commit()
    data = {"action": "next", "employment_status": "在岗", "work_unit_name": "协和医院", "title": "医师",
            "title_date": "2021-07", "post": "医师"}
    refused = _post(client, _step(reg, "work"), {**data, "practice_start": "2026-11"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert ('<span class="field-error" id="practice_start-error">报考执业医师需在2027年8月31日前试用期（执业）满1年：请在“工作情况”中填写试用期起始年月'
            in html)
    session.expire_all()
    assert session.get(type(cand), cand.id).practice_start == "2020-07"
    assert _post(client, _step(reg, "work"), {**data, "practice_start": "2026-08"}).status_code == 302
    session.expire_all()
    assert session.get(type(cand), cand.id).practice_start == "2026-08"


def test_work_step_passes_with_r1_switched_off(setup, client, session):
    from core.models import EligibilityRuleSetting
    cat, cand = setup
    session.add(EligibilityRuleSetting(exam_year_id=cat["year"].id, rule="R1", enabled=False, params={}))
    reg = ready_draft(cand, cat)
    session.commit()
    ok = _post(client, _step(reg, "work"), {"action": "next", "employment_status": "在岗", "work_unit_name": "协和医院",
                                            "title": "医师", "title_date": "2021-07", "post": "医师",
                                            "practice_start": "2026-11"})
    assert ok.status_code == 302


def test_entries_step_refuses_a_finding_of_an_earlier_step_once_the_diploma_decides_it(setup, client, session):
    cat, cand = setup
    cand.practice_start = "2027-01"
    reg = ready_draft(cand, cat)
    session.commit()
    refused = _post(client, _step(reg, "entries"), {"action": "next",
                                                    "education_ids": [str(cand.educations[0].id)]})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert '<span class="field-error" id="education_ids-error">报考执业医师需在' in html


def test_permit_follows_r9_switch_at_the_basic_step(session, client):
    from core.models import EligibilityRuleSetting
    cat = make_catalogue()
    cand = ready_candidate(doc_type="hk_macau_permit", doc_number="H87654321")
    reg = ready_draft(cand, cat)
    session.commit()
    login_as(client, cand)
    data = {"military_identity": "civilian", "mobile": "13800138000", "address": "香港", "action": "next"}
    refused = _post(client, _step(reg, "basic"), data)
    assert refused.status_code == 422
    assert ('<span class="field-error" id="permit_number-error">台港澳人士须在“基本情况”一步填写往来大陆通行证号码。'
            in refused.get_data(as_text=True))
    bad = _post(client, _step(reg, "basic"), {**data, "permit_number": "12"})
    assert bad.status_code == 422 and 'id="permit_number-error"' in bad.get_data(as_text=True)
    session.add(EligibilityRuleSetting(exam_year_id=cat["year"].id, rule="R9", enabled=False, params={}))
    session.commit()
    assert _post(client, _step(reg, "basic"), data).status_code == 302  # the year's switch: not required
