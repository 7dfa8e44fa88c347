"""个人信息: six groups, saved only by 提交; each kind of bad input keeps everything typed; lists with
add/delete icons; the work-unit picker; dictionary vs typed schools; locked and verified entries."""
import re

import pytest

from core.db import db
from core.models import Candidate, Certificate, Education, Training
from tests.factories import login_as, make_candidate, make_dictionaries, set_entry_state
from tests.support.web import post_page, text


@pytest.fixture
def setup(client, app_ctx):
    dicts = make_dictionaries()
    cand = make_candidate(mobile=None)
    db.session.commit()
    login_as(client, cand)
    return cand, dicts


def full_form(dicts, **kw):
    pku = dicts["schools"]["北京大学"]
    data = {
        "mobile": "13912345678", "email": "wang@example.com", "address": "北京市东城区东单北大街1号",
        "postcode": "100005",
        "employment_status": "在岗", "work_unit_id": str(dicts["units"][0].id), "work_unit_name": "北京协和医院",
        "department": "内科", "title": "住院医师", "title_date": "2020-07", "post": "",
        "education-0-id": "", "education-0-school_id": str(pku.id), "education-0-school_name": "北京大学",
        "education-0-level": "本科", "education-0-study_mode": "全日制", "education-0-major": "临床医学",
        "education-0-start_ym": "2010-09", "education-0-end_ym": "2015-07",
        "education-0-diploma_number": "100011201505000123",
        "training-0-id": "", "training-0-training_type_id": str(dicts["residency"].id),
        "training-0-institution": "北京协和医院", "training-0-major": "内科", "training-0-start_ym": "2015-09",
        "training-0-end_ym": "2018-08", "training-0-certificate_number": "GP2018001",
        "certificate-0-id": "", "certificate-0-certificate_type_id": str(dicts["assistant"].id),
        "certificate-0-issue_ym": "2016-12", "certificate-0-cert_number": "201611110000001",
        "certificate-0-reg_ym": "2017-03", "certificate-0-reg_number": "110110000001",
        "action": "submit",
    }
    data.update(kw)
    return data


def submit(client, data):
    return post_page(client, "/profile", data)


def test_page_shows_six_groups_legend_and_labels(client, setup):
    html = text(client.get("/profile"))
    for group in ("基本信息", "联系方式", "工作情况", "教育经历", "培训经历", "证书情况"):
        assert f">{group}</h2>" in html
    assert "锁型图案表示有在报名申请中使用" in html and "对勾图案表示已得到验证" in html
    assert "通过考务人员进行修订" in html  # 基本信息 is read only, with the note
    assert 'name="name"' not in html and 'name="doc_number"' not in html
    for name in ("mobile", "email", "address", "postcode", "employment_status", "work_unit_name",
                 "department", "title", "title_date", "post", "education-0-school_name",
                 "education-0-start_ym", "photo"):
        assert f'<label for="f-{name}">' in html, name
    assert "必须点击“提交”按钮方可保存成功" in html


def test_good_submit_saves_all_groups(client, setup):
    cand, dicts = setup
    response = submit(client, full_form(dicts))
    assert response.status_code == 302
    db.session.expire_all()
    cand = db.session.get(Candidate, cand.id)
    assert (cand.mobile, cand.postcode, cand.email) == ("13912345678", "100005", "wang@example.com")
    assert cand.work_unit_id == dicts["units"][0].id and not cand.work_unit_manual
    (edu,) = cand.educations
    assert edu.school_id == dicts["schools"]["北京大学"].id and not edu.school_manual
    assert (cand.trainings[0].training_type.name, cand.certificates[0].reg_number) == \
        ("住院医师规范化培训", "110110000001")
    assert cand.profile_completed_at is not None
    assert "个人信息已提交保存" in text(client.get("/profile"))


BAD = [
    ("mobile", "1391234567", "11位"),
    ("mobile", "", "请填写手机号码"),
    ("email", "wang@", "邮箱格式"),
    ("postcode", "10000", "6位"),
    ("employment_status", "", "请选择在岗情况"),
    ("title_date", "2020-7", "YYYY-MM"),
    ("title_date", "2020/07", "YYYY-MM"),
    ("education-0-school_name", "", "请填写毕业学校"),
    ("education-0-level", "小学", "请从列表中选择学历"),
    ("education-0-start_ym", "201009", "YYYY-MM"),
    ("education-0-end_ym", "2009-07", "不能早于"),
    ("education-0-major", "", "请填写专业"),
    ("training-0-training_type_id", "999999", "请选择培训类型"),
    ("training-0-end_ym", "2015-08", "不能早于"),
    ("certificate-0-issue_ym", "2016-13", "YYYY-MM"),
    ("certificate-0-reg_ym", "2016-11", "不能早于发证年月"),
    ("certificate-0-cert_number", "", "请填写证书编号"),
]


@pytest.mark.parametrize("field, value, message", BAD)
def test_each_bad_input_is_refused_beside_its_field_and_nothing_typed_is_lost(client, setup, field, value,
                                                                            message):
    cand, dicts = setup
    cand.mobile = "13800000000"
    db.session.commit()
    data = full_form(dicts, **{field: value})
    response = submit(client, data)
    html = text(response)
    assert response.status_code == 422
    assert re.search(rf'id="e-{re.escape(field)}">[^<]*{message}', html), (field, message)
    assert re.search(rf'class="field [^"]*has-error"[^>]*>\s*<label for="f-{re.escape(field)}"', html)
    assert "提交未成功" in html
    for key, typed in data.items():  # every other value typed is still on the page
        if key != field and typed and key not in ("action",) and not key.endswith("_id"):
            assert f'value="{typed}"' in html or f'<option value="{typed}" selected>' in html, key
    db.session.expire_all()
    saved = db.session.get(Candidate, cand.id)
    assert saved.mobile == "13800000000" and saved.postcode is None  # nothing saved
    assert not saved.educations and not saved.trainings and not saved.certificates


def test_refused_submit_keeps_earlier_saved_data(client, setup):
    cand, dicts = setup
    submit(client, full_form(dicts))
    edu = db.session.scalar(db.select(Education))
    data = full_form(dicts, **{"education-0-id": str(edu.id), "education-0-major": "口腔医学",
                               "postcode": "bad"})
    assert submit(client, data).status_code == 422
    db.session.expire_all()
    assert db.session.get(Education, edu.id).major == "临床医学"
    assert db.session.get(Candidate, cand.id).postcode == "100005"


def test_add_icon_adds_a_row_without_saving(client, setup):
    cand, dicts = setup
    response = submit(client, full_form(dicts, action="add:education"))
    html = text(response)
    assert response.status_code == 200
    assert 'name="education-1-school_name"' in html and 'value="临床医学"' in html
    db.session.expire_all()
    assert db.session.get(Candidate, cand.id).mobile is None
    assert db.session.scalar(db.select(db.func.count(Education.id))) == 0


@pytest.mark.parametrize("action", ["add:education", "pick_work_unit", "delete:training:0"])
def test_a_reload_keeps_the_red_frame_of_what_was_typed_wrong_but_not_of_what_is_empty(client, setup, action):
    """Issue 15: after “+”, 删除 or 选择… a bad 获取职称年月 stays framed in red until 提交 (no 提交未成功 list)."""
    cand, dicts = setup
    html = text(submit(client, full_form(dicts, title_date="2020/7", action=action)))
    assert re.search(r'class="field [^"]*has-error"[^>]*>\s*<label for="f-title_date"', html)
    assert 'value="2020/7"' in html and "提交未成功" not in html
    assert not re.search(r'has-error"[^>]*>\s*<label for="f-education-1-', html)  # the new empty row
    db.session.expire_all()
    assert db.session.get(Candidate, cand.id).mobile is None  # nothing saved


def test_the_error_list_names_the_group_of_a_work_or_contact_field(client, setup):
    """Issue 15: 工作情况's date error says 工作情况：, as a row's says 教育经历 1：."""
    cand, dicts = setup
    html = text(submit(client, full_form(dicts, title_date="2020/7", postcode="12")))
    assert re.search(r'href="#f-title_date">工作情况：', html) and re.search(r'href="#f-postcode">联系方式：', html)


def test_delete_icon_removes_on_submit_only(client, setup):
    cand, dicts = setup
    submit(client, full_form(dicts))
    edu = db.session.scalar(db.select(Education))
    data = full_form(dicts, **{"education-0-id": str(edu.id), "action": "delete:education:0"})
    html = text(submit(client, data))
    assert 'name="education-0-school_name"' not in html
    assert f'name="delete-education" value="{edu.id}"' in html
    assert db.session.scalar(db.select(db.func.count(Education.id))) == 1  # not yet
    data = {k: v for k, v in full_form(dicts).items() if not k.startswith("education-")}
    data["delete-education"] = str(edu.id)
    assert submit(client, data).status_code == 302
    assert db.session.scalar(db.select(db.func.count(Education.id))) == 0


def test_two_education_entries(client, setup):
    cand, dicts = setup
    data = full_form(dicts, **{
        "education-1-id": "", "education-1-school_id": "", "education-1-school_name": "首都医科大学",
        "education-1-level": "硕士研究生", "education-1-study_mode": "全日制", "education-1-major": "内科学",
        "education-1-start_ym": "2015-09", "education-1-end_ym": "2018-07"})
    assert submit(client, data).status_code == 302
    schools = {e.school_name: e for e in db.session.scalars(db.select(Education))}
    assert set(schools) == {"北京大学", "首都医科大学"}
    # typed exactly as the dictionary has it: recognised without the live search
    assert schools["首都医科大学"].school_id == dicts["schools"]["首都医科大学"].id


def test_school_not_in_dictionary_is_flagged(client, setup):
    cand, dicts = setup
    data = full_form(dicts, **{"education-0-school_id": "", "education-0-school_name": "某某卫生学校"})
    assert submit(client, data).status_code == 302
    edu = db.session.scalar(db.select(Education))
    assert edu.school_manual and edu.school_id is None


def test_school_id_that_does_not_match_the_name_is_not_trusted(client, setup):
    cand, dicts = setup
    data = full_form(dicts, **{"education-0-school_id": str(dicts["schools"]["清华大学"].id),
                               "education-0-school_name": "北京大学"})
    submit(client, data)
    edu = db.session.scalar(db.select(Education))
    assert edu.school_id == dicts["schools"]["北京大学"].id


def test_work_unit_picker_by_region_name_initials_and_code(client, setup):
    cand, dicts = setup
    data = full_form(dicts, work_unit_id="", work_unit_name="", action="pick_work_unit")
    html = text(submit(client, data))
    assert "工作单位选择" in html and '<label for="f-picker_q">' in html
    for query in ("协和", "bjxhyy", "PDY00001"):
        html = text(submit(client, {**data, "picker_q": query}))
        assert f'value="choose_work_unit:{dicts["units"][0].id}"' in html, query
        assert "重庆医科大学附属第一医院" not in html
    html = text(submit(client, {**data, "action": f"choose_work_unit:{dicts['units'][1].id}"}))
    assert 'value="重庆医科大学附属第一医院"' in html and 'value="临床医学"' in html  # typed rows kept
    assert f'name="work_unit_id" value="{dicts["units"][1].id}"' in html


def test_typed_work_unit_is_flagged_for_the_reviewer(client, setup):
    cand, dicts = setup
    assert submit(client, full_form(dicts, work_unit_id="", work_unit_name="某县人民医院")).status_code == 302
    db.session.expire_all()
    cand = db.session.get(Candidate, cand.id)
    assert cand.work_unit_manual and cand.work_unit_id is None and cand.work_unit_name == "某县人民医院"


def test_graduating_postgraduate_needs_no_work_unit(client, setup):
    cand, dicts = setup
    data = full_form(dicts, employment_status="当年毕业研究生", work_unit_id="", work_unit_name="")
    assert submit(client, data).status_code == 302


def _saved_entries(client, dicts):
    submit(client, full_form(dicts))
    return (db.session.scalar(db.select(Education)), db.session.scalar(db.select(Training)),
            db.session.scalar(db.select(Certificate)))


@pytest.mark.parametrize("state, mark, message", [("locked", "已锁定", "放弃报考"),
                                                  ("verified", "已验证", "已通过验证")])
def test_locked_and_verified_entries_are_shown_with_their_mark_and_refused(client, setup, state, mark, message):
    cand, dicts = setup
    edu, training, cert = _saved_entries(client, dicts)
    set_entry_state(state, edu, training, cert)
    db.session.commit()
    html = text(client.get("/profile"))
    assert html.count(f'<span class="visually-hidden">{mark}</span>') == 3
    assert 'name="education-0-school_name"' not in html  # shown, not editable
    # the server refuses, whatever the page offered
    data = full_form(dicts, **{"education-0-id": str(edu.id), "education-0-major": "改过的专业"})
    response = submit(client, data)
    assert response.status_code == 422 and message in text(response)
    for kind, entry in (("education", edu), ("training", training), ("certificate", cert)):
        response = submit(client, {**{k: v for k, v in full_form(dicts).items() if "-0-" not in k},
                                   f"delete-{kind}": str(entry.id)})
        assert response.status_code == 422 and message in text(response), kind
    db.session.expire_all()
    assert db.session.get(Education, edu.id).major == "临床医学"
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1


def test_profile_service_is_reusable_by_the_wizard(app_ctx):
    """save_education & co. check input, ownership and the lock; the caller commits."""
    from core.services import profile
    from core.services.errors import DomainError, NotAllowed
    dicts = make_dictionaries()
    owner, other = make_candidate(), make_candidate()
    edu = profile.save_education(owner, {"school_name": "北京大学", "level": "本科", "study_mode": "全日制",
                                         "major": "临床医学", "start_ym": "2010-09", "end_ym": "2015-07"})
    db.session.commit()
    assert edu.school_id == dicts["schools"]["北京大学"].id
    with pytest.raises(NotAllowed):
        profile.save_education(other, {"school_name": "x"}, edu.id)
    with pytest.raises(DomainError) as exc:
        profile.save_education(owner, {"school_name": "北京大学", "level": "本科", "study_mode": "全日制",
                                       "major": "临床医学", "start_ym": "2010-9"}, edu.id)
    assert exc.value.field == "start_ym"
    set_entry_state("locked", edu)
    with pytest.raises(DomainError, match="放弃报考"):
        profile.ensure_editable(edu)
    with pytest.raises(DomainError, match="放弃报考"):
        profile.delete_entry(owner, "education", edu.id)
