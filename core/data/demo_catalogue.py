"""Demo catalogue: the physician qualification exam (医师资格考试) for exam year 2027.

Subject codes follow the historic table in docs/domain.md (first digit: route and level, second:
category); codes get renumbered over the years, so they are data, editable in the back office.
"""
from datetime import date

from core.eligibility import DEFAULTS
from core.eligibility.routes import CLOSABLE

FAMILY = {"code": "physician", "name": "医师资格考试"}
YEAR = 2027
YEAR_NAME = "2027年医师资格考试"
CUTOFF = date(2027, 8, 31)  # 计算工作年限的截止日期
WINDOW_DAYS_BEFORE, WINDOW_DAYS_AFTER = 30, 60  # the demo window stays open around the load
PAYMENT_DAYS_AFTER = 75
EXTRA_UNIT = "军事医学"  # 现役军人 sit it in addition
WRITTEN_UNITS = {"执业医师": 4, "执业助理医师": 2}

DIPLOMA, APPRENTICE = "学历", "师承或确有专长"
# code, name, category, subcategory, level, route
SUBJECTS = [
    ("110", "临床执业医师", "临床", None, "执业医师", DIPLOMA),
    ("120", "口腔执业医师", "口腔", None, "执业医师", DIPLOMA),
    ("130", "公共卫生执业医师", "公共卫生", None, "执业医师", DIPLOMA),
    ("141", "中医执业医师", "中医", "中医", "执业医师", DIPLOMA),
    ("142", "中西医结合执业医师", "中医", "中西医结合", "执业医师", DIPLOMA),
    ("143", "蒙医执业医师", "中医", "蒙医", "执业医师", DIPLOMA),
    ("144", "藏医执业医师", "中医", "藏医", "执业医师", DIPLOMA),
    ("145", "维医执业医师", "中医", "维医", "执业医师", DIPLOMA),
    ("210", "临床执业助理医师", "临床", None, "执业助理医师", DIPLOMA),
    ("220", "口腔执业助理医师", "口腔", None, "执业助理医师", DIPLOMA),
    ("230", "公共卫生执业助理医师", "公共卫生", None, "执业助理医师", DIPLOMA),
    ("241", "中医执业助理医师", "中医", "中医", "执业助理医师", DIPLOMA),
    ("242", "中西医结合执业助理医师", "中医", "中西医结合", "执业助理医师", DIPLOMA),
    ("243", "蒙医执业助理医师", "中医", "蒙医", "执业助理医师", DIPLOMA),
    ("244", "藏医执业助理医师", "中医", "藏医", "执业助理医师", DIPLOMA),
    ("245", "维医执业助理医师", "中医", "维医", "执业助理医师", DIPLOMA),
    # The 2005 table has no code for 乡村全科; 250 is this demo's choice (second digit 5 is unused).
    ("250", "乡村全科执业助理医师", "乡村全科", None, "执业助理医师", DIPLOMA),
    ("341", "中医执业医师（师承或确有专长）", "中医", "中医", "执业医师", APPRENTICE),
    ("441", "中医执业助理医师（师承或确有专长）", "中医", "中医", "执业助理医师", APPRENTICE),
]

# Eligibility rules for 2027 (see docs/domain.md): all enabled, with core.eligibility's default parameters
# (BASE is what every registration needs: not a setting); every route open.
RULES = {rule: dict(params) for rule, params in DEFAULTS.items() if rule != "BASE"}
ROUTES = {route.code: True for route in CLOSABLE}

# Fees in fen (分), by tier of region: registration, skills by category (口腔 higher), written per unit.
FEE_TIERS = {
    1: {"registration": 6000, "written_unit": 8000,
        "skills": {"临床": 54000, "口腔": 86000, "公共卫生": 46000, "中医": 50000, "乡村全科": 40000}},
    2: {"registration": 5000, "written_unit": 7000,
        "skills": {"临床": 42000, "口腔": 70000, "公共卫生": 38000, "中医": 40000, "乡村全科": 32000}},
    3: {"registration": 4000, "written_unit": 6000,
        "skills": {"临床": 36000, "口腔": 60000, "公共卫生": 32000, "中医": 34000, "乡村全科": 28000}},
}

# code, name, selectable for the physician exam (rule R10: only 住院医师规范化培训)
TRAINING_TYPES = [
    ("01", "住院医师规范化培训", True),
    ("02", "专科医师规范化培训", False),
    ("03", "助理全科医生培训", False),
    ("04", "全科医生转岗培训", False),
    ("05", "进修", False),
    ("09", "其他培训", False),
]

# code, name, qualifies a 中专 graduate for a 执业医师 subject (rule R3: only 执业助理医师, not （乡镇）)
CERTIFICATE_TYPES = [
    ("01", "医师资格证书", False),
    ("02", "执业医师", False),
    ("03", "执业助理医师", True),
    ("04", "执业助理医师（乡镇）", False),
    ("05", "乡村医生执业证书", False),
    ("06", "传统医学师承出师证书", False),
    ("07", "传统医学医术确有专长证书", False),
]
