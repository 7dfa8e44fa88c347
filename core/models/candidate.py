"""The candidate (考生): account, fixed basic info, contact, work situation, photo, entries."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String,
                        UniqueConstraint, case, exists)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from core.db import Model
from core.models.base import Timestamps, one_of
from core.models.registration import Registration, RegistrationEntry
from core.registration.states import SUBMITTED_LIVE

DOC_TYPES = {
    "id_card": "居民身份证",
    "residence_permit": "港澳台居民居住证",
    "hk_macau_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "passport": "护照",
}
SEXES = {"M": "男", "F": "女"}
MILITARY = {"civilian": "非现役军人", "active": "现役军人"}
EMPLOYMENT = ("在岗", "待业", "离退休", "当年毕业研究生", "其他")


class Candidate(Timestamps, Model):
    """A candidate account. Never a Flask-AppBuilder user."""

    __tablename__ = "candidates"
    __table_args__ = (
        UniqueConstraint("doc_type", "doc_number", name="uq_candidate_document"),
        one_of("doc_type", tuple(DOC_TYPES), "ck_candidate_doc_type"),
        one_of("sex", tuple(SEXES), "ck_candidate_sex"),
        one_of("military_identity", tuple(MILITARY), "ck_candidate_military"),
        CheckConstraint("failed_logins >= 0", name="ck_candidate_failed_logins"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # account
    username: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    recovery_question: Mapped[str | None] = mapped_column(String(60))
    recovery_answer_hash: Mapped[str | None] = mapped_column(String(256))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    recovery_failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    recovery_locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # 基本信息: fixed at registration; only staff correct it
    name: Mapped[str] = mapped_column(String(28), nullable=False, index=True)
    sex: Mapped[str] = mapped_column(String(1), nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    doc_type: Mapped[str] = mapped_column(String(20), nullable=False)
    doc_number: Mapped[str] = mapped_column(String(32), nullable=False)
    nationality: Mapped[str] = mapped_column(String(40), nullable=False, default="中国")
    ethnic_group: Mapped[str | None] = mapped_column(String(20))
    permit_number: Mapped[str | None] = mapped_column(String(20))  # 往来大陆通行证 (R9)
    military_identity: Mapped[str] = mapped_column(String(10), nullable=False, default="civilian")
    # 联系方式
    mobile: Mapped[str | None] = mapped_column(String(11))
    email: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(6))
    # verified with a one-time code (core/services/contact_codes.py); cleared when the value changes
    mobile_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    # the one pending code of the account (a new one replaces it): HMAC, channel, purpose, expiry, wrong tries
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_channel: Mapped[str | None] = mapped_column(String(5))  # sms / email
    code_purpose: Mapped[str | None] = mapped_column(String(8))  # verify / recover
    code_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    code_tries: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # 工作情况
    work_unit_id: Mapped[int | None] = mapped_column(ForeignKey("work_units.id"))
    work_unit_name: Mapped[str | None] = mapped_column(String(100))
    work_unit_manual: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    department: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str | None] = mapped_column(String(40))  # 职称
    title_date: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM
    post: Mapped[str | None] = mapped_column(String(40))  # 职务
    employment_status: Mapped[str | None] = mapped_column(String(10))  # 在岗情况
    practice_start: Mapped[str | None] = mapped_column(String(7))  # 试用期/执业起始 YYYY-MM
    # 照片: a re-encoded JPEG stored outside the web root
    photo_path: Mapped[str | None] = mapped_column(String(200), index=True)  # `photos prune` looks files up
    photo_uploaded_at: Mapped[datetime | None] = mapped_column(DateTime)
    profile_completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # 注销 (core/privacy/closure.py): the row stays for what must be kept, its personal fields cleared
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    deidentified_at: Mapped[datetime | None] = mapped_column(DateTime)

    educations: Mapped[list["Education"]] = relationship(back_populates="candidate",
                                                        order_by="Education.start_ym")
    trainings: Mapped[list["Training"]] = relationship(back_populates="candidate",
                                                      order_by="Training.start_ym")
    certificates: Mapped[list["Certificate"]] = relationship(back_populates="candidate",
                                                            order_by="Certificate.issue_ym")

    @property
    def is_hk_macau_taiwan(self) -> bool:
        return self.doc_type in ("residence_permit", "hk_macau_permit", "taiwan_permit")

    def __str__(self) -> str:
        return self.name


class CandidateSession(Model):
    """A server-side candidate login: the cookie holds a random token, the table its hash.

    A new row (new session id) at every login; logout or an idle timeout ends it on every server.
    """

    __tablename__ = "candidate_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    ip: Mapped[str | None] = mapped_column(String(45))


ENTRY_STATE_LABELS = {"editable": "可修改", "locked": "已锁定", "verified": "已验证"}


class EntryMixin(Timestamps):
    """教育经历 / 培训经历 / 证书情况 share a life cycle, shown by ``state``, which is derived, never stored:

    - ``verified`` (对勾): a reviewer ticked it (``verified_at``): trusted for later exams, never editable again;
    - ``locked`` (锁定): a live submitted registration uses it (``in_use``, from registration_entries), until
      that registration ends (放弃报考, 审核不通过, 逾期未缴费): nothing has to remember to unlock it;
    - ``editable`` otherwise.
    """

    verified_at: Mapped[datetime | None] = mapped_column(DateTime)

    @hybrid_property
    def state(self) -> str:
        return "verified" if self.verified_at is not None else "locked" if self.in_use else "editable"

    @state.inplace.expression
    @classmethod
    def _state_sql(cls):
        return case((cls.verified_at.is_not(None), "verified"), (cls.in_use, "locked"), else_="editable")

    @property
    def editable(self) -> bool:
        return self.state == "editable"


EDUCATION_LEVELS = ("中专", "专科", "本科", "硕士研究生", "博士研究生")
APPRENTICE_MODES = ("师承", "确有专长")  # no diploma level: the entry records the 出师证 / 确有专长证明
STUDY_MODES = ("全日制", "非全日制", "成人教育", "自学考试", "网络教育", *APPRENTICE_MODES)
# The coarse 专业类别 chosen by hand before the majors dictionary (migration 0009e); kept, no longer asked.
LEGACY_MAJOR_KINDS = ("西医", "中医", "中西医结合", "民族医", "口腔", "公共卫生", "其他")


class Education(EntryMixin, Model):
    __tablename__ = "educations"
    __table_args__ = (
        one_of("level", EDUCATION_LEVELS, "ck_education_level"),
        CheckConstraint("end_ym IS NULL OR end_ym >= start_ym", name="ck_education_dates"),
        CheckConstraint("(level IS NULL) = (study_mode IN ('师承', '确有专长'))",
                        name="ck_education_level_or_apprentice"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), nullable=False, index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    school_name: Mapped[str] = mapped_column(String(100), nullable=False)
    school_manual: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)  # flag for review
    level: Mapped[str | None] = mapped_column(String(10))  # None exactly for 师承 / 确有专长
    study_mode: Mapped[str] = mapped_column(String(10), nullable=False, default="全日制")
    major: Mapped[str] = mapped_column(String(60), nullable=False)  # the name, as the diploma says
    major_id: Mapped[int | None] = mapped_column(ForeignKey("majors.id"))  # chosen from the dictionary
    major_category: Mapped[str | None] = mapped_column(String(20))  # R7's 专业类别, from the dictionary
    major_manual: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)  # typed: for review
    major_unconfirmed: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)  # 0009e: confirm
    major_kind: Mapped[str | None] = mapped_column(String(10))  # legacy 专业类别 (LEGACY_MAJOR_KINDS)
    apprentice_certificate: Mapped[str | None] = mapped_column(String(40))  # 出师证 / 确有专长证明编号
    start_ym: Mapped[str] = mapped_column(String(7), nullable=False)
    end_ym: Mapped[str | None] = mapped_column(String(7))
    diploma_number: Mapped[str | None] = mapped_column(String(40))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    candidate: Mapped[Candidate] = relationship(back_populates="educations")


class Training(EntryMixin, Model):
    __tablename__ = "trainings"
    __table_args__ = (
        CheckConstraint("end_ym IS NULL OR end_ym >= start_ym", name="ck_training_dates"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), nullable=False, index=True)
    training_type_id: Mapped[int] = mapped_column(ForeignKey("training_types.id"), nullable=False)
    institution: Mapped[str] = mapped_column(String(100), nullable=False)  # 培训基地
    major: Mapped[str | None] = mapped_column(String(60))
    start_ym: Mapped[str] = mapped_column(String(7), nullable=False)
    end_ym: Mapped[str | None] = mapped_column(String(7))
    certificate_number: Mapped[str | None] = mapped_column(String(40))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    candidate: Mapped[Candidate] = relationship(back_populates="trainings")
    training_type: Mapped["TrainingType"] = relationship()  # noqa: F821


class Certificate(EntryMixin, Model):
    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("reg_ym IS NULL OR reg_ym >= issue_ym", name="ck_certificate_dates"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), nullable=False, index=True)
    certificate_type_id: Mapped[int] = mapped_column(ForeignKey("certificate_types.id"), nullable=False)
    issue_ym: Mapped[str] = mapped_column(String(7), nullable=False)  # 发证年月
    cert_number: Mapped[str] = mapped_column(String(40), nullable=False)  # 证书编号
    reg_ym: Mapped[str | None] = mapped_column(String(7))  # 注册年月 (执业证书)
    reg_number: Mapped[str | None] = mapped_column(String(40))  # 注册编号 (执业证书)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    candidate: Mapped[Candidate] = relationship(back_populates="certificates")
    certificate_type: Mapped["CertificateType"] = relationship()  # noqa: F821


# The three kinds of entry, by the key forms, drafts and registration_entries use (``<kind>_id``).
ENTRY_MODELS: dict[str, type[EntryMixin]] = {"education": Education, "training": Training, "certificate": Certificate}
ENTRY_LABELS = {"education": "教育经历", "training": "培训经历", "certificate": "证书情况"}


def _in_use(model, column):
    """Used by a live submitted registration (the entries recorded at 提交, core.services.entries)."""
    return column_property(
        exists().where(column == model.id, RegistrationEntry.registration_id == Registration.id,
                       Registration.status.in_(SUBMITTED_LIVE))
        .correlate_except(RegistrationEntry, Registration))


for _kind, _model in ENTRY_MODELS.items():
    _model.in_use = _in_use(_model, getattr(RegistrationEntry, f"{_kind}_id"))
