"""A registration's states (报名状态), their Chinese labels, and the groups the rest of the code asks about.

The transitions between them, and what each one does, are in ``core.registration.lifecycle``.
"""
from __future__ import annotations

DRAFT, SUBMITTED, APPROVED = "draft", "submitted", "approved"
REJECTED, ABANDONED, EXPIRED = "rejected", "abandoned", "expired"

STATUSES = (DRAFT, SUBMITTED, APPROVED, REJECTED, ABANDONED, EXPIRED)
STATUS_LABELS = {DRAFT: "填报中", SUBMITTED: "已提交", APPROVED: "审核通过",
                 REJECTED: "审核未通过", ABANDONED: "已放弃", EXPIRED: "逾期未缴费"}

LIVE = (DRAFT, SUBMITTED, APPROVED)  # at most one per candidate and exam year (uq_registration_live)
SUBMITTED_LIVE = (SUBMITTED, APPROVED)  # holds a seat, a number and locked entries
PAYABLE = SUBMITTED_LIVE  # 缴费 is offered (and a late payment is kept) only in these
PRINTABLE = SUBMITTED_LIVE  # 打印申请表
REVIEWABLE = SUBMITTED_LIVE  # a reviewer may verify the entries it uses
ENDED = (REJECTED, ABANDONED, EXPIRED)  # no longer live: seat released, entries unlocked

# SQL text of LIVE for the partial unique index (migrations name it literally)
LIVE_SQL = "status IN ('draft', 'submitted', 'approved')"


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status)
