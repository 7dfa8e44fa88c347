"""报考资格: the eligibility rules R1-R11 (docs/domain.md), one home for the portal and the back office.

- ``facts``: what the rules look at (plain values, no database); ``Finding``.
- ``rules``: one function per rule; ``routes``: 报考途径, open or closed per year; ``majors``: R7's
  专业类别 and its default table.
- ``table``: the rules as a table (facts read, wizard step, route, parameters, what the switch does),
  ``RuleSettings`` and the loop ``evaluate``.
- ``reading``: a registration's facts and its verdict (``check``), from the database; ``year_settings``: the
  year's settings, kept in the process under the year's ``settings_key``.

The rules are data per exam year: an ``EligibilityRuleSetting`` row switches a rule's check on or off and
carries its parameters; an ``EligibilityRouteSetting`` row opens or closes a route. The wizard shows the
findings from their step on and refuses the 教育经历 and 选择证书 steps while a finding of the step blocks;
submission refuses while any blocking finding remains; a reviewer sees the same verdict.
"""
from core.eligibility.facts import (APPRENTICE_ROUTE, LEVEL_ORDER, CertificateFact, EducationFact, Facts,
                                    Finding, TrainingFact, months_between)
from core.eligibility.reading import chosen_ids, check, education_label, entry_rows, facts_for, needs_certificate
from core.eligibility.routes import ROUTES, route_of
from core.eligibility.table import (DEFAULTS, RULES, Rule, RuleSettings, blocking, certificate_required,
                                    evaluate)
from core.eligibility.year_settings import settings_and_review_mode, settings_for

__all__ = ["APPRENTICE_ROUTE", "LEVEL_ORDER", "CertificateFact", "EducationFact", "Facts", "Finding",
           "TrainingFact", "months_between", "chosen_ids", "check", "education_label", "entry_rows", "facts_for",
           "needs_certificate", "settings_and_review_mode", "settings_for", "ROUTES", "route_of", "DEFAULTS",
           "RULES", "Rule", "RuleSettings", "blocking", "certificate_required", "evaluate"]
