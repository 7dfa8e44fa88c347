"""修改 an entry from inside the registration wizard (issue 15): each 教育经历, 培训经历 and 证书情况 a step lists
has a 修改 button opening the 个人信息 centre's form for it, pre-filled; saved to the profile by the same rules,
audited, back to the same step with the draft's ticks kept. Bad input: the message beside the field, nothing
saved, nothing typed lost. Another candidate's entry: 404. Locked entries stay read-only with the reason."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.models import AuditEntry, Certificate, Education
from core.registration.draft import STEP_NAMES, Draft
from tests.factories import (dictionaries, login_as, make_catalogue, make_registration, ready_candidate, ready_draft,
                             set_entry_state)
from tests.support.web import csrf_token_from, text

MISSING_REG = "请补全执业助理医师证书的注册年月、注册编号"


@pytest.fixture
def world(session, client):
    """A 中专 candidate registering for 执业医师 whose ticked 执业助理医师 certificate lacks 注册年月 and 注册编号."""
    cat = make_catalogue()
    types = dictionaries()
    cand = ready_candidate()
    cand.educations[0].level = "中专"
    cert = Certificate(candidate_id=cand.id, certificate_type_id=types["执业助理医师"].id, issue_ym="2015-05",
                       cert_number="110000000001")
    session.add(cert)
    session.flush()
    reg = ready_draft(cand, cat)
    draft = Draft.of(reg)
    draft.set_ids("certificate", [cert.id])
    draft.store(reg)
    session.commit()
    login_as(client, cand)
    return {"cat": cat, "cand": cand, "cert": cert, "reg": reg, "types": types}


def _step(reg, step="certificates"):
    return f"/registration/{reg.id}/step/{step}"


def _edit(reg, entry_id, kind="certificate", step="certificates"):
    return f"/registration/{reg.id}/step/{step}/{kind}/{entry_id}"


def _save(client, url, data):
    token = csrf_token_from(text(client.get(url)))
    return client.post(url, data={"csrf_token": token, **data})


GOOD = {"certificate_type_id": "", "issue_ym": "2015-05", "cert_number": "110000000001", "reg_ym": "2016-03",
        "reg_number": "210000000001"}


def _good(world):
    return {**GOOD, "certificate_type_id": str(world["types"]["执业助理医师"].id)}


def test_the_step_offers_a_labelled_edit_button_per_entry_and_keeps_the_ticks(world, client, session):
    reg, cert = world["reg"], world["cert"]
    html = text(client.get(_step(reg)))
    assert MISSING_REG in html
    assert "审核材料：" not in html  # 现场审核 region: no documents beside the entries
    assert (f'name="action" value="edit:certificate:{cert.id}"' in html
            and 'aria-label="修改执业助理医师 110000000001"' in html)
    opened = client.post(_step(reg), data={"csrf_token": csrf_token_from(html), "action": f"edit:certificate:{cert.id}",
                                           "certificate_ids": []})  # the tick removed on the page before 修改
    assert opened.status_code == 303 and opened.headers["Location"].endswith(_edit(reg, cert.id))
    session.expire_all()
    assert Draft.of(db.session.get(type(reg), reg.id)).certificate_ids == []  # what the page showed is kept


def test_the_edit_page_is_the_profile_form_prefilled(world, client):
    reg, cert = world["reg"], world["cert"]
    html = text(client.get(_edit(reg, cert.id)))
    assert "<h1>修改证书情况</h1>" in html
    assert MISSING_REG in html  # the step's finding, beside the form that fixes it
    for name in ("certificate_type_id", "issue_ym", "cert_number", "reg_ym", "reg_number"):
        assert f'<label for="f-{name}">' in html and f'id="f-{name}" name="{name}"' in html
    assert 'name="issue_ym" type="text" value="2015-05"' in html
    assert 'name="cert_number" type="text" value="110000000001"' in html
    assert f'<option value="{world["types"]["执业助理医师"].id}" selected>' in html
    assert f'href="{_step(reg)}#certificate-{cert.id}"' in html  # 取消 goes back to the same step


def test_saving_fixes_the_entry_in_the_profile_audits_it_and_returns_to_the_step(world, client, session):
    reg, cert, cand = world["reg"], world["cert"], world["cand"]
    done = _save(client, _edit(reg, cert.id), _good(world))
    assert done.status_code == 303 and done.headers["Location"].endswith(f"{_step(reg)}#certificate-{cert.id}")
    session.expire_all()
    saved = session.get(Certificate, cert.id)
    assert (saved.reg_ym, saved.reg_number, saved.state) == ("2016-03", "210000000001", "editable")
    entry = session.scalar(select(AuditEntry).filter_by(action="candidate.certificate.changed"))
    assert entry.object_id == cert.id and entry.actor_id == cand.id
    assert entry.before == {"reg_ym": None, "reg_number": None}
    assert entry.after == {"reg_ym": "2016-03", "reg_number": "210000000001", "registration_id": reg.id}
    draft = Draft.of(session.get(type(reg), reg.id))
    assert draft.certificate_ids == [cert.id] and set(draft.done) == set(STEP_NAMES)  # the draft untouched
    html = text(client.get(_step(reg)))
    assert "证书情况已修改并保存到个人信息" in html and MISSING_REG not in html
    assert MISSING_REG not in text(client.get(_edit(reg, cert.id)))
    assert f'id="certificate-{cert.id}" name="certificate_ids" value="{cert.id}" checked' in html
    passed = client.post(_step(reg), data={"csrf_token": csrf_token_from(html), "action": "next",
                                           "certificate_ids": [str(cert.id)]})
    assert passed.status_code == 302 and passed.headers["Location"].endswith(_step(reg, "site"))


def test_bad_input_is_refused_beside_the_field_and_nothing_is_lost(world, client, session):
    reg, cert = world["reg"], world["cert"]
    refused = _save(client, _edit(reg, cert.id), {**_good(world), "reg_ym": "2016/3", "cert_number": "X-99"})
    html = text(refused)
    assert refused.status_code == 422
    assert '<div class="field  has-error">\n  <label for="f-reg_ym">' in html
    assert '<p class="error" id="e-reg_ym">' in html and 'aria-invalid="true"' in html
    assert 'name="reg_ym" type="text" value="2016/3"' in html  # as typed
    assert 'name="cert_number" type="text" value="X-99"' in html and 'value="210000000001"' in html
    early = _save(client, _edit(reg, cert.id), {**_good(world), "reg_ym": "2014-01"})
    assert early.status_code == 422 and "注册年月不能早于发证年月" in text(early)
    session.expire_all()
    saved = session.get(Certificate, cert.id)
    assert (saved.reg_ym, saved.cert_number) == (None, "110000000001")
    assert session.scalar(select(AuditEntry).filter_by(action="candidate.certificate.changed")) is None
    assert Draft.of(session.get(type(reg), reg.id)).certificate_ids == [cert.id]


def test_education_and_training_are_edited_from_the_entries_step(world, client, session):
    reg, cand = world["reg"], world["cand"]
    edu = cand.educations[0]
    html = text(client.get(_step(reg, "entries")))
    assert f'value="edit:education:{edu.id}"' in html
    url = _edit(reg, edu.id, "education", "entries")
    assert 'name="school_name" type="text" value="北京大学"' in text(client.get(url))
    done = _save(client, url, {"school_name": "北京大学", "level": "专科", "study_mode": "全日制", "major": "临床医学",
                               "start_ym": "2010-09", "end_ym": "2013-07", "diploma_number": "D2"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"{_step(reg, 'entries')}#education-{edu.id}")
    session.expire_all()
    saved = session.get(Education, edu.id)
    assert (saved.level, saved.end_ym, saved.diploma_number) == ("专科", "2013-07", "D2")
    # an education asked for at the 证书 step (a kind the step does not list): no such page
    assert client.get(_edit(reg, edu.id, "education", "certificates")).status_code == 404


def test_another_candidates_entry_or_registration_is_a_404(world, client, session):
    reg = world["reg"]
    other = ready_candidate()
    theirs = other.educations[0]
    their_cert = Certificate(candidate_id=other.id, certificate_type_id=world["types"]["执业助理医师"].id,
                             issue_ym="2015-05", cert_number="OTHER1")
    session.add(their_cert)
    their_reg = ready_draft(other, world["cat"])
    session.commit()
    token = csrf_token_from(text(client.get(_step(reg))))
    for url in (_edit(reg, their_cert.id), _edit(reg, theirs.id, "education", "entries"),
                _edit(their_reg, world["cert"].id), _edit(reg, 999999), _edit(reg, world["cert"].id, "photo")):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={"csrf_token": token, **_good(world)}).status_code == 404, url
    session.expire_all()
    assert session.get(Certificate, their_cert.id).reg_ym is None


def test_saving_needs_the_csrf_token(world, client, session):
    reg, cert = world["reg"], world["cert"]
    assert client.post(_edit(reg, cert.id), data=_good(world)).status_code == 400
    session.expire_all()
    assert session.get(Certificate, cert.id).reg_ym is None


def test_a_locked_entry_is_read_only_with_the_reason(world, client, session):
    reg, cert = world["reg"], world["cert"]
    set_entry_state("locked", cert)
    session.commit()
    step = text(client.get(_step(reg)))
    assert f'value="edit:certificate:{cert.id}"' not in step and "该条目已在报名申请中使用并被锁定，不可修改" in step
    page = text(client.get(_edit(reg, cert.id)))
    assert 'id="entry-fixed"' in page and "锁定" in page and 'id="entry-form"' not in page
    token = csrf_token_from(text(client.get(_step(reg))))
    refused = client.post(_edit(reg, cert.id), data={"csrf_token": token, **_good(world)})
    assert refused.status_code == 422 and "锁定" in text(refused)
    session.expire_all()
    assert session.get(Certificate, cert.id).reg_ym is None


def test_a_submitted_registration_has_no_edit_page(world, client, session):
    submitted = make_registration(world["cand"], make_catalogue())  # another exam year
    session.commit()
    assert client.get(_edit(submitted, world["cert"].id)).status_code == 404
