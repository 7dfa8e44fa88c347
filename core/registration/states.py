"""A registration's states (报名状态), their Chinese labels, and the groups the rest of the code asks about.

The transitions between them, and what each one does, are in ``core.registration.lifecycle``.
"""
from __future__ import annotations

DRAFT, SUBMITTED, APPROVED = "draft", "submitted", "approved"
REJECTED, ABANDONED, EXPIRED = "rejected", "abandoned", "expired"
# 网上资格审核 (core/documents): 需补正 asked, 补正 done and resubmitted, the 补正 deadline passed unanswered
CORRECTION, CORRECTED, LAPSED = "correction", "corrected", "lapsed"

STATUSES = (DRAFT, SUBMITTED, APPROVED, REJECTED, ABANDONED, EXPIRED, CORRECTION, CORRECTED, LAPSED)
STATUS_LABELS = {DRAFT: "填报中", SUBMITTED: "已提交", APPROVED: "审核通过",
                 REJECTED: "审核未通过", ABANDONED: "已放弃", EXPIRED: "逾期未缴费",
                 CORRECTION: "待补正", CORRECTED: "已补正待复审", LAPSED: "逾期未补正待复审"}

# at most one per candidate and exam year (uq_registration_live)
LIVE = (DRAFT, SUBMITTED, APPROVED, CORRECTION, CORRECTED, LAPSED)
# holds a seat, a number and locked entries
SUBMITTED_LIVE = (SUBMITTED, APPROVED, CORRECTION, CORRECTED, LAPSED)
UNDER_REVIEW = (SUBMITTED, CORRECTED, LAPSED)  # waiting for a reviewer's decision
PAYABLE = SUBMITTED_LIVE  # 缴费 is offered (and a late payment is kept) only in these
PRINTABLE = SUBMITTED_LIVE  # 打印申请表
REVIEWABLE = SUBMITTED_LIVE  # a reviewer may verify the entries it uses
ENDED = (REJECTED, ABANDONED, EXPIRED)  # no longer live: seat released, entries unlocked

# SQL text of LIVE for the partial unique index (migrations name it literally)
LIVE_SQL = "status IN ('draft', 'submitted', 'approved', 'correction', 'corrected', 'lapsed')"


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status)
