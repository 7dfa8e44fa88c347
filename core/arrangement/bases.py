"""实践技能基地: which site's rooms a site's candidates sit 实践技能 in (``sites.skills_base_id``).

The 考区 sets it for the sites of its own region (back office 考点). The base must be a site of the same region
marked 可承担实践技能 (``sites.hosts_skills``) that names no base itself; a site that is the base of others
names none. Empty (or the site itself): the site's own rooms. The change is audited with the site's edit.
"""
from __future__ import annotations

from sqlalchemy import exists, select

from core.db import db
from core.models import Site
from core.services.errors import DomainError

OTHER_REGION = "实践技能基地须为本考区的考点。"
NOT_A_BASE = "该考点未标记为“可承担实践技能”，不能作为实践技能基地。"
CHAINED = "该考点本身指定了其他实践技能基地，不能作为基地。"
STILL_A_BASE = "其他考点以本考点为实践技能基地，不能取消“可承担实践技能”；请先为这些考点改选基地。"
IS_A_BASE = "本考点已是其他考点的实践技能基地，不能再指定其他基地。"


def check_skills_base(site_id: int | None, region_id: int | None, base: Site | None) -> None:
    """Refuse a base the rules above do not allow (``DomainError`` on the field ``skills_base``)."""
    if base is None or (site_id is not None and base.id == site_id):
        return
    if base.region_id != region_id:
        raise DomainError(OTHER_REGION, field="skills_base")
    if not base.hosts_skills:
        raise DomainError(NOT_A_BASE, field="skills_base")
    if base.skills_base_id is not None:
        raise DomainError(CHAINED, field="skills_base")
    if site_id is not None and db.session.scalar(select(exists().where(Site.skills_base_id == site_id,
                                                                       Site.id != site_id))):
        raise DomainError(IS_A_BASE, field="skills_base")


def check_still_a_base(site_id: int | None, hosts_skills: bool) -> None:
    """A site other sites name as their base keeps 可承担实践技能 (or they would point at a non-base)."""
    if site_id is not None and not hosts_skills and db.session.scalar(select(exists().where(
            Site.skills_base_id == site_id, Site.id != site_id))):
        raise DomainError(STILL_A_BASE, field="hosts_skills")
