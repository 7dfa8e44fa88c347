"""The eligibility rules R1-R10 as a table: every rule passing and failing, with the exact sentence."""
from dataclasses import replace
from datetime import date

import pytest

from core.eligibility import (CertificateFact, EducationFact, Facts, RuleSettings, TrainingFact, evaluate,
                              months_between)

BACHELOR = EducationFact("北京大学 本科", "本科", diploma_number="1000112015")
COLLEGE = EducationFact("首都医科大学 专科", "专科", diploma_number="2000")
SECONDARY = EducationFact("北京卫生学校 中专", "中专", diploma_number="3000")
MASTER = EducationFact("协和医学院 硕士研究生", "硕士研究生", diploma_number=None)
TCM = EducationFact("北京中医药大学 本科", "本科", major_kind="中医", diploma_number="4000")
APPRENTICE = EducationFact("师承 李医生", "中专", study_mode="师承", major_kind="中医", diploma_number=None)
ASSISTANT = CertificateFact("执业助理医师", True, "2019-05", "A123", "2019-09", "R456")
TOWNSHIP = CertificateFact("执业助理医师（乡镇）", False, "2015-05", "T1", "2015-09", "TR1")
RESIDENCY = TrainingFact("协和医院 住院医师规范化培训", "住院医师规范化培训", True)
OTHER_TRAINING = TrainingFact("某医院 进修", "进修", False)

BASE = Facts(level="执业医师", category="临床", route="学历", cutoff=date(2027, 8, 31),
             educations=(BACHELOR,), practice_start="2025-07")

R1 = ("报考执业医师需在2027年8月31日前试用期（执业）满1年：请在“工作情况”中填写试用期起始年月（YYYY-MM），"
      "不满1年的请待年限满后再报考。")
R2_NO_CERT = ("以专科学历报考执业医师，需在“选择证书”一步勾选“执业助理医师”证书"
              "（“执业助理医师（乡镇）”类型不具备报考资格）。")
R3_NO_CERT = R2_NO_CERT.replace("专科", "中专", 1)
R4_PRACTICE = R1.replace("执业医师", "执业助理医师", 1)
R10_TICK = ("医师资格考试报名须勾选“住院医师规范化培训”类型的培训经历："
            "请在“教育经历和培训经历”一步勾选“协和医院 住院医师规范化培训”。")
R6_UNDERGRAD = ("以研究生学历报考的考生，还应补充相应本科/专科的教育经历（不用勾选）："
                "请在“教育经历和培训经历”一步点“+”添加。")


def cases():
    unticked_bachelor = replace(BACHELOR, selected=False)
    return [
        # rule, facts, expected (rule, message) pairs
        ("R1 pass", BASE, []),
        ("R1 fail: practice under a year", replace(BASE, practice_start="2026-10"), [("R1", R1)]),
        ("R1 fail: no practice start", replace(BASE, practice_start=None), [("R1", R1)]),
        ("R2 pass", replace(BASE, educations=(COLLEGE,), certificates=(ASSISTANT,)), []),
        ("R2 fail: no certificate", replace(BASE, educations=(COLLEGE,)), [("R2", R2_NO_CERT)]),
        ("R2 fail: township certificate only", replace(BASE, educations=(COLLEGE,), certificates=(TOWNSHIP,)),
         [("R2", R2_NO_CERT)]),
        ("R2 fail: certificate too recent",
         replace(BASE, educations=(COLLEGE,), certificates=(replace(ASSISTANT, issue_ym="2026-03"),)),
         [("R2", "以专科学历报考执业医师，需取得执业助理医师资格后至2027年8月31日执业满2年；"
                 "您的证书发证年月为2026-03。")]),
        ("R3 pass", replace(BASE, educations=(SECONDARY,), certificates=(replace(ASSISTANT, issue_ym="2020-01"),)),
         []),
        ("R3 fail: no certificate", replace(BASE, educations=(SECONDARY,)), [("R3", R3_NO_CERT)]),
        ("R3 fail: registration data missing",
         replace(BASE, educations=(SECONDARY,),
                 certificates=(replace(ASSISTANT, issue_ym="2020-01", reg_ym=None, reg_number=None),)),
         [("R3", "请补全执业助理医师证书的注册年月、注册编号（注册年月和注册编号见执业证书，注意与资格证书区分开）。")]),
        ("R4 pass: 专科 → 助理", replace(BASE, level="执业助理医师", educations=(COLLEGE,)), []),
        ("R4 pass: 中专 → 助理 (allowed this year)", replace(BASE, level="执业助理医师", educations=(SECONDARY,)), []),
        ("R4 fail: practice", replace(BASE, level="执业助理医师", educations=(COLLEGE,), practice_start="2027-01"),
         [("R4", R4_PRACTICE)]),
        ("R5 pass: 师承 → 中医", replace(BASE, category="中医", route="师承或确有专长", educations=(APPRENTICE,)), []),
        ("R5 fail: 师承 → 临床", replace(BASE, route="师承或确有专长", educations=(APPRENTICE,)),
         [("R5", "师承或确有专长人员只能报考中医类别：请改选相应的报考类别。"),
          ("R7", "中医、中西医结合专业的学历不能报考临床类别：请改选中医类别，或勾选相应专业的教育经历。")]),
        ("R6 pass: graduating postgraduate, no diploma number, undergraduate entered not ticked",
         replace(BASE, educations=(MASTER, unticked_bachelor), employment_status="当年毕业研究生",
                 practice_start=None), []),
        ("R6 fail: no undergraduate entry",
         replace(BASE, educations=(MASTER,), employment_status="当年毕业研究生", practice_start=None),
         [("R6", R6_UNDERGRAD)]),
        ("R6 fail: undergraduate ticked too",
         replace(BASE, educations=(MASTER, BACHELOR), employment_status="当年毕业研究生", practice_start=None),
         [("R6", "以研究生学历报考时，本科/专科教育经历“北京大学 本科”只需填写、不用勾选：请取消勾选。")]),
        ("R6 fail: not graduating, so the diploma number is needed",
         replace(BASE, educations=(MASTER, unticked_bachelor), employment_status="在岗"),
         [("BASE", "请填写教育经历“协和医学院 硕士研究生”的毕业证书编号；"
                   "当年毕业研究生请在“工作情况”的在岗情况中选择“当年毕业研究生”。")]),
        ("R7 pass: 中医 → 中医", replace(BASE, category="中医", educations=(TCM,)), []),
        ("R7 fail: 中医 → 口腔", replace(BASE, category="口腔", educations=(TCM,)),
         [("R7", "中医、中西医结合专业的学历不能报考口腔类别：请改选中医类别，或勾选相应专业的教育经历。")]),
        ("R8 civilian: nothing said", replace(BASE, military=False), []),
        ("R8 military: notice, not blocking", replace(BASE, military=True),
         [("R8", "您的本人身份为现役军人，本次报名将加考军事医学。")]),
        ("R9 pass", replace(BASE, hk_macau_taiwan=True, permit_number="H12345678"), []),
        ("R9 fail", replace(BASE, hk_macau_taiwan=True),
         [("R9", "台港澳人士须在“基本情况”一步填写往来大陆通行证号码。")]),
        ("R10 pass", replace(BASE, trainings=(RESIDENCY,)), []),
        ("R10 fail", replace(BASE, trainings=(RESIDENCY, OTHER_TRAINING)),
         [("R10", "医师资格考试报名只勾选“住院医师规范化培训”类型的培训经历：请取消勾选“某医院 进修”。")]),
        ("R10 pass: another training entered, not ticked",
         replace(BASE, trainings=(RESIDENCY, replace(OTHER_TRAINING, selected=False))), []),
        ("R10 pass: no training at all", replace(BASE, trainings=()), []),
        ("R10 fail: residency training entered, not ticked",
         replace(BASE, trainings=(replace(RESIDENCY, selected=False), replace(OTHER_TRAINING, selected=False))),
         [("R10", R10_TICK)]),
        ("R10 fail: the other training ticked instead of residency",
         replace(BASE, trainings=(replace(RESIDENCY, selected=False), OTHER_TRAINING)),
         [("R10", "医师资格考试报名只勾选“住院医师规范化培训”类型的培训经历：请取消勾选“某医院 进修”。"),
          ("R10", R10_TICK)]),
        ("BASE fail: no education ticked", replace(BASE, educations=(unticked_bachelor,)),
         [("BASE", "请在“教育经历和培训经历”一步勾选一条用于报考的教育经历。")]),
        ("BASE fail: diploma number missing", replace(BASE, educations=(replace(BACHELOR, diploma_number=""),)),
         [("BASE", "请填写教育经历“北京大学 本科”的毕业证书编号；只有当年毕业研究生和师承或确有专长者可以不填。")]),
    ]


@pytest.mark.parametrize("name, facts, expected", cases(), ids=[c[0] for c in cases()])
def test_rule_table(name, facts, expected):
    assert [(f.rule, f.message) for f in evaluate(facts)] == expected


def test_every_failing_rule_is_reported_together():
    facts = replace(BASE, practice_start=None, hk_macau_taiwan=True, trainings=(OTHER_TRAINING,))
    assert [f.rule for f in evaluate(facts)] == ["R1", "R9", "R10"]


def test_a_rule_switched_off_for_the_year_is_not_checked():
    settings = RuleSettings()
    settings.enabled["R1"] = False
    assert evaluate(replace(BASE, practice_start=None), settings) == []


def test_unticked_residency_training_blocks_submission_unless_the_year_says_otherwise():
    facts = replace(BASE, trainings=(replace(RESIDENCY, selected=False),))
    assert [(f.rule, f.blocking) for f in evaluate(facts)] == [("R10", True)]
    settings = RuleSettings()
    settings.params["R10"] = {"residency_must_be_ticked": False}
    assert evaluate(facts, settings) == []
    settings = RuleSettings()
    settings.enabled["R10"] = False
    assert evaluate(replace(facts, trainings=(replace(RESIDENCY, selected=False), OTHER_TRAINING)), settings) == []


def test_parameters_come_from_the_year():
    settings = RuleSettings()
    settings.params["R1"] = {"practice_years": 3}
    assert "满3年" in evaluate(replace(BASE, practice_start="2025-07"), settings)[0].message


def test_zhongzhuan_to_physician_can_be_closed_for_a_year():
    settings = RuleSettings()
    settings.params["R3"] = {"allowed": False}
    findings = evaluate(replace(BASE, educations=(SECONDARY,), certificates=(ASSISTANT,)), settings)
    assert [(f.rule, f.message) for f in findings] == [
        ("R3", "本年度中专学历不能报考执业医师：请改选执业助理医师类别，或勾选专科及以上学历的教育经历。")]


def test_zhongzhuan_to_assistant_can_be_closed_for_a_year():
    settings = RuleSettings()
    settings.params["R4"] = {"allow_zhongzhuan": False}
    findings = evaluate(replace(BASE, level="执业助理医师", educations=(SECONDARY,)), settings)
    assert [f.message for f in findings] == ["报考执业助理医师需专科及以上医学学历：请勾选相应的教育经历。"]


def test_graduating_postgraduate_needs_no_practice_year_unless_the_year_says_so():
    facts = replace(BASE, educations=(MASTER, replace(BACHELOR, selected=False)),
                    employment_status="当年毕业研究生", practice_start=None)
    settings = RuleSettings()
    settings.params["R1"] = {"exempt_graduating_postgraduate": False}
    assert [f.rule for f in evaluate(facts, settings)] == ["R1"]


@pytest.mark.parametrize("start, months", [("2026-08", 12), ("2026-09", 11), (None, -1), ("2027-09", -1)])
def test_months_between(start, months):
    assert months_between(start, date(2027, 8, 31)) == months
