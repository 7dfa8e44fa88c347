"""The rules as a table, and the short loop that evaluates them.

Each row names the facts the rule reads, the wizard step where its finding is shown (and put right),
the route whose condition it is (applied only while that route is open), and the parameters the back
office edits as labelled fields, with what switching the rule's check off does, in words.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

import core.eligibility.rules as rules
from core.eligibility.facts import Facts, Finding
from core.eligibility.majors import DEFAULT_TABLE
from core.eligibility.routes import BY_CODE, route_of
from core.messages import Msg


@dataclass(frozen=True)
class Param:
    key: str
    label: str  # the back office's field label
    kind: str  # "int" (years), "bool", "date" (YYYY-MM-DD), "categories" (list), "table" (R7)
    default: Any


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    step: str  # basic / work / entries / certificates: where the wizard shows the finding
    reads: tuple[str, ...]  # the Facts fields it looks at
    check: Callable | None = None  # what the year's switch turns off
    condition: Callable | None = None  # always applies (a route's own condition)
    routes: tuple[str, ...] = ()  # applies only on these routes (while open); () on every route
    params: tuple[Param, ...] = ()
    off: str = ""  # what switching the check off does, in words (the back office shows it)

    @property
    def switchable(self) -> bool:
        return self.check is not None


_EDU = ("educations",)
RULES: tuple[Rule, ...] = (
    Rule("BASE", "每个报名：勾选一条教育经历，并填写毕业证书编号", "entries",
         ("educations", "route", "employment_status"), condition=rules.base),
    Rule("R1", "本科及以上学历报考执业医师：试用期满规定年限", "work",
         ("educations", "level", "practice_start", "cutoff", "employment_status"), check=rules.r1_check,
         routes=("physician_degree",),
         params=(Param("practice_years", "试用期年限（年）", "int", 1),
                 Param("exempt_graduating_postgraduate", "当年毕业研究生免试用期", "bool", True)),
         off="关闭后不再检查试用期年限；报考途径和其他规则不变。"),
    Rule("R2", "专科学历报考执业医师：取得执业助理医师资格后执业满规定年限", "certificates",
         ("educations", "certificates", "cutoff"), check=rules.r2_check,
         condition=rules.assistant_certificate_condition, routes=("physician_college",),
         params=(Param("years_since_certificate", "取得执业助理医师资格后执业年限（年）", "int", 2),),
         off="关闭后不再检查取得证书后的执业年限；仍须勾选“执业助理医师”证书（报考途径的条件）。"
             "要停止专科学历报考执业医师，请关闭报考途径。"),
    Rule("R3", "中专学历报考执业医师：执业助理医师证书及其执业年限、注册信息", "certificates",
         ("educations", "certificates", "cutoff"), check=rules.r3_check,
         condition=rules.assistant_certificate_condition, routes=("physician_secondary",),
         params=(Param("years_since_certificate", "取得执业助理医师资格后执业年限（年）", "int", 5),),
         off="关闭后不再检查取得证书后的执业年限和证书注册信息；仍须勾选“执业助理医师”证书（报考途径的条件）。"
             "要停止中专学历报考执业医师，请关闭报考途径。"),
    Rule("R4", "以学历报考执业助理医师：试用期满规定年限", "work",
         ("level", "practice_start", "cutoff"), check=rules.r4_check,
         routes=("assistant_college", "assistant_secondary"),
         params=(Param("practice_years", "试用期年限（年）", "int", 1),),
         off="关闭后不再检查试用期年限；中专学历能否报考执业助理医师由报考途径决定。"),
    Rule("R5", "师承或确有专长：只能报考中医类别，可不填毕业证书编号", "entries", ("category",),
         condition=rules.r5_condition, routes=("apprentice",),
         params=(Param("categories", "可报考的类别", "categories", ["中医"]),)),
    Rule("R6", "以研究生学历报考：补充本科/专科经历；当年毕业研究生可不填毕业证书编号", "entries",
         ("educations", "employment_status"), check=rules.r6_check,
         off="关闭后不再要求补充本科/专科经历，当年毕业研究生也须填写毕业证书编号。"),
    Rule("R7", "专业与报考类别对应（按专业类别对照表）", "entries", ("educations", "category", "subcategory"),
         check=rules.r7_check, params=(Param("table", "专业类别可报考的类别", "table", DEFAULT_TABLE),),
         off="关闭后不再检查专业与报考类别是否对应：任何专业的学历都可报考任何类别。"),
    Rule("R8", "现役军人加考军事医学", "basic", ("military",), check=rules.r8_check,
         params=(Param("unit", "加考单元", "text", "军事医学"),),
         off="关闭后现役军人不再加考。"),
    Rule("R9", "台港澳人士须填写往来大陆通行证号码", "basic", ("hk_macau_taiwan", "permit_number"),
         check=rules.r9_check, off="关闭后台港澳人士可不填写往来大陆通行证号码即提交。"),
    Rule("R10", "医师资格考试只勾选、且须勾选住院医师规范化培训经历", "entries", ("trainings",),
         check=rules.r10_check,
         params=(Param("residency_must_be_ticked", "住院医师规范化培训经历须勾选", "bool", True),),
         off="关闭后不再检查培训经历的勾选。"),
    Rule("R11", "成人高等教育、自学考试、网络教育学历：规定日期以后入学的不能作为报考学历", "entries", _EDU,
         check=rules.r11_check, params=(Param("enrolled_after", "入学截止日期（此日以后入学的不予认可）", "date",
                                              "2002-10-31"),),
         off="关闭后成人高等教育、自学考试和网络教育学历不论入学时间都予认可。"),
)
BY_ID = {r.id: r for r in RULES}
DEFAULTS: dict[str, dict[str, Any]] = {r.id: {p.key: p.default for p in r.params} for r in RULES}


@dataclass
class RuleSettings:
    """Per exam year: which rules' checks apply, their parameters, and which routes are open."""

    enabled: dict[str, bool] = field(default_factory=lambda: {r: True for r in DEFAULTS})
    params: dict[str, dict] = field(default_factory=lambda: {r: dict(p) for r, p in DEFAULTS.items()})
    routes: dict[str, bool] = field(default_factory=dict)  # route code -> open; missing: open

    def on(self, rule: str) -> bool:
        return self.enabled.get(rule, True)

    def p(self, rule: str, key: str):
        return self.params.get(rule, {}).get(key, DEFAULTS[rule].get(key))

    def route_open(self, code: str) -> bool:
        return self.routes.get(code, True) or not BY_CODE[code].closable


def evaluate(facts: Facts, settings: RuleSettings | None = None) -> list[Finding]:
    """Every finding, in table order: a closed route first, then each rule's condition and (if on) check."""
    s = settings or RuleSettings()
    route = route_of(facts)
    out: list[Finding] = []
    if route is not None and not s.route_open(route.code):
        out.append(Finding("ROUTE", Msg("%(year)s年度不开放%(route)s：%(hint)s", year=facts.year,
                                        route=route.label, hint=route.hint)))
    for rule in RULES:
        if rule.routes and (route is None or route.code not in rule.routes or not s.route_open(route.code)):
            continue
        for part in (rule.condition, rule.check if s.on(rule.id) else None):
            for found in (part(facts, s) if part else ()):
                notice = isinstance(found, rules.Notice)
                out.append(Finding(rule.id, found.message if notice else found, not notice, rule.step))
    return out


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking]


def certificate_required(facts: Facts, settings: RuleSettings | None = None) -> bool:
    """选择证书 is required when, without any certificate, a rule of that step would refuse (R2, R3)."""
    bare = evaluate(replace(facts, certificates=()), settings)
    return any(f.blocking and f.step == "certificates" for f in bare)
