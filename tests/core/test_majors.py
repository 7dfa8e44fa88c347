"""The majors dictionary: search by name, code and pinyin initials; a chosen major brings its R7 category,
a typed one is flagged for the reviewer; 师承 / 确有专长 entries have no level and record their certificate."""
from __future__ import annotations

import pytest

from core.services import majors
from core.services.errors import DomainError
from core.services.profile import check_education
from core.validators import FieldErrors

ENTRY = {"school_name": "重庆医科大学", "level": "本科", "study_mode": "全日制", "major": "口腔医学",
         "start_ym": "2017-09", "end_ym": "2022-06", "diploma_number": "D1"}


@pytest.fixture
def dictionary(session):
    found = majors.put_default_majors()
    session.commit()
    return found


@pytest.mark.parametrize("q, level, names", [
    ("kqyx", None, ["口腔医学", "口腔医学", "口腔医学（专业学位）"]), ("kqyx", "本科", ["口腔医学"]), ("kqyx", "专科", ["口腔医学"]),
    ("100301", None, ["口腔医学"]), ("中医", "本科", ["中医学"]), ("lcyx", "硕士研究生", ["临床医学（专业学位）"]),
    ("", None, []), ("%", None, []),
])
def test_search_by_initials_code_and_name(dictionary, q, level, names):
    assert [m.name for m in majors.search_majors(q, level)] == names


def test_the_same_name_at_two_levels_has_two_categories_where_the_catalogues_differ(dictionary):
    """高职专科 口腔医学 sits in 5201 临床医学类 of its catalogue, but takes the 口腔 exam."""
    college = dictionary["520102K"]
    assert (college.ministry_class, college.category) == ("5201 临床医学类", "口腔医学类")


def test_a_chosen_major_brings_its_category(dictionary):
    out = check_education({**ENTRY, "major_id": str(dictionary["100301K"].id)})
    assert (out["major_id"], out["major_category"], out["major_manual"]) == (
        dictionary["100301K"].id, "口腔医学类", False)


def test_a_major_typed_exactly_is_recognised_and_one_not_in_the_dictionary_is_flagged(dictionary):
    assert check_education(ENTRY)["major_category"] == "口腔医学类"  # one 口腔医学 among the 本科 majors
    typed = check_education({**ENTRY, "major": "全科医学"})
    assert (typed["major_id"], typed["major_category"], typed["major_manual"]) == (None, None, True)


def test_apprenticeship_has_no_level_and_records_its_certificate(dictionary):
    out = check_education({**ENTRY, "study_mode": "师承", "level": "中专", "major": "中医",
                           "apprentice_certificate": "SC2020001"})
    assert (out["level"], out["diploma_number"], out["apprentice_certificate"]) == (None, None, "SC2020001")
    assert (out["major_category"], out["major_manual"]) == (None, False)
    with pytest.raises(DomainError) as refused:
        check_education({**ENTRY, "study_mode": "确有专长", "level": "", "major": "中医"})
    exc = refused.value
    errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field: exc.message}
    assert errors == {"apprentice_certificate": "请填写出师证或确有专长证明编号。"}


def test_a_diploma_still_needs_its_level(dictionary):
    with pytest.raises(DomainError) as refused:
        check_education({**ENTRY, "level": ""})
    assert refused.value.message == "请选择学历。"


def test_reloading_defaults_or_importing_without_the_column_keeps_a_disabled_major_disabled(dictionary, session):
    from core.models import Major
    from core.services.majors_import import import_majors
    dental = dictionary["100301K"]
    dental.active, dental.edition = False, "本校目录"
    session.commit()
    majors.put_default_majors()
    session.commit()
    assert dental.active is False
    report = import_majors("专业代码,专业名称,层次,专业类别\n100301K,口腔医学,本科,口腔医学类\n".encode(), "a.csv")
    session.expire_all()
    again = session.get(Major, dental.id)
    assert report.written and [r.outcome for r in report.rows] == ["未变"]
    assert again.active is False and again.edition == "普通高等学校本科专业目录（2024年）"  # defaults reloaded it
    assert majors.resolve_major(dental.id, "口腔医学", "本科") is None  # disabled: not accepted


@pytest.mark.parametrize("values, field", [
    ({"code": "100301", "name": "口腔医学", "level": "本科", "category": "口腔医学类"}, None),
    ({"code": "1003011", "name": "口腔医学", "level": "本科", "category": "口腔医学类"}, "code"),
    ({"code": "100301X", "name": "口腔医学", "level": "本科", "category": "口腔医学类"}, "code"),
    ({"code": "100301k", "name": "口腔医学", "level": "本科", "category": "口腔医学类"}, None),  # upper-cased
    ({"code": "1051", "name": "临床医学", "level": "研究生", "category": "临床医学类"}, None),
    ({"code": "1051", "name": "临床医学", "level": "硕士", "category": "临床医学类"}, "level"),
    ({"code": "1051", "name": "临床医学", "level": "研究生", "category": "临床"}, "category"),
    ({"code": "1051", "name": "临" * 61, "level": "研究生", "category": "临床医学类"}, "name"),
    ({"code": "1051", "name": "临床医学", "level": "研究生", "category": "临床医学类", "edition": "版" * 41}, "edition"),
])
def test_check_major_refuses_each_bad_field(values, field):
    clean, errors = majors.check_major(values)
    assert list(errors) == ([field] if field else [])
    if not field:
        assert clean["code"] == values["code"].upper() and clean["initials"]
