"""报考资格: the eligibility rules R1-R10 (docs/domain.md), one home for the portal and the back office.

The rules are data per exam year: an ``EligibilityRuleSetting`` row switches a rule on or off and carries
its parameters (years of practice ...); a missing row means the rule applies with ``DEFAULTS``.

``evaluate(facts, settings)`` is a pure function over plain facts and returns every finding as a Chinese
sentence that tells the candidate what to change (a ``core.messages.Msg`` where it names levels, years or
entries, so the portal can show it in English). Findings with ``blocking=False`` are notices
(e.g. R8: 现役军人 sit the extra 军事医学 unit). The wizard shows them as warnings at each step; submission
refuses while any blocking finding remains. ``facts_for(registration)`` builds the facts from a draft or
a submitted registration, so a reviewer sees the same verdict as the candidate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.messages import Msg
from core.models.candidate import ENTRY_MODELS
from core.registration.draft import Draft
from core.registration.states import DRAFT

LEVEL_ORDER = ("中专", "专科", "本科", "硕士研究生", "博士研究生")
POSTGRADUATE = ("硕士研究生", "博士研究生")
APPRENTICE_MODES = ("师承", "确有专长")
APPRENTICE_ROUTE = "师承或确有专长"
GRADUATING_POSTGRADUATE = "当年毕业研究生"

RULE_TITLES = {
    "R1": "本科及以上学历报考执业医师：试用期满规定年限",
    "R2": "专科学历报考执业医师：取得执业助理医师资格后执业满规定年限",
    "R3": "中专学历报考执业医师：须有执业助理医师证书（按年度开关）",
    "R4": "报考执业助理医师：专科（或按年度允许的中专）学历并试用期满规定年限",
    "R5": "师承或确有专长：只能报考中医类别，可不填毕业证书编号",
    "R6": "以研究生学历报考：补充本科/专科经历；当年毕业研究生可不填毕业证书编号",
    "R7": "中医、中西医结合学历不能报考临床、口腔、公共卫生类别",
    "R8": "现役军人加考军事医学",
    "R9": "台港澳人士须填写往来大陆通行证号码",
    "R10": "医师资格考试只勾选、且须勾选住院医师规范化培训经历",
}

DEFAULTS: dict[str, dict[str, Any]] = {
    "R1": {"practice_years": 1, "exempt_graduating_postgraduate": True},
    "R2": {"years_since_certificate": 2},
    "R3": {"allowed": True, "years_since_certificate": 5},
    "R4": {"practice_years": 1, "allow_zhongzhuan": True},
    "R5": {"categories": ["中医"]},
    "R6": {},
    "R7": {"major_kinds": ["中医", "中西医结合"], "forbidden_categories": ["临床", "口腔", "公共卫生"]},
    "R8": {"unit": "军事医学"},
    "R9": {},
    "R10": {"residency_must_be_ticked": True},
}


@dataclass(frozen=True)
class EducationFact:
    label: str  # 北京大学 本科 (for the sentences)
    level: str
    study_mode: str = "全日制"
    major_kind: str = "西医"
    diploma_number: str | None = None
    selected: bool = True


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
    category: str  # 临床 口腔 公共卫生 中医 ...
    route: str  # 学历 / 师承或确有专长
    cutoff: date
    educations: tuple[EducationFact, ...] = ()  # every entry of the profile, `selected` says if ticked
    trainings: tuple[TrainingFact, ...] = ()  # every entry of the profile, `selected` says if ticked
    certificates: tuple[CertificateFact, ...] = ()  # the ticked ones
    employment_status: str | None = None
    practice_start: str | None = None  # YYYY-MM, start of 试用期 / practice
    military: bool = False
    hk_macau_taiwan: bool = False
    permit_number: str | None = None


@dataclass(frozen=True)
class Finding:
    rule: str  # R1 ... R10, or BASE for what every registration needs
    message: str
    blocking: bool = True


@dataclass
class RuleSettings:
    """Per exam year: which rules apply and with what parameters."""

    enabled: dict[str, bool] = field(default_factory=lambda: {r: True for r in DEFAULTS})
    params: dict[str, dict] = field(default_factory=lambda: {r: dict(p) for r, p in DEFAULTS.items()})

    def on(self, rule: str) -> bool:
        return self.enabled.get(rule, True)

    def p(self, rule: str, key: str):
        return self.params.get(rule, {}).get(key, DEFAULTS[rule].get(key))


def months_between(start_ym: str | None, until: date) -> int:
    """Whole months from a YYYY-MM to a date (negative when the start is later)."""
    if not start_ym:
        return -1
    year, month = int(start_ym[:4]), int(start_ym[5:7])
    return (until.year - year) * 12 + until.month - month


def _rank(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else -1


def _apprentice(e: EducationFact) -> bool:
    return e.study_mode in APPRENTICE_MODES


def evaluate(facts: Facts, settings: RuleSettings | None = None) -> list[Finding]:
    """Every rule that fails (and every notice), in rule order, each one sentence."""
    s = settings or RuleSettings()
    out: list[Finding] = []
    selected = [e for e in facts.educations if e.selected]
    highest = max(selected, key=lambda e: _rank(e.level)) if selected else None
    by_diploma = facts.route == "学历"

    if not selected:
        out.append(Finding("BASE", "请在“教育经历和培训经历”一步勾选一条用于报考的教育经历。"))

    def practice(rule: str, years: int) -> None:
        if months_between(facts.practice_start, facts.cutoff) < years * 12:
            out.append(Finding(rule, Msg("报考%(level)s需在%(cutoff)s前试用期（执业）满%(years)s年："
                                         "请在“工作情况”中填写试用期起始年月（YYYY-MM），"
                                         "不满%(years)s年的请待年限满后再报考。",
                                         level=facts.level, cutoff=facts.cutoff, years=years)))

    def certificate_years(rule: str, years: int) -> CertificateFact | None:
        certs = [c for c in facts.certificates if c.qualifies_assistant]
        if not certs:
            out.append(Finding(rule, Msg("以%(level)s学历报考执业医师，需在“选择证书”一步勾选"
                                         "“执业助理医师”证书（“执业助理医师（乡镇）”类型不具备报考资格）。",
                                         level=highest.level)))
            return None
        cert = certs[0]
        if months_between(cert.issue_ym, facts.cutoff) < years * 12:
            out.append(Finding(rule, Msg("以%(level)s学历报考执业医师，需取得执业助理医师资格后"
                                         "至%(cutoff)s执业满%(years)s年；您的证书发证年月为%(issued)s。",
                                         level=highest.level, cutoff=facts.cutoff, years=years,
                                         issued=cert.issue_ym)))
        return cert

    if highest and by_diploma and facts.level == "执业医师":
        rank = _rank(highest.level)
        if rank >= _rank("本科") and s.on("R1"):
            exempt = (s.p("R1", "exempt_graduating_postgraduate") and highest.level in POSTGRADUATE
                      and facts.employment_status == GRADUATING_POSTGRADUATE)
            if not exempt:
                practice("R1", int(s.p("R1", "practice_years")))
        elif highest.level == "专科" and s.on("R2"):
            certificate_years("R2", int(s.p("R2", "years_since_certificate")))
        elif highest.level == "中专" and s.on("R3"):
            if not s.p("R3", "allowed"):
                out.append(Finding("R3", "本年度中专学历不能报考执业医师：请改选执业助理医师类别，"
                                         "或勾选专科及以上学历的教育经历。"))
            else:
                cert = certificate_years("R3", int(s.p("R3", "years_since_certificate")))
                if cert is not None:
                    missing = [name for name, value in (("发证年月", cert.issue_ym), ("证书编号", cert.cert_number),
                                                        ("注册年月", cert.reg_ym), ("注册编号", cert.reg_number))
                               if not value]
                    if missing:
                        out.append(Finding("R3", Msg("请补全执业助理医师证书的%(missing)s"
                                                     "（注册年月和注册编号见执业证书，注意与资格证书区分开）。",
                                                     missing=missing)))

    if highest and by_diploma and facts.level == "执业助理医师" and s.on("R4"):
        lowest_ok = "中专" if s.p("R4", "allow_zhongzhuan") else "专科"
        if _rank(highest.level) < _rank(lowest_ok):
            out.append(Finding("R4", Msg("报考执业助理医师需%(level)s及以上医学学历：请勾选相应的教育经历。",
                                         level=lowest_ok)))
        else:
            practice("R4", int(s.p("R4", "practice_years")))

    if s.on("R5"):
        allowed = s.p("R5", "categories")
        if (facts.route == APPRENTICE_ROUTE or any(_apprentice(e) for e in selected)) \
                and facts.category not in allowed:
            out.append(Finding("R5", Msg("师承或确有专长人员只能报考%(categories)s类别：请改选相应的报考类别。",
                                         categories=allowed)))

    for e in selected:
        exempt = ((s.on("R5") and (_apprentice(e) or facts.route == APPRENTICE_ROUTE))
                  or (s.on("R6") and e.level in POSTGRADUATE
                      and facts.employment_status == GRADUATING_POSTGRADUATE))
        if not (e.diploma_number or "").strip() and not exempt:
            hint = ("当年毕业研究生请在“工作情况”的在岗情况中选择“当年毕业研究生”。"
                    if e.level in POSTGRADUATE else "只有当年毕业研究生和师承或确有专长者可以不填。")
            out.append(Finding("BASE", Msg("请填写教育经历“%(entry)s”的毕业证书编号；%(hint)s", entry=e.label,
                                           hint=hint)))

    if s.on("R6") and highest and highest.level in POSTGRADUATE:
        undergrad = [e for e in facts.educations if e.level in ("本科", "专科")]
        if not undergrad:
            out.append(Finding("R6", "以研究生学历报考的考生，还应补充相应本科/专科的教育经历（不用勾选）："
                                     "请在“教育经历和培训经历”一步点“+”添加。"))
        for e in undergrad:
            if e.selected:
                out.append(Finding("R6", Msg("以研究生学历报考时，本科/专科教育经历“%(entry)s”只需填写、"
                                             "不用勾选：请取消勾选。", entry=e.label)))

    if s.on("R7") and selected:
        kinds = s.p("R7", "major_kinds")
        tcm = [e for e in selected if e.major_kind in kinds]
        if tcm and facts.category in s.p("R7", "forbidden_categories"):
            out.append(Finding("R7", Msg("%(kinds)s专业的学历不能报考%(category)s类别："
                                         "请改选中医类别，或勾选相应专业的教育经历。",
                                         kinds=kinds, category=facts.category)))

    if s.on("R8") and facts.military:
        out.append(Finding("R8", Msg("您的本人身份为现役军人，本次报名将加考%(unit)s。", unit=s.p("R8", "unit")),
                           blocking=False))

    if s.on("R9") and facts.hk_macau_taiwan and not (facts.permit_number or "").strip():
        out.append(Finding("R9", "台港澳人士须在“基本情况”一步填写往来大陆通行证号码。"))

    if s.on("R10"):
        wrong = [t.label for t in facts.trainings if t.selected and not t.selectable_for_physician]
        if wrong:
            out.append(Finding("R10", Msg("医师资格考试报名只勾选“住院医师规范化培训”类型的培训经历："
                                          "请取消勾选“%(trainings)s”。", trainings="”“".join(wrong))))
        # the guide: 除住院医师规范化培训类型的培训经历之外可不予勾选 — that one must be ticked
        unticked = [t.label for t in facts.trainings if t.selectable_for_physician and not t.selected]
        if unticked and s.p("R10", "residency_must_be_ticked"):
            out.append(Finding("R10", Msg("医师资格考试报名须勾选“住院医师规范化培训”类型的培训经历："
                                          "请在“教育经历和培训经历”一步勾选“%(trainings)s”。",
                                          trainings="”“".join(unticked))))
    return out


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking]


# --- reading the facts and settings from the database --------------------------------------------

def settings_for(exam_year_id: int) -> RuleSettings:
    """The exam year's rule settings (rows override the defaults)."""
    from core.db import db
    from core.models import EligibilityRuleSetting

    s = RuleSettings()
    rows = db.session.scalars(db.select(EligibilityRuleSetting).filter_by(exam_year_id=exam_year_id))
    for row in rows:
        s.enabled[row.rule] = row.enabled
        s.params[row.rule] = {**DEFAULTS.get(row.rule, {}), **(row.params or {})}
    return s


def education_label(e) -> str:
    return f"{e.school_name} {e.level}"


def facts_for(registration) -> Facts:
    """Facts of a registration: the profile as it is now plus the entries ticked in the draft (or used)."""
    cand, subject = registration.candidate, registration.subject
    chosen = chosen_ids(registration)
    return Facts(
        level=subject.level, category=subject.category, route=subject.route,
        cutoff=registration.exam_year.cutoff_date,
        educations=tuple(EducationFact(label=education_label(e), level=e.level, study_mode=e.study_mode,
                                       major_kind=e.major_kind, diploma_number=e.diploma_number,
                                       selected=e.id in chosen["education"])
                         for e in cand.educations),
        trainings=tuple(TrainingFact(label=f"{t.institution} {t.training_type.name}",
                                     type_name=t.training_type.name,
                                     selectable_for_physician=t.training_type.selectable_for_physician,
                                     selected=t.id in chosen["training"])
                        for t in cand.trainings),
        certificates=tuple(CertificateFact(type_name=c.certificate_type.name,
                                           qualifies_assistant=c.certificate_type.qualifies_assistant,
                                           issue_ym=c.issue_ym, cert_number=c.cert_number,
                                           reg_ym=c.reg_ym, reg_number=c.reg_number)
                           for c in (cand.certificates if chosen["certificate"] else ())
                           if c.id in chosen["certificate"]),
        employment_status=cand.employment_status, practice_start=cand.practice_start,
        military=cand.military_identity == "active", hk_macau_taiwan=cand.is_hk_macau_taiwan,
        permit_number=cand.permit_number,
    )


def chosen_ids(registration) -> dict[str, set[int]]:
    """Entry ids ticked in a draft (draft_data) or used by a submitted registration (its entries)."""
    if registration.status == DRAFT:
        draft = Draft.of(registration)
        return {kind: set(draft.ids(kind)) for kind in ENTRY_MODELS}
    out: dict[str, set[int]] = {kind: set() for kind in ENTRY_MODELS}
    for entry in registration.entries:
        for kind in out:
            if getattr(entry, f"{kind}_id"):
                out[kind].add(getattr(entry, f"{kind}_id"))
    return out


def check(registration, settings: RuleSettings | None = None) -> list[Finding]:
    """The verdict for a registration under its exam year's settings (wizard, submission, reviewer)."""
    return evaluate(facts_for(registration), settings or settings_for(registration.exam_year_id))
