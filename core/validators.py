"""Format checks for what candidates type, each raising DomainError(message, field) in plain Chinese.

Facts: GB 11643-1999 (居民身份证 checksum, ISO 7064 MOD 11-2), permit formats from docs/domain.md,
year-months as YYYY-MM (the guide: 中间需要加横杠).
"""
from __future__ import annotations

import re
from datetime import date

from core.messages import Msg
from core.services.errors import DomainError

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
NAME_MAX = 28
MIDDLE_DOT = "·"
# Dots people type for minority names, folded into the one the guide asks for.
_DOT_VARIANTS = "•‧∙⋅・．.·"

_CHINESE_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ebef]+(·[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ebef]+)*$")
_FOREIGN_NAME = re.compile(r"^[A-Za-z\u3400-\u4dbf\u4e00-\u9fff·'\- ]+$")
_YM = re.compile(r"^(\d{4})-(\d{2})$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_POSTCODE = re.compile(r"^\d{6}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_HK_MACAU_PERMIT = re.compile(r"^[HM]\d{8}(\d{2})?$")
_TAIWAN_PERMIT = re.compile(r"^\d{8}$")
_PASSPORT = re.compile(r"^[A-Z0-9]{6,20}$")

MAX_ROW_ID = 2 ** 31 - 1  # every table's id is a 32-bit integer
_ROW_ID = re.compile(r"[1-9][0-9]{0,9}", re.ASCII)


def row_id(value) -> int | None:
    """An id as a form, a query string or a URL gives it: a positive 32-bit integer, or None (anything else —
    empty, 0, '²', a number beyond the database's integers — names no row, and must not reach a query)."""
    text = str(value if value is not None else "")
    return int(text) if _ROW_ID.fullmatch(text) and int(text) <= MAX_ROW_ID else None


PASSWORD_MIN, PASSWORD_MAX = 8, 64
# The most common passwords (public breach lists), compared case-insensitively.
COMMON_PASSWORDS = frozenset("""
12345678 123456789 1234567890 87654321 11111111 00000000 88888888 66666666 12341234 11223344
password password1 password123 passw0rd p@ssw0rd qwertyui qwerty123 qwertyuiop 1qaz2wsx
abcd1234 abc12345 a1234567 a12345678 aa123456 asdfghjk zxcvbnm1 iloveyou woaini1314 woaini520
5201314520 1314520520 admin123 admin1234 letmein1 welcome1 football baseball sunshine
princess dragon12 monkey12 qazwsxedc 123qweasd q1w2e3r4 1q2w3e4r zaq12wsx 147258369 123123123
""".split())

ETHNIC_GROUPS = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 "
    "哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 "
    "达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 "
    "俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 "
    "其他 外国血统中国籍人士").split()


def id_check_char(body17: str) -> str:
    """The 18th character of a 居民身份证 number for its first 17 digits."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS)) % 11]


def normalise_document(number: str | None) -> str:
    """Spaces removed, letters upper-cased (x -> X)."""
    return re.sub(r"\s+", "", number or "").upper()


def check_id_number(number: str, field: str = "doc_number", *, today: date | None = None,
                    prefixes: tuple[str, ...] | None = None) -> tuple[str, date]:
    """A mainland 18-character ID number -> (sex 'M'/'F', birth date), or DomainError."""
    number = normalise_document(number)
    if len(number) == 15:
        raise DomainError("不再接受15位身份证号码，请填写18位号码。", field)
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise DomainError("证件号码应为18位：17位数字加1位数字或字母X。", field)
    if prefixes and not number.startswith(prefixes):
        raise DomainError(Msg("港澳台居民居住证号码以%(prefixes)s开头。", prefixes=prefixes), field)
    if id_check_char(number[:17]) != number[17]:
        raise DomainError("证件号码校验位不正确，请核对后重新输入。", field)
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise DomainError("证件号码中的出生日期不是有效日期。", field) from None
    if birth > (today or date.today()) or birth.year < 1900:
        raise DomainError("证件号码中的出生日期不正确。", field)
    return ("M" if int(number[16]) % 2 else "F"), birth


RESIDENCE_PREFIXES = ("810000", "820000", "830000")


def check_document(doc_type: str, number: str, field: str = "doc_number") -> str:
    """Check a document number against its type's format; return it normalised."""
    number = normalise_document(number)
    if not number:
        raise DomainError("请填写证件号码。", field)
    if doc_type == "id_card":
        check_id_number(number, field)
    elif doc_type == "residence_permit":
        check_id_number(number, field, prefixes=RESIDENCE_PREFIXES)
    elif doc_type == "hk_macau_permit":
        if not _HK_MACAU_PERMIT.fullmatch(number):
            raise DomainError("港澳居民来往内地通行证号码为H或M加8位数字（旧证再加2位换证次数）。", field)
    elif doc_type == "taiwan_permit":
        if not _TAIWAN_PERMIT.fullmatch(number):
            raise DomainError("台湾居民来往大陆通行证号码为8位数字。", field)
    elif doc_type == "passport":
        if not _PASSPORT.fullmatch(number):
            raise DomainError("护照号码为6至20位字母或数字。", field)
    else:
        raise DomainError("请选择证件类型。", "doc_type")
    return number


def check_travel_permit(number: str, field: str = "permit_number") -> str:
    """往来大陆通行证 (rule R9): a Hong Kong/Macau or a Taiwan permit number."""
    number = normalise_document(number)
    if not (_HK_MACAU_PERMIT.fullmatch(number) or _TAIWAN_PERMIT.fullmatch(number)):
        raise DomainError("通行证号码格式不正确：港澳为H或M加8位数字，台湾为8位数字。", field)
    return number


def normalise_name(name: str | None) -> str:
    name = (name or "").strip()
    for dot in _DOT_VARIANTS:
        name = name.replace(dot, MIDDLE_DOT)
    return re.sub(r"\s+", " ", name)


def check_name(name: str, *, mainland: bool = True, field: str = "name") -> str:
    """At most 28 characters; Chinese characters and · for mainland documents."""
    name = normalise_name(name)
    if not name:
        raise DomainError("请填写姓名。", field)
    if len(name) > NAME_MAX:
        raise DomainError(Msg("姓名最多%(n)s个字符。", n=NAME_MAX), field)
    pattern = _CHINESE_NAME if mainland else _FOREIGN_NAME
    if not pattern.fullmatch(name):
        raise DomainError("姓名只能包含汉字，少数民族姓名中间用“·”分隔。" if mainland
                          else "姓名只能包含汉字、英文字母、空格和“·”。", field)
    return name


def check_ym(value: str | None, field: str, *, required: bool = True, today: date | None = None,
             future_ok: bool = False) -> str | None:
    """A year-month as YYYY-MM (e.g. 2008-03), not in the future unless ``future_ok`` (a planned end)."""
    value = (value or "").strip()
    if not value:
        if required:
            raise DomainError("请填写年月（格式YYYY-MM）。", field)
        return None
    match = _YM.fullmatch(value)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise DomainError("年月格式应为YYYY-MM，中间加横杠，如2008-03。", field)
    if not future_ok and value > (today or date.today()).strftime("%Y-%m"):
        raise DomainError("年月不能晚于当前月份。", field)
    return value


def check_ym_order(start: str | None, end: str | None, field: str) -> None:
    if start and end and end < start:
        raise DomainError("结束年月不能早于开始年月。", field)


def check_mobile(value: str | None, field: str = "mobile", required: bool = True) -> str | None:
    value = re.sub(r"[\s-]", "", value or "")
    if not value:
        if required:
            raise DomainError("请填写手机号码。", field)
        return None
    if not _MOBILE.fullmatch(value):
        raise DomainError("手机号码应为以1开头的11位数字。", field)
    return value


def check_postcode(value: str | None, field: str = "postcode", required: bool = False) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise DomainError("请填写邮政编码。", field)
        return None
    if not _POSTCODE.fullmatch(value):
        raise DomainError("邮政编码应为6位数字。", field)
    return value


def check_email(value: str | None, field: str = "email", required: bool = False) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise DomainError("请填写电子邮箱。", field)
        return None
    if len(value) > 120 or not _EMAIL.fullmatch(value):
        raise DomainError("电子邮箱格式不正确，如 name@example.com。", field)
    return value.lower()


def check_username(value: str | None, field: str = "username") -> str:
    value = (value or "").strip()
    if not _USERNAME.fullmatch(value):
        raise DomainError("用户名为4至32位，以字母开头，只含字母、数字和下划线。", field)
    return value


def check_password(password: str | None, *, username: str = "", doc_number: str = "",
                   field: str = "password") -> str:
    """8 to 64 characters; not the username, not the document number, not a common password."""
    password = password or ""
    if len(password) < PASSWORD_MIN:
        raise DomainError(Msg("密码至少%(n)s位。", n=PASSWORD_MIN), field)
    if len(password) > PASSWORD_MAX:
        raise DomainError(Msg("密码最多%(n)s位。", n=PASSWORD_MAX), field)
    lowered = password.lower()
    if username and lowered == username.lower():
        raise DomainError("密码不能与用户名相同。", field)
    if doc_number and lowered == doc_number.lower():
        raise DomainError("密码不能与证件号码相同。", field)
    if lowered in COMMON_PASSWORDS or len(set(password)) <= 2:
        raise DomainError("密码过于常见，请换一个不易被猜到的密码。", field)
    return password


def check_text(value: str | None, field: str, label: str, *, max_len: int, required: bool = True) -> str | None:
    """A free-text field: trimmed, required or not, at most max_len characters."""
    value = (value or "").strip()
    if not value:
        if required:
            raise DomainError(Msg("请填写%(label)s。", label=label), field)
        return None
    if len(value) > max_len:
        raise DomainError(Msg("%(label)s最多%(n)s个字符。", label=label, n=max_len), field)
    return value


def check_choice(value: str | None, field: str, label: str, choices, *, required: bool = True) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise DomainError(Msg("请选择%(label)s。", label=label), field)
        return None
    if value not in choices:
        raise DomainError(Msg("请从列表中选择%(label)s。", label=label), field)
    return value


class FieldErrors(DomainError):
    """Several refusals at once, one message per form field (the page shows each beside its field)."""

    def __init__(self, errors: dict[str, str]):
        field, message = next(iter(errors.items()))
        super().__init__(message, field)
        self.errors = errors


class Checker:
    """Runs checks, keeps the first message per field, and raises them all together at the end."""

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.errors: dict[str, str] = {}

    def __call__(self, check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except FieldErrors as exc:
            for field, message in exc.errors.items():
                self.errors.setdefault(self.prefix + (field or ""), message)
        except DomainError as exc:
            self.errors.setdefault(self.prefix + (exc.field or ""), exc.message)
        return None

    def done(self) -> None:
        if self.errors:
            raise FieldErrors(self.errors)
