"""The eligibility rules R1-R11 as a table: every rule passing and failing, with the exact sentence; the
boundaries (the cut-off day, the day before and after), every 专业类别 against every exam category, each
route open and closed, each rule's check on and off."""
from dataclasses import replace
from datetime import date

import pytest

from core.eligibility import (RULES, CertificateFact, EducationFact, Facts, RuleSettings, TrainingFact,
                              certificate_required, evaluate, months_between)
from core.eligibility.facts import Facts as FactsClass
from core.eligibility.majors import DEFAULT_TABLE, EXAM_CATEGORIES, MAJOR_CATEGORIES
from core.eligibility.routes import ROUTES

BACHELOR = EducationFact("北京大学 本科", "本科", major="临床医学", major_category="临床医学类",
                         start_ym="2010-09", diploma_number="1000112015")
COLLEGE = EducationFact("首都医科大学 专科", "专科", major="临床医学", major_category="临床医学类",
                        start_ym="2008-09", diploma_number="2000")
SECONDARY = EducationFact("北京卫生学校 中专", "中专", major="临床医学", major_category="临床医学类",
                          start_ym="2005-09", diploma_number="3000")
MASTER = EducationFact("协和医学院 硕士研究生", "硕士研究生", major="内科学", major_category="临床医学类",
                       start_ym="2015-09", diploma_number=None)
TCM = EducationFact("北京中医药大学 本科", "本科", major="中医学", major_category="中医学类", start_ym="2010-09",
                    diploma_number="4000")
DENTAL = EducationFact("重庆医科大学 本科", "本科", major="口腔医学", major_category="口腔医学类",
                       start_ym="2017-09", diploma_number="5000")
APPRENTICE = EducationFact("师承 李医生 师承", None, study_mode="师承", major="中医", diploma_number=None)
ASSISTANT = CertificateFact("执业助理医师", True, "2019-05", "A123", "2019-09", "R456")
TOWNSHIP = CertificateFact("执业助理医师（乡镇）", False, "2015-05", "T1", "2015-09", "TR1")
RESIDENCY = TrainingFact("协和医院 住院医师规范化培训", "住院医师规范化培训", True)
OTHER_TRAINING = TrainingFact("某医院 进修", "进修", False)

BASE = Facts(level="执业医师", category="临床", route="学历", cutoff=date(2027, 8, 31), year=2027,
             educations=(BACHELOR,), practice_start="2025-07")
ASSISTANT_BASE = replace(BASE, level="执业助理医师", educations=(COLLEGE,))

R1 = ("报考执业医师需在2027年8月31日前试用期（执业）满1年：请在“工作情况”中填写试用期起始年月（YYYY-MM），"
      "不满1年的请待年限满后再报考。")
R2_NO_CERT = ("以专科学历报考执业医师，需在“选择证书”一步勾选“执业助理医师”证书"
              "（“执业助理医师（乡镇）”类型不具备报考资格）。")
R3_NO_CERT = R2_NO_CERT.replace("专科", "中专", 1)
R4_PRACTICE = R1.replace("执业医师", "执业助理医师", 1)
R10_TICK = ("医师资格考试报名须勾选“住院医师规范化培训”类型的培训经历："
            "请在“教育经历和培训经历”一步勾选“协和医院 住院医师规范化培训”。")
R10_WRONG = "医师资格考试报名只勾选“住院医师规范化培训”类型的培训经历：请取消勾选“某医院 进修”。"
R6_UNDERGRAD = ("以研究生学历报考的考生，还应补充相应本科/专科的教育经历（不用勾选）："
                "请在“教育经历和培训经历”一步点“+”添加。")
R9 = "台港澳人士须在“基本情况”一步填写往来大陆通行证号码。"
DENTAL_TO_CLINICAL = ("专业“口腔医学”（口腔医学类）的学历只能报考口腔类别，不能报考临床类别："
                      "请改选相应的报考类别，或勾选与报考类别对应专业的教育经历。")


def closed(route: str) -> str:
    r = next(r for r in ROUTES if r.code == route)
    return f"2027年度不开放{r.label}：{r.hint}"


def adult(mode: str, start: str, cutoff: str = "2002年10月31日") -> str:
    return (f"教育经历“某大学 本科”为{mode}学历，{start}入学，晚于{cutoff}：该日期以后入学的成人高等教育、"
            "自学考试和网络教育学历不能作为报考医师资格考试的学历。请勾选全日制或非全日制普通高等教育的医学"
            f"学历（{cutoff}以前入学的成人高等教育、自学考试和网络教育学历也可以）。")


def adult_entry(mode: str, start: str) -> EducationFact:
    return replace(BACHELOR, label="某大学 本科", study_mode=mode, start_ym=start)


def with_settings(**changes) -> RuleSettings:
    """RuleSettings with rule checks off (R1=False), parameters (R1_practice_years=3), routes (route_x=False)."""
    s = RuleSettings()
    for key, value in changes.items():
        if key.startswith("route_"):
            s.routes[key.removeprefix("route_")] = value
        elif "_" in key:
            rule, param = key.split("_", 1)
            s.params[rule] = {**s.params.get(rule, {}), param: value}
        else:
            s.enabled[key] = value
    return s


def cases():
    unticked_bachelor = replace(BACHELOR, selected=False)
    return [
        # name, facts, settings (None: defaults), expected (rule, message) pairs
        ("R1 pass", BASE, None, []),
        ("R1 pass: exactly 12 months to the cut-off", replace(BASE, practice_start="2026-08"), None, []),
        ("R1 fail: 11 months to the cut-off", replace(BASE, practice_start="2026-09"), None, [("R1", R1)]),
        ("R1 fail: no practice start", replace(BASE, practice_start=None), None, [("R1", R1)]),
        ("R1 off: no practice start passes", replace(BASE, practice_start=None), with_settings(R1=False), []),
        ("R1 parameter: 3 years", BASE, with_settings(R1_practice_years=3), [("R1", R1.replace("满1年", "满3年"))]),
        ("R2 pass", replace(BASE, educations=(COLLEGE,), certificates=(ASSISTANT,)), None, []),
        ("R2 pass: exactly 24 months since the certificate",
         replace(BASE, educations=(COLLEGE,), certificates=(replace(ASSISTANT, issue_ym="2025-08"),)), None, []),
        ("R2 fail: 23 months since the certificate",
         replace(BASE, educations=(COLLEGE,), certificates=(replace(ASSISTANT, issue_ym="2025-09"),)), None,
         [("R2", "以专科学历报考执业医师，需取得执业助理医师资格后至2027年8月31日执业满2年；"
                 "您的证书发证年月为2025-09。")]),
        ("R2 fail: no certificate", replace(BASE, educations=(COLLEGE,)), None, [("R2", R2_NO_CERT)]),
        ("R2 fail: township certificate only", replace(BASE, educations=(COLLEGE,), certificates=(TOWNSHIP,)),
         None, [("R2", R2_NO_CERT)]),
        ("R2 off: the certificate is still required (the route's condition)",
         replace(BASE, educations=(COLLEGE,)), with_settings(R2=False), [("R2", R2_NO_CERT)]),
        ("R2 off: a recent certificate passes",
         replace(BASE, educations=(COLLEGE,), certificates=(replace(ASSISTANT, issue_ym="2026-03"),)),
         with_settings(R2=False), []),
        ("route 专科→执业医师 closed", replace(BASE, educations=(COLLEGE,)), with_settings(route_physician_college=False),
         [("ROUTE", closed("physician_college"))]),
        ("R3 pass", replace(BASE, educations=(SECONDARY,), certificates=(replace(ASSISTANT, issue_ym="2020-01"),)),
         None, []),
        ("R3 fail: no certificate", replace(BASE, educations=(SECONDARY,)), None, [("R3", R3_NO_CERT)]),
        ("R3 fail: registration data missing",
         replace(BASE, educations=(SECONDARY,),
                 certificates=(replace(ASSISTANT, issue_ym="2020-01", reg_ym=None, reg_number=None),)), None,
         [("R3", "请补全执业助理医师证书的注册年月、注册编号（注册年月和注册编号见执业证书，注意与资格证书区分开）。")]),
        ("R3 off: no certificate is still refused (the route's condition)",
         replace(BASE, educations=(SECONDARY,)), with_settings(R3=False), [("R3", R3_NO_CERT)]),
        ("R3 off: years and registration data not checked",
         replace(BASE, educations=(SECONDARY,), certificates=(replace(ASSISTANT, reg_ym=None, reg_number=None),)),
         with_settings(R3=False), []),
        ("route 中专→执业医师 closed: said once, no certificate asked for",
         replace(BASE, educations=(SECONDARY,)), with_settings(route_physician_secondary=False),
         [("ROUTE", closed("physician_secondary"))]),
        ("route 中专→执业医师 closed, R3 off: still closed",
         replace(BASE, educations=(SECONDARY,), certificates=(ASSISTANT,)),
         with_settings(route_physician_secondary=False, R3=False), [("ROUTE", closed("physician_secondary"))]),
        ("R4 pass: 专科 → 助理", ASSISTANT_BASE, None, []),
        ("R4 pass: 中专 → 助理 (route open)", replace(ASSISTANT_BASE, educations=(SECONDARY,)), None, []),
        ("R4 fail: practice", replace(ASSISTANT_BASE, practice_start="2027-01"), None, [("R4", R4_PRACTICE)]),
        ("R4 off: practice not checked", replace(ASSISTANT_BASE, practice_start="2027-01"), with_settings(R4=False),
         []),
        ("route 中专→助理 closed", replace(ASSISTANT_BASE, educations=(SECONDARY,)),
         with_settings(route_assistant_secondary=False), [("ROUTE", closed("assistant_secondary"))]),
        ("route 中专→助理 closed: 专科 unaffected", ASSISTANT_BASE, with_settings(route_assistant_secondary=False), []),
        ("R5 pass: 师承 → 中医", replace(BASE, category="中医", route="师承或确有专长", educations=(APPRENTICE,)),
         None, []),
        ("R5 fail: 师承 entry → 临床", replace(BASE, educations=(APPRENTICE,)), None,
         [("R5", "师承或确有专长人员只能报考中医类别：请改选相应的报考类别。")]),
        ("route 师承 closed", replace(BASE, category="中医", route="师承或确有专长", educations=(APPRENTICE,)),
         with_settings(route_apprentice=False), [("ROUTE", closed("apprentice"))]),
        ("R6 pass: graduating postgraduate, no diploma number, undergraduate entered not ticked",
         replace(BASE, educations=(MASTER, unticked_bachelor), employment_status="当年毕业研究生",
                 practice_start=None), None, []),
        ("R6 fail: no undergraduate entry",
         replace(BASE, educations=(MASTER,), employment_status="当年毕业研究生", practice_start=None), None,
         [("R6", R6_UNDERGRAD)]),
        ("R6 off: no undergraduate entry passes, but the diploma number is needed",
         replace(BASE, educations=(MASTER,), employment_status="当年毕业研究生", practice_start=None),
         with_settings(R6=False),
         [("BASE", "请填写教育经历“协和医学院 硕士研究生”的毕业证书编号；"
                   "当年毕业研究生请在“工作情况”的在岗情况中选择“当年毕业研究生”。")]),
        ("R6 fail: undergraduate ticked too",
         replace(BASE, educations=(MASTER, BACHELOR), employment_status="当年毕业研究生", practice_start=None), None,
         [("R6", "以研究生学历报考时，本科/专科教育经历“北京大学 本科”只需填写、不用勾选：请取消勾选。")]),
        ("R6 fail: not graduating, so the diploma number is needed",
         replace(BASE, educations=(MASTER, unticked_bachelor), employment_status="在岗"), None,
         [("BASE", "请填写教育经历“协和医学院 硕士研究生”的毕业证书编号；"
                   "当年毕业研究生请在“工作情况”的在岗情况中选择“当年毕业研究生”。")]),
        ("R7 pass: 中医学 → 中医", replace(BASE, category="中医", subcategory="中医", educations=(TCM,)), None, []),
        ("R7 fail: 口腔医学 → 临床", replace(BASE, educations=(DENTAL,)), None, [("R7", DENTAL_TO_CLINICAL)]),
        ("R7 fail: 中医学 → 口腔", replace(BASE, category="口腔", educations=(TCM,)), None,
         [("R7", "专业“中医学”（中医学类）的学历只能报考中医类别，不能报考口腔类别："
                 "请改选相应的报考类别，或勾选与报考类别对应专业的教育经历。")]),
        ("R7 fail: 护理学 → 临床",
         replace(BASE, educations=(replace(BACHELOR, major="护理学", major_category="非医师类"),)), None,
         [("R7", "专业“护理学”的学历不能报考医师资格考试：请勾选临床、口腔、公共卫生或中医类专业的教育经历。")]),
        ("R7 off: 口腔医学 → 临床 passes", replace(BASE, educations=(DENTAL,)), with_settings(R7=False), []),
        ("R7 table of the year: 口腔医学类 may take 临床 too", replace(BASE, educations=(DENTAL,)),
         with_settings(R7_table={**DEFAULT_TABLE, "口腔医学类": ["口腔", "临床"]}), []),
        ("R7 notice: major typed by hand",
         replace(BASE, educations=(replace(BACHELOR, major="全科医学", major_category=None, major_flag="manual"),)),
         None, [("R7", "教育经历“北京大学 本科”的专业“全科医学”不在专业目录中：现场资格审核时将核对专业与报考类别是否对应。")]),
        ("R7 fail: migrated major to confirm",
         replace(BASE, educations=(replace(BACHELOR, major="临床", major_category=None, major_flag="unconfirmed"),)),
         None, [("R7", "请确认教育经历“北京大学 本科”的专业“临床”：在“教育经历和培训经历”一步该经历下点“确认专业”，"
                       "从专业目录选择后确认（也可在“个人信息”中修改；专业须与报考类别对应）。")]),
        ("R8 civilian: nothing said", replace(BASE, military=False), None, []),
        ("R8 military: notice, not blocking", replace(BASE, military=True), None,
         [("R8", "您的本人身份为现役军人，本次报名将加考军事医学。")]),
        ("R8 off: nothing said", replace(BASE, military=True), with_settings(R8=False), []),
        ("R9 pass", replace(BASE, hk_macau_taiwan=True, permit_number="H12345678"), None, []),
        ("R9 fail", replace(BASE, hk_macau_taiwan=True), None, [("R9", R9)]),
        ("R9 off", replace(BASE, hk_macau_taiwan=True), with_settings(R9=False), []),
        ("R10 pass", replace(BASE, trainings=(RESIDENCY,)), None, []),
        ("R10 fail", replace(BASE, trainings=(RESIDENCY, OTHER_TRAINING)), None, [("R10", R10_WRONG)]),
        ("R10 pass: another training entered, not ticked",
         replace(BASE, trainings=(RESIDENCY, replace(OTHER_TRAINING, selected=False))), None, []),
        ("R10 pass: no training at all", replace(BASE, trainings=()), None, []),
        ("R10 fail: residency training entered, not ticked",
         replace(BASE, trainings=(replace(RESIDENCY, selected=False), replace(OTHER_TRAINING, selected=False))),
         None, [("R10", R10_TICK)]),
        ("R10 fail: the other training ticked instead of residency",
         replace(BASE, trainings=(replace(RESIDENCY, selected=False), OTHER_TRAINING)), None,
         [("R10", R10_WRONG), ("R10", R10_TICK)]),
        ("R10 parameter: residency need not be ticked", replace(BASE, trainings=(replace(RESIDENCY, selected=False),)),
         with_settings(R10_residency_must_be_ticked=False), []),
        ("R10 off", replace(BASE, trainings=(replace(RESIDENCY, selected=False), OTHER_TRAINING)),
         with_settings(R10=False), []),
        ("R11 pass: 成人教育 enrolled in the cut-off month", replace(BASE, educations=(adult_entry("成人教育", "2002-10"),)),
         None, []),
        ("R11 pass: 自学考试 enrolled the month before", replace(BASE, educations=(adult_entry("自学考试", "2002-09"),)),
         None, []),
        ("R11 fail: 网络教育 enrolled the month after", replace(BASE, educations=(adult_entry("网络教育", "2002-11"),)),
         None, [("R11", adult("网络教育", "2002-11"))]),
        ("R11 fail: 成人教育 enrolled 2010", replace(BASE, educations=(adult_entry("成人教育", "2010-09"),)), None,
         [("R11", adult("成人教育", "2010-09"))]),
        ("R11 pass: 全日制 enrolled 2010", replace(BASE, educations=(adult_entry("全日制", "2010-09"),)), None, []),
        ("R11 pass: 非全日制 enrolled 2010", replace(BASE, educations=(adult_entry("非全日制", "2010-09"),)), None, []),
        ("R11 cut-off the day before (2002-10-30): October still accepted",
         replace(BASE, educations=(adult_entry("成人教育", "2002-10"),)), with_settings(R11_enrolled_after="2002-10-30"),
         []),
        ("R11 cut-off the day after (2002-11-01): November accepted",
         replace(BASE, educations=(adult_entry("成人教育", "2002-11"),)), with_settings(R11_enrolled_after="2002-11-01"),
         []),
        ("R11 cut-off the day after (2002-11-01): December refused",
         replace(BASE, educations=(adult_entry("成人教育", "2002-12"),)), with_settings(R11_enrolled_after="2002-11-01"),
         [("R11", adult("成人教育", "2002-12", "2002年11月1日"))]),
        ("R11 off", replace(BASE, educations=(adult_entry("成人教育", "2010-09"),)), with_settings(R11=False), []),
        ("BASE fail: no education ticked", replace(BASE, educations=(unticked_bachelor,)), None,
         [("BASE", "请在“教育经历和培训经历”一步勾选一条用于报考的教育经历。")]),
        ("BASE fail: diploma number missing", replace(BASE, educations=(replace(BACHELOR, diploma_number=""),)),
         None, [("BASE", "请填写教育经历“北京大学 本科”的毕业证书编号；只有当年毕业研究生和师承或确有专长者可以不填。")]),
        ("BASE pass: 师承 needs no diploma number nor level",
         replace(BASE, category="中医", route="师承或确有专长", educations=(APPRENTICE,), practice_start=None), None, []),
        ("the cut-off date is the year's", replace(BASE, cutoff=date(2026, 8, 31), practice_start="2025-09"), None,
         [("R1", R1.replace("2027年8月31日", "2026年8月31日"))]),
    ]


@pytest.mark.parametrize("name, facts, settings, expected", cases(), ids=[c[0] for c in cases()])
def test_rule_table(name, facts, settings, expected):
    assert [(f.rule, f.message) for f in evaluate(facts, settings)] == expected


def _allowed(major_category: str, exam_category: str) -> bool:
    return exam_category in DEFAULT_TABLE[major_category]


@pytest.mark.parametrize("major_category", MAJOR_CATEGORIES)
@pytest.mark.parametrize("exam_category", EXAM_CATEGORIES)
def test_every_major_category_against_every_exam_category(major_category, exam_category):
    edu = replace(BACHELOR, major="某专业", major_category=major_category)
    subcategory = exam_category if exam_category not in ("临床", "口腔", "公共卫生", "乡村全科", "中医") else None
    category = "中医" if subcategory else exam_category
    level = "执业助理医师" if exam_category == "乡村全科" else "执业医师"
    facts = replace(BASE, level=level, category=category, subcategory=subcategory, educations=(edu,))
    found = [(f.rule, f.message) for f in evaluate(facts)]
    allowed = DEFAULT_TABLE[major_category]
    if _allowed(major_category, exam_category):
        assert found == []
    elif allowed:
        assert found == [("R7", f"专业“某专业”（{major_category}）的学历只能报考{'、'.join(allowed)}类别，"
                                f"不能报考{exam_category}类别：请改选相应的报考类别，或勾选与报考类别对应专业的教育经历。")]
    else:
        assert found == [("R7", "专业“某专业”的学历不能报考医师资格考试：请勾选临床、口腔、公共卫生或中医类专业的教育经历。")]


def test_domain_examples_of_r7():
    """docs/domain.md: 口腔医学 cannot take 临床; 中医学 cannot take 临床, 口腔, 公共卫生; 护理学 nothing."""
    assert "临床" not in DEFAULT_TABLE["口腔医学类"]
    assert not {"临床", "口腔", "公共卫生"} & set(DEFAULT_TABLE["中医学类"])
    assert DEFAULT_TABLE["非医师类"] == []


def test_every_failing_rule_is_reported_together():
    facts = replace(BASE, practice_start=None, hk_macau_taiwan=True, trainings=(OTHER_TRAINING,))
    assert [f.rule for f in evaluate(facts)] == ["R1", "R9", "R10"]


def test_each_finding_carries_its_rules_step():
    facts = replace(BASE, practice_start=None, hk_macau_taiwan=True, educations=(DENTAL,), military=True)
    assert [(f.rule, f.step, f.blocking) for f in evaluate(facts)] == [
        ("R1", "work", True), ("R7", "entries", True), ("R8", "basic", False), ("R9", "basic", True)]
    assert [(f.rule, f.step) for f in evaluate(replace(BASE, educations=(COLLEGE,)))] == [("R2", "certificates")]


def test_every_rule_declares_facts_that_exist_and_a_wizard_step():
    names = set(FactsClass.__dataclass_fields__)
    for rule in RULES:
        assert set(rule.reads) <= names, rule.id
        assert rule.step in ("basic", "work", "entries", "certificates"), rule.id
        assert rule.switchable == bool(rule.off), rule.id  # a switch says in words what it does


@pytest.mark.parametrize("facts, settings, required", [
    (replace(BASE, educations=(SECONDARY,)), None, True),
    (replace(BASE, educations=(SECONDARY,), certificates=(ASSISTANT,)), None, True),  # required, and given
    (replace(BASE, educations=(COLLEGE,)), None, True),
    (BASE, None, False),
    (replace(ASSISTANT_BASE, educations=(SECONDARY,)), None, False),
    (replace(BASE, educations=(SECONDARY,)), with_settings(R3=False), True),  # the route's condition stays
    (replace(BASE, educations=(SECONDARY,)), with_settings(route_physician_secondary=False), False),  # closed
], ids=["中专→执业", "中专→执业 given", "专科→执业", "本科", "中专→助理", "R3 off", "route closed"])
def test_certificate_step_requirement_comes_from_the_same_evaluation(facts, settings, required):
    assert certificate_required(facts, settings) is required


def test_graduating_postgraduate_needs_no_practice_year_unless_the_year_says_so():
    facts = replace(BASE, educations=(MASTER, replace(BACHELOR, selected=False)),
                    employment_status="当年毕业研究生", practice_start=None)
    assert evaluate(facts) == []
    assert [f.rule for f in evaluate(facts, with_settings(R1_exempt_graduating_postgraduate=False))] == ["R1"]


@pytest.mark.parametrize("start, months", [("2026-08", 12), ("2026-09", 11), (None, -1), ("2027-09", -1)])
def test_months_between(start, months):
    assert months_between(start, date(2027, 8, 31)) == months


class _Reading:
    """Facts that note which fields a rule reads (the derived properties count as the fields behind them)."""

    DERIVED = {"selected": ("educations",), "highest": ("educations",), "exam_category": ("subcategory", "category")}

    def __init__(self, facts):
        self._facts, self.read = facts, set()

    def __getattr__(self, name):
        self.read.update(self.DERIVED.get(name, (name,)))
        return getattr(self._facts, name)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_each_rule_reads_only_the_facts_it_declares(rule):
    for _name, facts, settings, _expected in cases():
        for part in (rule.condition, rule.check):
            if part is None:
                continue
            reading = _Reading(facts)
            try:
                list(part(reading, settings or RuleSettings()))
            except (AttributeError, TypeError):  # facts of another route (no diploma level): what it read counts
                pass
            assert reading.read <= set(rule.reads), (rule.id, reading.read - set(rule.reads))
