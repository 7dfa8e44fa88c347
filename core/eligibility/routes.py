"""报考途径: the ways into a level (中专 → 执业医师, 师承或确有专长 …), each opened or closed per exam year.

A route is not a rule: closing it refuses it with a sentence naming the year, whatever the rules'
switches say, and the rules of a route (its conditions) apply only while it is open. Switching a rule's
check off (``table.RULES``) never opens a closed route nor removes the conditions a route cannot do
without. docs/domain.md: "A route being open or closed for a year is its own setting".
"""
from __future__ import annotations

from dataclasses import dataclass

from core.eligibility.facts import APPRENTICE_ROUTE, Facts

PHYSICIAN, ASSISTANT = "执业医师", "执业助理医师"


@dataclass(frozen=True)
class Route:
    code: str
    label: str  # 中专学历报考执业医师
    hint: str  # what the candidate can do instead when it is closed
    closable: bool = True  # the back office offers the switch


ROUTES = (
    Route("physician_degree", "本科及以上学历报考执业医师", "", closable=False),
    Route("physician_college", "专科学历报考执业医师",
          "请改选执业助理医师类别，或勾选本科及以上学历的教育经历。"),
    Route("physician_secondary", "中专学历报考执业医师",
          "请改选执业助理医师类别，或勾选专科及以上学历的教育经历。"),
    Route("assistant_college", "专科及以上学历报考执业助理医师", "", closable=False),
    Route("assistant_secondary", "中专学历报考执业助理医师", "请勾选专科及以上学历的教育经历。"),
    Route("apprentice", "师承或确有专长人员报考", "请改选以学历报考的类别，并勾选相应的教育经历。"),
)
BY_CODE = {r.code: r for r in ROUTES}
CLOSABLE = tuple(r for r in ROUTES if r.closable)


def route_of(facts: Facts) -> Route | None:
    """The route the registration takes; None while no education that decides it is ticked."""
    if facts.route == APPRENTICE_ROUTE or any(e.apprentice for e in facts.selected):
        return BY_CODE["apprentice"]
    highest = facts.highest
    if highest is None:
        return None
    if facts.level == PHYSICIAN:
        if highest.level == "中专":
            return BY_CODE["physician_secondary"]
        return BY_CODE["physician_college" if highest.level == "专科" else "physician_degree"]
    if facts.level == ASSISTANT:
        return BY_CODE["assistant_secondary" if highest.level == "中专" else "assistant_college"]
    return None

