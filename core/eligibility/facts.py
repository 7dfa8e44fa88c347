"""What the eligibility rules look at: plain facts copied out of the profile and the registration.

Every field of ``Facts`` is named by the rules that read it (``core.eligibility.table.RULES``), so a
rule's inputs are visible in one place; nothing here touches the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

LEVEL_ORDER = ("中专", "专科", "本科", "硕士研究生", "博士研究生")
POSTGRADUATE = ("硕士研究生", "博士研究生")
APPRENTICE_MODES = ("师承", "确有专长")
APPRENTICE_ROUTE = "师承或确有专长"
GRADUATING_POSTGRADUATE = "当年毕业研究生"


@dataclass(frozen=True)
class EducationFact:
    label: str  # 北京大学 本科 (for the sentences)
    level: str | None  # None for 师承 / 确有专长: they have no diploma level
    study_mode: str = "全日制"
    major: str = ""  # as the diploma says (from the majors dictionary, or typed by hand)
    major_category: str | None = None  # R7's 专业类别 (core.eligibility.majors); None: unknown
    major_flag: str | None = None  # "manual" (typed by hand) / "unconfirmed" (migrated, to confirm)
    start_ym: str | None = None  # 入学年月 YYYY-MM (R11)
    diploma_number: str | None = None
    selected: bool = True

    @property
    def apprentice(self) -> bool:
        return self.study_mode in APPRENTICE_MODES


@dataclass(frozen=True)
class TrainingFact:
    label: str
    type_name: str
    selectable_for_physician: bool  # the 住院医师规范化培训 type (培训类型 dictionary)
    selected: bool = True


@dataclass(frozen=True)
class CertificateFact:
    type_name: str
    qualifies_assistant: bool  # exactly 执业助理医师; 执业助理医师（乡镇） does not qualify
    issue_ym: str | None = None
    cert_number: str | None = None
    reg_ym: str | None = None
    reg_number: str | None = None


@dataclass(frozen=True)
class Facts:
    """What the rules look at, copied out of the profile and the registration."""

    level: str  # subject level: 执业医师 / 执业助理医师
    category: str  # 临床 口腔 公共卫生 中医 乡村全科 ...
    route: str  # 学历 / 师承或确有专长 (the subject's)
    cutoff: date  # the year's 截止日期 for years of practice
    year: int = 2027  # the exam year (named when a route is closed)
    subcategory: str | None = None  # 中医 中西医结合 蒙医 ... (R7 looks at it before the category)
    educations: tuple[EducationFact, ...] = ()  # every entry of the profile, `selected` says if ticked
    trainings: tuple[TrainingFact, ...] = ()  # every entry of the profile, `selected` says if ticked
    certificates: tuple[CertificateFact, ...] = ()  # the ticked ones
    employment_status: str | None = None
    practice_start: str | None = None  # YYYY-MM, start of 试用期 / practice
    military: bool = False
    hk_macau_taiwan: bool = False
    permit_number: str | None = None

    @property
    def selected(self) -> list[EducationFact]:
        return [e for e in self.educations if e.selected]

    @property
    def highest(self) -> EducationFact | None:
        """The highest diploma ticked (师承 / 确有专长 entries have no level and never count)."""
        ranked = [e for e in self.selected if rank(e.level) >= 0]
        return max(ranked, key=lambda e: rank(e.level)) if ranked else None

    @property
    def exam_category(self) -> str:
        """The category R7 compares with the major: 中西医结合, 蒙医 ... before the broad 中医."""
        return self.subcategory or self.category


class Notice(str):
    """A finding that informs without blocking (e.g. R8: the extra 军事医学 unit)."""


@dataclass(frozen=True)
class Finding:
    rule: str  # R1 ... R11, ROUTE (a route closed for the year), or BASE (what every registration needs)
    message: str
    blocking: bool = True
    step: str = "entries"  # the wizard step where it is shown (from that step on) and put right


def rank(level: str | None) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else -1


def months_between(start_ym: str | None, until: date) -> int:
    """Whole months from a YYYY-MM to a date (negative when the start is later)."""
    if not start_ym:
        return -1
    year, month = int(start_ym[:4]), int(start_ym[5:7])
    return (until.year - year) * 12 + until.month - month
