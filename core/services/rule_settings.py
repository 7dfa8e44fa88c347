"""资格规则设置 of an exam year, as the back office edits them: each rule's switch and parameters as
labelled fields (never raw JSON), each route open or closed, and a confirmation while the window is open.

``form_values(year_id)`` gives what the form shows; ``save_settings(user, year_id, form)`` checks every
field (a Chinese message per field), writes the rows, and audits the change before → after, in the
caller's transaction. Field names: ``route-<code>``, ``rule-<id>-on``, ``rule-<id>-<param>``,
``rule-R7-table-<专业类别>`` (the exam categories ticked), ``confirm``.
"""
from __future__ import annotations

from datetime import date

from core.db import db
from core.eligibility.majors import EXAM_CATEGORIES, MAJOR_CATEGORIES
from core.eligibility.year_settings import settings_for
from core.eligibility.routes import CLOSABLE
from core.eligibility.table import RULES, Param
from core.models import EligibilityRouteSetting, EligibilityRuleSetting, ExamYear
from core.registration.window import window_state, window_text
from core.services import audit
from core.services.errors import NotAllowed
from core.validators import FieldErrors

MAX_YEARS = 20


def _year(year_id: int) -> ExamYear:
    year = db.session.get(ExamYear, year_id)
    if year is None:
        raise NotAllowed("没有找到该考试年度。")
    return year


def current(year_id: int) -> dict:
    """The year's settings as plain values: {"routes": {code: open}, "rules": {id: {"on":…, param: …}}}."""
    s = settings_for(_year(year_id))
    return {"routes": {r.code: s.route_open(r.code) for r in CLOSABLE},
            "rules": {r.id: {"on": s.on(r.id), **{p.key: s.p(r.id, p.key) for p in r.params}}
                      for r in RULES if r.switchable or r.params}}


def _parse_param(rule_id: str, p: Param, form, errors: dict):
    name = f"rule-{rule_id}-{p.key}"
    raw = (form.get(name) or "").strip()
    if p.kind == "bool":
        return form.get(name) == "1"
    if p.kind == "int":
        number = int(raw) if raw.isdecimal() and len(raw) <= 4 else None  # decimal: int() reads it ('²' is a digit)
        if number is None or not 0 <= number <= MAX_YEARS:
            errors[name] = f"请填写0至{MAX_YEARS}之间的整数（年）。"
        return number
    if p.kind == "date":
        try:
            if len(raw) != 10:  # fromisoformat also takes 20021031
                raise ValueError(raw)
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            errors[name] = "日期格式应为YYYY-MM-DD，如2002-10-31。"
            return raw
    if p.kind == "categories":
        chosen = [c for c in form.getlist(name) if c in EXAM_CATEGORIES]
        if not chosen:
            errors[name] = "请至少勾选一个类别。"
        return chosen
    if p.kind == "table":
        return {major: [c for c in form.getlist(f"{name}-{major}") if c in EXAM_CATEGORIES]
                for major in MAJOR_CATEGORIES}
    if not raw or len(raw) > 40:
        errors[name] = "请填写，最多40个字符。"
    return raw


def parse(form) -> tuple[dict, dict[str, str]]:
    """The form as settings values (same shape as ``current``), and the message per refused field."""
    errors: dict[str, str] = {}
    values = {"routes": {r.code: form.get(f"route-{r.code}") == "1" for r in CLOSABLE}, "rules": {}}
    for rule in RULES:
        if rule.switchable or rule.params:
            values["rules"][rule.id] = {"on": form.get(f"rule-{rule.id}-on") == "1" if rule.switchable else True,
                                        **{p.key: _parse_param(rule.id, p, form, errors) for p in rule.params}}
    return values, errors


def changes(before: dict, after: dict) -> dict:
    """Only what differs: {"routes": {code: (old, new)}, "rules": {id: {key: (old, new)}}}."""
    out: dict = {"routes": {}, "rules": {}}
    for code, new in after["routes"].items():
        if before["routes"].get(code) != new:
            out["routes"][code] = (before["routes"].get(code), new)
    for rule, params in after["rules"].items():
        diff = {k: (before["rules"].get(rule, {}).get(k), v) for k, v in params.items()
                if before["rules"].get(rule, {}).get(k) != v}
        if diff:
            out["rules"][rule] = diff
    return {k: v for k, v in out.items() if v}


def save_settings(user, year_id: int, form) -> dict:
    """Check and write the year's settings; returns what changed (empty: nothing). Refuses while the
    registration window is open unless ``confirm`` is ticked (the change applies at once)."""
    year = _year(year_id)
    values, errors = parse(form)
    if errors:
        raise FieldErrors(errors)
    before = current(year_id)
    diff = changes(before, values)
    if not diff:
        return {}
    if window_state(year) == "open" and form.get("confirm") != "1":
        raise FieldErrors({"confirm": f"{year.name}正在网上报名（{window_text(year)}，北京时间）：修改立即影响正在填报"
                                      "和提交的考生。请勾选“确认在报名期间修改”后再保存。"})
    _write(year.id, values)
    audit.record("catalogue.eligibility_settings.changed", actor_type="staff", actor_id=user.id,
                 actor_name=user.username, object_type="exam_years", object_id=year.id,
                 before=_side(diff, 0), after=_side(diff, 1))
    return diff


def _side(diff: dict, i: int) -> dict:
    """One side (0: before, 1: after) of ``changes``' pairs, for the audit entry."""
    return {"routes": {code: pair[i] for code, pair in diff.get("routes", {}).items()},
            "rules": {rule: {k: pair[i] for k, pair in d.items()} for rule, d in diff.get("rules", {}).items()}}


def _write(year_id: int, values: dict) -> None:
    rules = {r.rule: r for r in db.session.scalars(
        db.select(EligibilityRuleSetting).filter_by(exam_year_id=year_id))}
    for rule_id, params in values["rules"].items():
        row = rules.get(rule_id) or EligibilityRuleSetting(exam_year_id=year_id, rule=rule_id)
        row.enabled = params["on"]
        row.params = {k: v for k, v in params.items() if k != "on"}
        db.session.add(row)
    routes = {r.route: r for r in db.session.scalars(
        db.select(EligibilityRouteSetting).filter_by(exam_year_id=year_id))}
    for code, is_open in values["routes"].items():
        row = routes.get(code) or EligibilityRouteSetting(exam_year_id=year_id, route=code)
        row.open = is_open
        db.session.add(row)
