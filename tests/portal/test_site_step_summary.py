"""选择考区及考点's 报名信息核对 lists exactly the entries ticked for this registration: the educations and trainings
as read in one statement with the findings, the certificates only when one is ticked."""
from __future__ import annotations

import re

from core.models import Certificate, Education, Registration, Training
from core.registration.draft import Draft
from tests.factories import dictionaries, login_as, make_catalogue, ready_candidate, ready_draft
from tests.support.queries import statements
from tests.support.web import text


def _summary(html: str) -> dict[str, str]:
    review = html[html.index('class="review"'):html.index("</dl>")]
    return {dt: re.sub(r"\s+", " ", dd).strip()
            for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", review, re.S)}


def test_the_summary_names_the_ticked_entries_only(client, session):
    cat, types = make_catalogue(), dictionaries()
    cand = ready_candidate()  # 北京大学 本科 临床医学
    session.add_all([
        Education(candidate_id=cand.id, school_name="首都医科大学", level="硕士研究生", study_mode="全日制",
                  major="内科学", start_ym="2015-09", end_ym="2018-07"),
        Training(candidate_id=cand.id, training_type_id=types["住院医师规范化培训"].id, institution="协和医院",
                 start_ym="2018-09", end_ym="2021-07"),
        Training(candidate_id=cand.id, training_type_id=types["进修"].id, institution="某医院", start_ym="2021-09"),
        Certificate(candidate_id=cand.id, certificate_type_id=types["执业助理医师"].id, issue_ym="2019-01",
                    cert_number="ZL-2019-0001"),
    ])
    session.flush()
    reg = ready_draft(cand, cat)
    draft = Draft.of(reg)
    draft.education_ids = [e.id for e in cand.educations if e.school_name == "北京大学"]
    draft.training_ids = [t.id for t in cand.trainings if t.institution == "协和医院"]
    draft.store(reg)
    session.commit()
    reg_id, certificate_id = reg.id, cand.certificates[0].id
    login_as(client, cand)
    url = f"/registration/{reg_id}/step/site"

    seen, response = statements(client, url)
    summary = _summary(text(response))
    assert summary["教育经历"] == "北京大学 本科 临床医学；"  # the master's degree is not ticked
    assert summary["培训经历"] == "住院医师规范化培训 协和医院；"
    assert summary["证书"] == "无"
    assert not [s for s in seen if "FROM certificates" in s], seen  # none ticked: none read
    assert len([s for s in seen if "FROM educations" in s or "FROM trainings" in s]) == 1, seen  # one UNION

    reg = session.get(Registration, reg_id)
    draft = Draft.of(reg)
    draft.certificate_ids = [certificate_id]
    draft.store(reg)
    session.commit()
    assert _summary(text(client.get(url)))["证书"] == "执业助理医师 ZL-2019-0001；"
