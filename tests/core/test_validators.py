"""Every format check a candidate meets, with the GB 11643 checksum tested as a property."""
from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from core import validators as v
from core.services.errors import DomainError
from tests.factories import id_number

GUIDE_EXAMPLE = "11010519491231002X"  # domain.md


def _body(birth: date, seq: int, region: str = "110105") -> str:
    return f"{region}{birth:%Y%m%d}{seq:03d}"


births = st.dates(min_value=date(1900, 1, 1), max_value=date.today())


# --- 居民身份证 --------------------------------------------------------------------------------

def test_guide_example_is_valid_and_female():
    assert v.check_id_number(GUIDE_EXAMPLE) == ("F", date(1949, 12, 31))


def test_lower_case_x_and_spaces_are_normalised():
    assert v.check_document("id_card", " 11010519491231002x ") == GUIDE_EXAMPLE


@given(births, st.integers(0, 999))
def test_any_number_with_its_check_character_is_valid(birth, seq):
    body = _body(birth, seq)
    sex, got_birth = v.check_id_number(body + v.id_check_char(body))
    assert got_birth == birth
    assert sex == ("M" if seq % 2 else "F")


@given(births, st.integers(0, 999), st.sampled_from("0123456789X"))
def test_any_other_check_character_is_refused(birth, seq, wrong):
    body = _body(birth, seq)
    if wrong == v.id_check_char(body):
        return
    with pytest.raises(DomainError, match="校验位"):
        v.check_id_number(body + wrong)


@given(births, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_changing_one_digit_is_always_caught(birth, seq, position, delta):
    """MOD 11-2 catches every single-digit error (the point of the check character)."""
    number = _body(birth, seq) + v.id_check_char(_body(birth, seq))
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1:]
    with pytest.raises(DomainError):
        v.check_id_number(changed)


@pytest.mark.parametrize("number, message", [
    ("110105194912310", "15位"),
    ("1101051949123100", "18位"),
    ("11010519491231002Y", "18位"),
    ("A1010519491231002X", "18位"),
    (id_number("19900230"), "出生日期"),  # 30 February
    (id_number("18890101"), "出生日期"),
])
def test_bad_id_numbers(number, message):
    with pytest.raises(DomainError, match=message) as exc:
        v.check_id_number(number)
    assert exc.value.field == "doc_number"


def test_birth_date_in_the_future_is_refused():
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(DomainError, match="出生日期"):
        v.check_id_number(id_number(f"{tomorrow:%Y%m%d}"))


# --- 港澳台居民居住证, 通行证, 护照 ---------------------------------------------------------------

def test_residence_permit_needs_81_82_83_prefix():
    body = "810000" + "19900307" + "123"
    assert v.check_document("residence_permit", body + v.id_check_char(body)).startswith("81")
    with pytest.raises(DomainError, match="81"):
        v.check_document("residence_permit", id_number())


@pytest.mark.parametrize("doc_type, good, bad", [
    ("hk_macau_permit", ["H12345678", "M12345678", "h1234567801"], ["H1234567", "K12345678", "H123456789"]),
    ("taiwan_permit", ["12345678"], ["1234567", "123456789", "T1234567"]),
    ("passport", ["E12345678", "G1234567", "AB1234"], ["AB123", "E1234-567", "护照12345"]),
])
def test_permit_and_passport_formats(doc_type, good, bad):
    for number in good:
        assert v.check_document(doc_type, number) == number.upper()
    for number in bad:
        with pytest.raises(DomainError):
            v.check_document(doc_type, number)


def test_travel_permit_accepts_both_kinds():
    assert v.check_travel_permit("h12345678") == "H12345678"
    assert v.check_travel_permit("12345678") == "12345678"
    with pytest.raises(DomainError) as exc:
        v.check_travel_permit("X1")
    assert exc.value.field == "permit_number"


def test_unknown_document_type():
    with pytest.raises(DomainError) as exc:
        v.check_document("library_card", "123456")
    assert exc.value.field == "doc_type"


# --- 姓名 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("张三", "张三"), (" 李四 ", "李四"), ("阿依古丽·买买提", "阿依古丽·买买提"),
    ("阿依古丽•买买提", "阿依古丽·买买提"), ("阿依古丽.买买提", "阿依古丽·买买提"),
    ("𠈌明", "𠈌明"),
])
def test_good_mainland_names(name, expected):
    assert v.check_name(name) == expected


@pytest.mark.parametrize("name, message", [
    ("", "请填写"), ("Zhang San", "汉字"), ("张三3", "汉字"), ("·张三", "汉字"), ("张··三", "汉字"),
    ("张" * 29, "28"),
])
def test_bad_mainland_names(name, message):
    with pytest.raises(DomainError, match=message):
        v.check_name(name)


def test_name_of_exactly_28_characters_is_accepted():
    assert v.check_name("张" * 28) == "张" * 28


def test_foreign_names_allow_latin_letters():
    assert v.check_name("John Smith", mainland=False) == "John Smith"
    with pytest.raises(DomainError):
        v.check_name("John<script>", mainland=False)


# --- 年月 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2008-03", "1990-12", "2000-01"])
def test_good_year_months(value):
    assert v.check_ym(value, "f") == value


@pytest.mark.parametrize("value", ["2008-3", "200803", "2008/03", "2008-13", "2008-00", "08-03",
                                   "2008-03-01", "abcd-ef", "1899-12"])
def test_bad_year_months(value):
    with pytest.raises(DomainError, match="YYYY-MM") as exc:
        v.check_ym(value, "title_date")
    assert exc.value.field == "title_date"


def test_year_month_in_the_future_only_when_allowed():
    future = f"{date.today().year + 1}-01"
    with pytest.raises(DomainError, match="不能晚于"):
        v.check_ym(future, "f")
    assert v.check_ym(future, "f", future_ok=True) == future


def test_empty_year_month_required_or_not():
    assert v.check_ym("", "f", required=False) is None
    with pytest.raises(DomainError, match="请填写"):
        v.check_ym(" ", "f")


def test_end_not_before_start():
    v.check_ym_order("2010-09", "2010-09", "end_ym")
    v.check_ym_order("2010-09", None, "end_ym")
    with pytest.raises(DomainError, match="不能早于") as exc:
        v.check_ym_order("2010-09", "2010-08", "end_ym")
    assert exc.value.field == "end_ym"


# --- 手机, 邮编, 邮箱, 用户名, 密码 --------------------------------------------------------------

@pytest.mark.parametrize("value, ok", [("13800138000", True), ("138 0013 8000", True), ("19912345678", True),
                                       ("12800138000", False), ("1380013800", False), ("138001380001", False),
                                       ("+8613800138000", False)])
def test_mobile(value, ok):
    if ok:
        assert v.check_mobile(value) == value.replace(" ", "")
    else:
        with pytest.raises(DomainError, match="11位"):
            v.check_mobile(value)


def test_mobile_required():
    with pytest.raises(DomainError, match="请填写"):
        v.check_mobile("")


@pytest.mark.parametrize("value, ok", [("100005", True), ("", True), ("10000", False), ("1000056", False),
                                       ("10000a", False)])
def test_postcode(value, ok):
    if ok:
        assert v.check_postcode(value) == (value or None)
    else:
        with pytest.raises(DomainError, match="6位"):
            v.check_postcode(value)


@pytest.mark.parametrize("value, ok", [("Zhang.San@Example.com", True), ("a@b.cn", True), ("", True),
                                       ("zhangsan", False), ("a@b", False), ("a b@c.cn", False),
                                       ("a@@b.cn", False)])
def test_email(value, ok):
    if ok:
        assert v.check_email(value) == (value.lower() or None)
    else:
        with pytest.raises(DomainError, match="邮箱"):
            v.check_email(value)


@pytest.mark.parametrize("value, ok", [("kaosheng1", True), ("ab_c", True), ("abc", False), ("1abc", False),
                                       ("张三abc", False), ("a" * 33, False)])
def test_username(value, ok):
    if ok:
        assert v.check_username(value) == value
    else:
        with pytest.raises(DomainError):
            v.check_username(value)


@pytest.mark.parametrize("password, message", [
    ("short1!", "至少8位"), ("x" * 65, "最多64位"), ("Kaosheng1", "用户名"), (GUIDE_EXAMPLE.lower(), "证件号码"),
    ("password123", "常见"), ("12345678", "常见"), ("aaaaaaaaaa", "常见"),
])
def test_bad_passwords(password, message):
    with pytest.raises(DomainError, match=message):
        v.check_password(password, username="kaosheng1", doc_number=GUIDE_EXAMPLE)


def test_good_passwords_at_both_limits():
    assert v.check_password("Kq7#zp2m", username="kaosheng1")
    assert v.check_password("k" + "Q7#zp2m" * 9, username="kaosheng1")


def test_choice_and_text():
    assert v.check_choice("本科", "level", "学历", ("本科",)) == "本科"
    with pytest.raises(DomainError, match="请从列表"):
        v.check_choice("小学", "level", "学历", ("本科",))
    with pytest.raises(DomainError, match="最多3个"):
        v.check_text("abcd", "f", "字段", max_len=3)


def test_checker_collects_every_field():
    check = v.Checker()
    check(v.check_mobile, "1", "mobile")
    check(v.check_postcode, "x", "postcode")
    check(v.check_mobile, "2", "mobile")  # the first message per field stays
    with pytest.raises(v.FieldErrors) as exc:
        check.done()
    assert set(exc.value.errors) == {"mobile", "postcode"}
    assert exc.value.field == "mobile"
