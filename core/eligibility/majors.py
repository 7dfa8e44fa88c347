"""R7's 专业类别 (major categories) and the default table of the exam categories each may take.

A major in the dictionary (``core.models.Major``, data from the Ministry's catalogues) carries one of
these categories; the table itself is data per exam year (rule R7's ``table`` parameter, edited in the
back office), and this is its default, as docs/domain.md states it: 1002 临床医学类 → 临床, 1003 口腔医学类
→ 口腔, 1004 公共卫生与预防医学类 → 公共卫生, 1005 中医学类 → 中医 (民族医 majors → their 民族医 category),
1006 中西医结合类 → 中西医结合; 药学, 中药学, 法医学, 医学技术 and 护理学 qualify for no physician category.
The 高职专科 majors (职业教育专业目录, 医药卫生大类) map the same way, by what they teach: 口腔医学 sits in
5201 临床医学类 there, but its category here is 口腔医学类.
"""
from __future__ import annotations

# 专业类别 (what R7 compares), in the order the back office lists them.
MAJOR_CATEGORIES = (
    "临床医学类", "口腔医学类", "公共卫生与预防医学类", "中医学类", "中西医结合类",
    "蒙医学", "藏医学", "维医学", "傣医学", "壮医学", "哈医学", "非医师类",
)
NO_PHYSICIAN = "非医师类"  # 药学, 中药学, 法医学, 医学技术, 护理学 …

# Exam categories as R7 sees them: a subject's subcategory (中西医结合, 蒙医 …), else its category.
EXAM_CATEGORIES = ("临床", "口腔", "公共卫生", "中医", "中西医结合", "蒙医", "藏医", "维医", "傣医", "壮医",
                   "哈医", "乡村全科")

DEFAULT_TABLE: dict[str, list[str]] = {
    "临床医学类": ["临床", "乡村全科"],
    "口腔医学类": ["口腔"],
    "公共卫生与预防医学类": ["公共卫生"],
    "中医学类": ["中医"],
    "中西医结合类": ["中西医结合"],
    "蒙医学": ["蒙医"],
    "藏医学": ["藏医"],
    "维医学": ["维医"],
    "傣医学": ["傣医"],
    "壮医学": ["壮医"],
    "哈医学": ["哈医"],
    NO_PHYSICIAN: [],
}

# The coarse 专业类别 candidates chose before the majors dictionary (educations.major_kind, migration
# 0009e), and the category each maps to when the major's name is not found in the dictionary; None:
# it cannot be told (西医 may be 临床医学 or 麻醉学 … but also 药学), so the candidate confirms the major.
LEGACY_KINDS = {"西医": None, "中医": "中医学类", "中西医结合": "中西医结合类", "民族医": None,
                "口腔": "口腔医学类", "公共卫生": "公共卫生与预防医学类", "其他": None}
