"""The exam catalogue: families, years and windows, subjects, rule settings, regions, sites, fees."""
from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String,
                        Text, UniqueConstraint, false)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Model
from core.models.base import JSONType, Named, one_of


def new_settings_key() -> str:
    return secrets.token_hex(8)


class ExamFamily(Named, Model):
    """考试 e.g. 医师资格考试."""

    __tablename__ = "exam_families"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(40), nullable=False)


class ExamYear(Named, Model):
    """One year's edition of an exam family, with its registration window (stored UTC)."""

    __tablename__ = "exam_years"
    __table_args__ = (
        UniqueConstraint("family_id", "year", name="uq_exam_year_family_year"),
        CheckConstraint("window_closes_at > window_opens_at", name="ck_exam_year_window"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("exam_families.id"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    window_opens_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    window_closes_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    cutoff_date: Mapped[date] = mapped_column(Date, nullable=False)  # 计算工作年限的截止日期
    # new with every change of the year's rules, routes or review modes (core/eligibility/year_settings.py)
    settings_key: Mapped[str] = mapped_column(String(16), nullable=False, default=new_settings_key)

    family: Mapped[ExamFamily] = relationship()
    subjects: Mapped[list["ExamSubject"]] = relationship(back_populates="exam_year")
    rule_settings: Mapped[list["EligibilityRuleSetting"]] = relationship(back_populates="exam_year")
    route_settings: Mapped[list["EligibilityRouteSetting"]] = relationship(back_populates="exam_year")


LEVELS = ("执业医师", "执业助理医师")
ROUTES = ("学历", "师承或确有专长")


class ExamSubject(Model):
    """报考类别: category x level (x route), with its code for that year."""

    __tablename__ = "exam_subjects"
    __table_args__ = (
        UniqueConstraint("exam_year_id", "code", name="uq_subject_year_code"),
        one_of("level", LEVELS, "ck_subject_level"),
        one_of("route", ROUTES, "ck_subject_route"),
        CheckConstraint("written_units > 0", name="ck_subject_units"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exam_year_id: Mapped[int] = mapped_column(ForeignKey("exam_years.id"), nullable=False)
    code: Mapped[str] = mapped_column(String(8), nullable=False)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    category: Mapped[str] = mapped_column(String(20), nullable=False)  # 临床 口腔 公共卫生 中医 ...
    subcategory: Mapped[str | None] = mapped_column(String(20))  # 中医 中西医结合 蒙医 ...
    level: Mapped[str] = mapped_column(String(10), nullable=False)
    route: Mapped[str] = mapped_column(String(10), nullable=False, default="学历")
    written_units: Mapped[int] = mapped_column(Integer, nullable=False)  # 执业 4, 助理 2
    extra_units: Mapped[str | None] = mapped_column(String(40))  # e.g. 军事医学 (for 现役军人)

    exam_year: Mapped[ExamYear] = relationship(back_populates="subjects")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EligibilityRuleSetting(Model):
    """Per exam year: whether a rule's check (R1-R11) applies, and its parameters (years of practice ...).

    A route's own conditions (core.eligibility.table, ``Rule.condition``) apply whatever ``enabled`` says.
    """

    __tablename__ = "eligibility_rule_settings"
    __table_args__ = (UniqueConstraint("exam_year_id", "rule", name="uq_rule_year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exam_year_id: Mapped[int] = mapped_column(ForeignKey("exam_years.id"), nullable=False)
    rule: Mapped[str] = mapped_column(String(8), nullable=False)  # R1 ... R10
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    params: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)

    exam_year: Mapped[ExamYear] = relationship(back_populates="rule_settings")


class EligibilityRouteSetting(Model):
    """Per exam year: whether a route (core.eligibility.routes, e.g. 中专学历报考执业医师) is open.

    A missing row means open; closing refuses the route with a sentence naming the year.
    """

    __tablename__ = "eligibility_route_settings"
    __table_args__ = (UniqueConstraint("exam_year_id", "route", name="uq_route_year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exam_year_id: Mapped[int] = mapped_column(ForeignKey("exam_years.id"), nullable=False)
    route: Mapped[str] = mapped_column(String(30), nullable=False)
    open: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    exam_year: Mapped[ExamYear] = relationship(back_populates="route_settings")


class Region(Named, Model):
    """考区, usually a province."""

    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True, nullable=False)  # GB/T 2260
    name: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    online_payment_open: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    payment_deadline: Mapped[datetime | None] = mapped_column(DateTime)  # UTC
    fee_collection_note: Mapped[str | None] = mapped_column(Text)  # how fees are paid otherwise

    sites: Mapped[list["Site"]] = relationship(back_populates="region", order_by="Site.code")



class Site(Named, Model):
    """考点 with its seat capacity. `taken` only ever moves through core.services.seats."""

    __tablename__ = "sites"
    __table_args__ = (
        CheckConstraint("taken <= capacity", name="ck_site_taken_le_capacity"),
        CheckConstraint("taken >= 0", name="ck_site_taken_nonneg"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(8), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(40), nullable=False)
    address: Mapped[str | None] = mapped_column(String(120))
    capacity: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    taken: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # 实践技能基地 where this site's candidates sit 实践技能 (a site of the same region); None: the site itself
    skills_base_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", name="fk_sites_skills_base"))
    # 可承担实践技能: the site may be named as a 实践技能基地 (core/arrangement/bases.py)
    hosts_skills: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())

    region: Mapped[Region] = relationship(back_populates="sites")
    skills_base: Mapped["Site | None"] = relationship(remote_side=[id])

    @hybrid_property
    def seats_left(self) -> int:
        """剩余名额; also a SQL expression, so that the back office can sort 考点 by it."""
        return self.capacity - self.taken



FEE_ITEMS = ("registration", "skills", "written_unit")
FEE_ITEM_LABELS = {"registration": "报名费", "skills": "实践技能考试费", "written_unit": "医学综合笔试费（每单元）"}


class Fee(Model):
    """Fee schedule: region x subject x item, in integer fen (分)."""

    __tablename__ = "fees"
    __table_args__ = (
        UniqueConstraint("region_id", "subject_id", "item", name="uq_fee_region_subject_item"),
        one_of("item", FEE_ITEMS, "ck_fee_item"),
        CheckConstraint("amount_fen >= 0", name="ck_fee_amount_nonneg"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), nullable=False)
    subject_id: Mapped[int] = mapped_column(ForeignKey("exam_subjects.id"), nullable=False)
    item: Mapped[str] = mapped_column(String(16), nullable=False)
    amount_fen: Mapped[int] = mapped_column(Integer, nullable=False)
