"""The reviewer's page groups each document under the entry it proves (core.documents.grouping): the
education with its 毕业证书 and 学历证书电子注册备案表, the identity documents under 本人身份, the 试用期考核证明 under
工作情况; a document whose entry the registration does not use goes under 其他材料."""
from __future__ import annotations

from core.db import db
from core.documents import grouping, service
from core.models import Document, Registration, RegistrationDocument
from core.registration import submission
from tests.factories import upload_required


def test_each_document_sits_with_the_entry_it_proves(online):
    reg = db.session.get(Registration, online["reg_id"])
    upload_required(reg)
    reg = submission.submit_registration(reg.candidate, reg.id, "tok")
    links = service.links_of(reg.id)
    education = reg.candidate.educations[0]
    groups = {g.key: g for g in grouping.entry_groups(reg, links)}
    assert list(groups)[0] == "identity" and f"education:{education.id}" in groups
    edu = groups[f"education:{education.id}"]
    assert sorted(lk.slot.split(":")[0] for lk in edu.links) == ["chsi", "diploma"]
    assert ("学校", "北京大学") in edu.facts and ("毕业证书编号", "100011201505000123") in edu.facts
    assert edu.entry is education and edu.title == "教育经历"
    identity = groups["identity"]
    assert {lk.slot for lk in identity.links} == {"id_front", "id_back"}
    assert dict(identity.facts)["姓名"] == reg.candidate.name
    assert reg.candidate.doc_number not in str(identity.facts)  # masked, as on the rest of the page
    if "work" in groups:
        assert [lk.slot for lk in groups["work"].links] == ["practice"]
    assert sum(len(g.links) for g in groups.values()) == len(links) and "other" not in groups
    stray = Document(candidate_id=reg.candidate_id, slot="diploma:education:999999", content_type="image/jpeg",
                     bytes=1, pages=1, key="stray.jpg", thumb_key="stray.thumb.jpg", page_keys=[])
    db.session.add(stray)
    db.session.flush()
    db.session.add(RegistrationDocument(registration_id=reg.id, document_id=stray.id,
                                        slot="diploma:education:999999", label="毕业证书（已删除的经历）"))
    db.session.flush()
    last = grouping.entry_groups(reg, service.links_of(reg.id))[-1]
    assert last.key == "other" and [lk.slot for lk in last.links] == ["diploma:education:999999"]
