"""The scope of a report (数据范围) as a plain value: which regions/sites, and whether full document
numbers may be shown. Exporters, statistics and batch printing take it explicitly, so they can be
tested and run in a background job without a logged-in user; ``for_user`` derives it from
core.services.scope (the one home of the staff-scope rules).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from core.models import Registration, Site
from core.services import scope


@dataclass(frozen=True)
class ReportScope:
    national: bool = False
    region_ids: frozenset[int] = field(default_factory=frozenset)
    site_ids: frozenset[int] = field(default_factory=frozenset)
    full_documents: bool = False  # 证件号码 in full; masked otherwise
    full_contacts: bool | None = None  # 手机号码、电子邮箱、通讯地址 in full; None: as full_documents

    @classmethod
    def everything(cls, full_documents: bool = True) -> "ReportScope":
        return cls(national=True, full_documents=full_documents)

    @classmethod
    def of(cls, region_ids=(), site_ids=(), full_documents: bool = False) -> "ReportScope":
        return cls(False, frozenset(region_ids), frozenset(site_ids), full_documents)

    @classmethod
    def for_user(cls, user) -> "ReportScope":
        s = scope.scope_of(user)
        return cls(s.national, frozenset(s.region_ids), frozenset(s.site_ids),
                   scope.can_see_full_documents(user),
                   # a whole file of contacts only for roles that may see every field of one candidate
                   scope.full_contact_fields(user) == scope.CONTACT_FIELDS)

    def __post_init__(self):
        if self.full_contacts is None:
            object.__setattr__(self, "full_contacts", self.full_documents)

    def registration_clause(self, model=Registration):
        """SQL condition: the registration lies in one of the scope's regions or sites."""
        return scope.in_scope(self, model.region_id, model.site_id)

    def site_clause(self):
        """SQL condition: the site is one of the scope's sites or lies in one of its regions."""
        return scope.in_scope(self, Site.region_id, Site.id)

    def covers_site(self, site) -> bool:
        return self.national or site.id in self.site_ids or site.region_id in self.region_ids
