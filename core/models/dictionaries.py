"""Dictionaries (字典): schools, work units, training and certificate types, ethnic groups."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Model
from core.models.base import Named, Timestamps


class School(Timestamps, Model):
    """An institution from the Ministry of Education's list (or the demo dictionary)."""

    __tablename__ = "schools"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True, nullable=False)  # 10 digits, text
    name: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    province: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(40))
    department: Mapped[str | None] = mapped_column(String(60))  # 主管部门
    level: Mapped[str | None] = mapped_column(String(10))  # 本科 / 专科 / 成人
    remark: Mapped[str | None] = mapped_column(String(40))
    initials: Mapped[str] = mapped_column(String(100), nullable=False, index=True)

    def __repr__(self) -> str:
        return f"<School {self.code} {self.name}>"


class Major(Timestamps, Model):
    """专业: a major of the Ministry's catalogues (本科, 高职专科) or the degree catalogue (研究生).

    ``category`` is R7's 专业类别 (core/eligibility/majors.py), which decides the exam categories a diploma
    in this major may take (the year's table); ``ministry_class`` is the catalogue's own 专业类.
    """

    __tablename__ = "majors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True, nullable=False)  # 100301K, 520102K
    name: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    level: Mapped[str] = mapped_column(String(10), nullable=False)  # 本科 / 专科 / 研究生
    ministry_class: Mapped[str | None] = mapped_column(String(40))  # 1003 口腔医学类
    category: Mapped[str] = mapped_column(String(20), nullable=False)  # R7's 专业类别
    edition: Mapped[str | None] = mapped_column(String(40))  # the catalogue and its year
    initials: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)  # 停用: no longer offered

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class WorkUnit(Timestamps, Model):
    """A hospital or other work unit, chosen in the 工作单位 picker."""

    __tablename__ = "work_units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    licence_code: Mapped[str | None] = mapped_column(String(40), unique=True)  # 执业许可证登记号
    initials: Mapped[str] = mapped_column(String(100), nullable=False, index=True)


class TrainingType(Named, Model):
    __tablename__ = "training_types"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    # Only 住院医师规范化培训 is selected for the physician exam (rule R10).
    selectable_for_physician: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class CertificateType(Named, Model):
    __tablename__ = "certificate_types"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    # 执业助理医师 qualifies a 中专 graduate for a 执业医师 subject; 执业助理医师（乡镇） does not (R3).
    qualifies_assistant: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class EthnicGroup(Named, Model):
    __tablename__ = "ethnic_groups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True, nullable=False)  # GB 3304
    name: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)


class PinyinException(Model):
    """A phrase whose pinyin initials pypinyin gets wrong (长治 -> cz), editable in the back office."""

    __tablename__ = "pinyin_exceptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phrase: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    initials: Mapped[str] = mapped_column(String(20), nullable=False)
