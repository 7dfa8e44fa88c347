"""The eligibility rules, one function each: ``(facts, settings) -> the sentences that fail``.

Each yields the Chinese sentence of every finding (a ``Msg`` where it names levels, years or entries),
or a ``Notice`` for what informs without blocking. Which facts a rule reads, the wizard step where its
finding is shown, whether it can be switched off, its parameters and its route are declared in
``core.eligibility.table.RULES``; ``settings.p(rule, key)`` reads a parameter of the exam year.
A rule split in ``*_condition`` and ``*_check``: the condition belongs to the route and always applies
while the route is open, the check is what the year's switch turns off.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from core.eligibility.facts import (GRADUATING_POSTGRADUATE, POSTGRADUATE, APPRENTICE_ROUTE, CertificateFact,
                                    Facts, months_between)
from core.messages import Msg

ADULT_MODES = ("成人教育", "自学考试", "网络教育")  # R11: 成人高等教育, 自学考试, 网络教育 (distance)


@dataclass(frozen=True)
class Notice:
    """A finding that informs without blocking (e.g. R8: the extra 军事医学 unit)."""

    message: str


Found = Iterator["str | Notice"]


def base(f: Facts, s) -> Found:
    """What every registration needs: an education ticked, with its diploma number (R5, R6 exempt)."""
    if not f.selected:
        yield Msg("请在“教育经历和培训经历”一步勾选一条用于报考的教育经历。")
    for e in f.selected:
        graduating = s.on("R6") and e.level in POSTGRADUATE and f.employment_status == GRADUATING_POSTGRADUATE
        if e.apprentice or f.route == APPRENTICE_ROUTE or graduating or (e.diploma_number or "").strip():
            continue
        hint = ("当年毕业研究生请在“工作情况”的在岗情况中选择“当年毕业研究生”。"
                if e.level in POSTGRADUATE else "只有当年毕业研究生和师承或确有专长者可以不填。")
        yield Msg("请填写教育经历“%(entry)s”的毕业证书编号；%(hint)s", entry=e.label, hint=hint)


def _practice(f: Facts, years: int) -> Found:
    if months_between(f.practice_start, f.cutoff) < years * 12:
        yield Msg("报考%(level)s需在%(cutoff)s前试用期（执业）满%(years)s年：请在“工作情况”中填写试用期起始年月"
                  "（YYYY-MM），不满%(years)s年的请待年限满后再报考。", level=f.level, cutoff=f.cutoff, years=years)


def r1_check(f: Facts, s) -> Found:
    """本科及以上 → 执业医师: a year (parameter) of practice; graduating postgraduates exempt (parameter)."""
    exempt = (s.p("R1", "exempt_graduating_postgraduate") and f.highest.level in POSTGRADUATE
              and f.employment_status == GRADUATING_POSTGRADUATE)
    if not exempt:
        yield from _practice(f, int(s.p("R1", "practice_years")))


def _assistant_certificate(f: Facts) -> CertificateFact | None:
    return next((c for c in f.certificates if c.qualifies_assistant), None)


def assistant_certificate_condition(f: Facts, s) -> Found:
    """专科 / 中专 → 执业医师 (R2, R3): an 执业助理医师 certificate, never switched off with the check."""
    if _assistant_certificate(f) is None:
        yield Msg("以%(level)s学历报考执业医师，需在“选择证书”一步勾选“执业助理医师”证书"
                  "（“执业助理医师（乡镇）”类型不具备报考资格）。", level=f.highest.level)


def _years_since_certificate(f: Facts, years: int) -> Found:
    cert = _assistant_certificate(f)
    if cert is not None and months_between(cert.issue_ym, f.cutoff) < years * 12:
        yield Msg("以%(level)s学历报考执业医师，需取得执业助理医师资格后至%(cutoff)s执业满%(years)s年；"
                  "您的证书发证年月为%(issued)s。", level=f.highest.level, cutoff=f.cutoff, years=years,
                  issued=cert.issue_ym)


def r2_check(f: Facts, s) -> Found:
    yield from _years_since_certificate(f, int(s.p("R2", "years_since_certificate")))


def r3_check(f: Facts, s) -> Found:
    """中专 → 执业医师: years since the certificate, and its registration data (the 执业证书's)."""
    yield from _years_since_certificate(f, int(s.p("R3", "years_since_certificate")))
    cert = _assistant_certificate(f)
    if cert is None:
        return
    missing = [name for name, value in (("发证年月", cert.issue_ym), ("证书编号", cert.cert_number),
                                        ("注册年月", cert.reg_ym), ("注册编号", cert.reg_number)) if not value]
    if missing:
        yield Msg("请补全执业助理医师证书的%(missing)s（注册年月和注册编号见执业证书，注意与资格证书区分开）。",
                  missing=missing)


def r4_check(f: Facts, s) -> Found:
    """→ 执业助理医师 by diploma: a year (parameter) of practice."""
    yield from _practice(f, int(s.p("R4", "practice_years")))


def r5_condition(f: Facts, s) -> Found:
    """师承 / 确有专长: the 中医 categories only (parameter)."""
    allowed = s.p("R5", "categories")
    if f.category not in allowed:
        yield Msg("师承或确有专长人员只能报考%(categories)s类别：请改选相应的报考类别。", categories=allowed)


def r6_check(f: Facts, s) -> Found:
    """By a postgraduate diploma: the 本科/专科 entry entered as well, but not ticked."""
    if f.highest is None or f.highest.level not in POSTGRADUATE:
        return
    undergrad = [e for e in f.educations if e.level in ("本科", "专科")]
    if not undergrad:
        yield Msg("以研究生学历报考的考生，还应补充相应本科/专科的教育经历（不用勾选）："
                  "请在“教育经历和培训经历”一步点“+”添加。")
    for e in undergrad:
        if e.selected:
            yield Msg("以研究生学历报考时，本科/专科教育经历“%(entry)s”只需填写、不用勾选：请取消勾选。",
                      entry=e.label)


def r7_check(f: Facts, s) -> Found:
    """The major of each diploma ticked must map to the exam category (the year's table)."""
    table = s.p("R7", "table")
    for e in f.selected:
        if e.apprentice:
            continue  # no diploma major: R5 decides the category
        if e.major_flag == "unconfirmed":
            yield Msg("请确认教育经历“%(entry)s”的专业“%(major)s”：在“教育经历和培训经历”一步该经历下点“确认专业”，"
                      "从专业目录选择后确认（也可在“个人信息”中修改；专业须与报考类别对应）。", entry=e.label,
                      major=e.major)
        elif e.major_category is None:
            if e.major_flag == "manual":
                yield Notice(Msg("教育经历“%(entry)s”的专业“%(major)s”不在专业目录中：现场资格审核时将核对"
                                 "专业与报考类别是否对应。", entry=e.label, major=e.major))
        elif f.exam_category not in table.get(e.major_category, []):
            allowed = table.get(e.major_category, [])
            if allowed:
                yield Msg("专业“%(major)s”（%(group)s）的学历只能报考%(allowed)s类别，不能报考%(category)s类别："
                          "请改选相应的报考类别，或勾选与报考类别对应专业的教育经历。", major=e.major,
                          group=e.major_category, allowed=allowed, category=f.exam_category)
            else:
                yield Msg("专业“%(major)s”的学历不能报考医师资格考试：请勾选临床、口腔、公共卫生或中医类专业的"
                          "教育经历。", major=e.major)


def r8_check(f: Facts, s) -> Found:
    if f.military:
        yield Notice(Msg("您的本人身份为现役军人，本次报名将加考%(unit)s。", unit=s.p("R8", "unit")))


def r9_check(f: Facts, s) -> Found:
    if f.hk_macau_taiwan and not (f.permit_number or "").strip():
        yield Msg("台港澳人士须在“基本情况”一步填写往来大陆通行证号码。")


def r10_check(f: Facts, s) -> Found:
    wrong = [t.label for t in f.trainings if t.selected and not t.selectable_for_physician]
    if wrong:
        yield Msg("医师资格考试报名只勾选“住院医师规范化培训”类型的培训经历：请取消勾选“%(trainings)s”。",
                  trainings="”“".join(wrong))
    # the guide: 除住院医师规范化培训类型的培训经历之外可不予勾选 — that one must be ticked
    unticked = [t.label for t in f.trainings if t.selectable_for_physician and not t.selected]
    if unticked and s.p("R10", "residency_must_be_ticked"):
        yield Msg("医师资格考试报名须勾选“住院医师规范化培训”类型的培训经历："
                  "请在“教育经历和培训经历”一步勾选“%(trainings)s”。", trainings="”“".join(unticked))


def r11_check(f: Facts, s) -> Found:
    """成人高等教育, 自学考试, 网络教育 enrolled after the cut-off date do not qualify.

    Enrolment is known to the month: an entry enrolled in the cut-off date's own month is accepted.
    """
    cutoff = date.fromisoformat(str(s.p("R11", "enrolled_after")))
    for e in f.selected:
        if e.study_mode in ADULT_MODES and e.start_ym and e.start_ym[:7] > f"{cutoff:%Y-%m}":
            yield Msg("教育经历“%(entry)s”为%(mode)s学历，%(start)s入学，晚于%(cutoff)s：该日期以后入学的成人高等教育、"
                      "自学考试和网络教育学历不能作为报考医师资格考试的学历。请勾选全日制或非全日制普通高等教育的医学"
                      "学历（%(cutoff)s以前入学的成人高等教育、自学考试和网络教育学历也可以）。",
                      entry=e.label, mode=e.study_mode, start=e.start_ym, cutoff=cutoff)
