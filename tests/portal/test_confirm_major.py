"""确认专业 in the wizard (issue 13): an education whose major was typed by hand or left unconfirmed by
migration 0009e gets a button at the 教育经历 step; the major chosen there from the dictionary is saved to the
profile, audited, and settles R7's refusal. Bad input is refused beside the field, nothing saved."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.models import AuditEntry, Education, Major
from core.services.majors import put_default_majors
from tests.factories import login_as, make_catalogue, ready_candidate, ready_draft, set_entry_state
from tests.support.web import csrf_token_from

TO_CONFIRM = ("请确认教育经历“北京大学 本科”的专业“临床”：在“教育经历和培训经历”一步该经历下点“确认专业”，"
              "从专业目录选择后确认（也可在“个人信息”中修改；专业须与报考类别对应）。")


@pytest.fixture
def flagged(session, client):
    put_default_majors()
    cat = make_catalogue()
    cand = ready_candidate()
    edu = cand.educations[0]
    edu.major, edu.major_category, edu.major_unconfirmed = "临床", None, True  # as 0009e left it
    reg = ready_draft(cand, cat)
    session.commit()
    login_as(client, cand)
    return {"cand": cand, "edu": edu, "reg": reg, "cat": cat}


def _url(reg):
    return f"/registration/{reg.id}/step/entries"


def _confirm(client, reg, edu_id, major, major_id="", ticked=True):
    html = client.get(_url(reg)).get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(html), "action": f"confirm_major:{edu_id}",
            f"confirm-{edu_id}-major": major, f"confirm-{edu_id}-major_id": major_id}
    if ticked:
        data["education_ids"] = [str(edu_id)]
    return client.post(_url(reg), data=data)


def test_flagged_major_has_a_labelled_confirm_button_and_blocks_until_confirmed(flagged, client, session):
    reg, edu = flagged["reg"], flagged["edu"]
    html = client.get(_url(reg)).get_data(as_text=True)
    box = re.search(rf'<details class="add-form confirm-major" id="confirm-major-{edu.id}" open>(.*?)</details>',
                    html, re.S)
    assert box, "an unconfirmed major opens its 确认专业 box"
    assert f'<label for="f-confirm-{edu.id}-major">' in box.group(1)
    assert f'value="confirm_major:{edu.id}"' in box.group(1) and 'data-level-field="confirm-' in box.group(1)
    assert TO_CONFIRM in html
    refused = client.post(_url(reg), data={"csrf_token": csrf_token_from(html), "action": "next",
                                           "education_ids": [str(edu.id)]})
    assert refused.status_code == 422 and TO_CONFIRM in refused.get_data(as_text=True)


def test_confirming_saves_the_dictionary_major_audits_it_and_the_step_passes(flagged, client, session):
    reg, edu = flagged["reg"], flagged["edu"]
    clinical = session.scalar(select(Major).filter_by(code="100201K"))
    done = _confirm(client, reg, edu.id, "临床医学", str(clinical.id))
    assert done.status_code == 302 and done.headers["Location"].endswith(f"#education-{edu.id}")
    session.expire_all()
    saved = session.get(Education, edu.id)
    assert (saved.major, saved.major_id, saved.major_category) == ("临床医学", clinical.id, "临床医学类")
    assert not saved.major_unconfirmed and not saved.major_manual
    entry = session.scalar(select(AuditEntry).filter_by(action="candidate.education.major_confirmed"))
    assert entry.object_id == edu.id and entry.before["major"] == "临床" and entry.after["code"] == "100201K"
    html = client.get(_url(reg)).get_data(as_text=True)
    assert "专业已确认" in html and f'id="confirm-major-{edu.id}"' not in html and TO_CONFIRM not in html
    assert f'id="education-{edu.id}" name="education_ids" value="{edu.id}" checked' in html  # tick kept
    passed = client.post(_url(reg), data={"csrf_token": csrf_token_from(html), "action": "next",
                                          "education_ids": [str(edu.id)]})
    assert passed.status_code == 302


def test_a_name_alone_resolves_to_the_one_major_of_the_level(flagged, client, session):
    reg, edu = flagged["reg"], flagged["edu"]
    assert _confirm(client, reg, edu.id, "口腔医学").status_code == 302
    session.expire_all()
    assert session.get(Education, edu.id).major_category == "口腔医学类"


@pytest.mark.parametrize("major, code, message", [
    ("", None, "请从专业目录中选择与学历“本科”相符的专业"),
    ("火星医学", None, "请从专业目录中选择与学历“本科”相符的专业"),
    ("口腔医学", "520102K", "专业“口腔医学”属于专科专业目录，与学历“本科”不符：请重新选择。"),
])
def test_bad_choices_are_refused_beside_the_field_and_nothing_changes(flagged, client, session, major, code,
                                                                      message):
    reg, edu = flagged["reg"], flagged["edu"]
    major_id = str(session.scalar(select(Major.id).filter_by(code=code))) if code else ""
    refused = _confirm(client, reg, edu.id, major, major_id)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(rf'<p class="error" id="e-confirm-{edu.id}-major">{re.escape(message)}', html)
    session.expire_all()
    saved = session.get(Education, edu.id)
    assert saved.major == "临床" and saved.major_unconfirmed
    assert session.scalar(select(AuditEntry).filter_by(action="candidate.education.major_confirmed")) is None


def test_a_disabled_major_is_not_accepted(flagged, client, session):
    reg, edu = flagged["reg"], flagged["edu"]
    clinical = session.scalar(select(Major).filter_by(code="100201K"))
    clinical.active = False
    session.commit()
    assert _confirm(client, reg, edu.id, "临床医学", str(clinical.id)).status_code == 422
    assert client.get("/api/majors?q=lcyx&level=本科").get_json() == []


def test_locked_entry_and_anothers_entry_are_refused(flagged, client, session):
    reg, edu = flagged["reg"], flagged["edu"]
    other = ready_candidate(username="lisi", doc_number="11010519491231002X")
    session.commit()
    assert _confirm(client, reg, other.educations[0].id, "临床医学").status_code == 404
    set_entry_state("locked", edu)
    session.commit()
    html = client.get(_url(reg)).get_data(as_text=True)
    assert f'id="confirm-major-{edu.id}"' not in html  # a locked entry offers no button
    refused = _confirm(client, reg, edu.id, "临床医学")
    assert refused.status_code == 422 and "锁定" in refused.get_data(as_text=True)
