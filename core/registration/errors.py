"""Refusals of a registration the candidate can act on (messages in Chinese, shown next to the field)."""
from __future__ import annotations

from core.messages import Msg
from core.services.errors import DomainError


class RegistrationError(DomainError):
    """A registration refused for a reason the candidate can act on."""


class WindowClosed(RegistrationError):
    """The exam year's registration window (网上报名期间) is not open now."""


class SiteFull(RegistrationError):
    """The chosen test site has no seat left."""

    @classmethod
    def at(cls, site) -> SiteFull:
        return cls(Msg("考点“%(site)s”刚刚已报满，请在“选择考区及考点”中选择其他考点；您填写的报名信息已保存。",
                       site=site.name), "site_id")


class NotEligible(RegistrationError):
    """Submission refused by the eligibility rules; ``findings`` lists every reason."""

    def __init__(self, findings: list):  # core.eligibility.Finding
        super().__init__("；".join(f.message.rstrip("。") for f in findings) + "。")
        self.findings = findings


class Incomplete(RegistrationError):
    """A step of the wizard still lacks something required."""

    def __init__(self, message: str, step: str, field: str | None = None):
        super().__init__(message, field)
        self.step = step


class StepRefused(Incomplete):
    """A step refused by the eligibility findings of that step: the first is shown beside the field,
    ``findings`` lists them all."""

    def __init__(self, findings: list, step: str, field: str):  # core.eligibility.Finding
        super().__init__(findings[0].message, step, field)
        self.findings = findings


class AlreadyRegistered(RegistrationError):
    """The candidate already has a live registration for this exam year."""


class StaleState(RegistrationError):
    """The registration is no longer in a state the transition starts from (another tab, another
    reviewer, a job): nothing was changed."""


class DocumentsMissing(RegistrationError):
    """网上资格审核: submission refused while a required document is missing; the message names them."""

    def __init__(self, labels: list[str]):
        super().__init__(Msg("本考区实行网上资格审核，提交前请上传以下材料：%(names)s。", names="、".join(labels)),
                         "document")
        self.labels = labels
