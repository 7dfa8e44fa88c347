"""The back office's home (工作台): the work waiting for a staff member, within their scope, and today's counts.

Each number is one query through core.services.scope, so a 考点审核员 sees their sites' queue and 财务 their
region's refunds, the same rows the lists behind the links show.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from core.db import db, shanghai_to_utc, to_shanghai, utcnow
from core.models import Job, PaymentOrder, Refund, Registration
from core.registration.states import SUBMITTED, UNDER_REVIEW
from core.services import scope


@dataclass(frozen=True)
class Workload:
    to_review: int  # 已提交, waiting for 现场资格审核
    online_to_review: int  # 网上资格审核 cases waiting for a reviewer (待审核, 已补正待复审, 逾期未补正待复审)
    refunds_open: int  # 退费 requested or failed: 财务 to execute
    orders_unconfirmed: int  # 待支付 past their time limit: the next reconciliation settles them
    jobs_running: int  # this user's own background jobs, queued or running
    submitted_today: int  # registrations submitted since 00:00 Beijing time
    paid_today: int  # orders paid since 00:00 Beijing time


def start_of_today(now: datetime | None = None) -> datetime:
    """00:00 today in Asia/Shanghai, as naive UTC (how times are stored)."""
    local = to_shanghai(now or utcnow())
    return shanghai_to_utc(local.replace(hour=0, minute=0, second=0, microsecond=0))


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def workload_of(user, now: datetime | None = None) -> Workload:
    now = now or utcnow()
    today = start_of_today(now)
    regs = select(Registration.id).where(scope.registration_clause(user))
    orders = select(PaymentOrder.id).where(scope.payment_clause(user))
    return Workload(
        to_review=_count(regs.where(Registration.status == SUBMITTED, Registration.online_review.is_(False))),
        online_to_review=_count(regs.where(Registration.status.in_(UNDER_REVIEW), Registration.online_review)),
        refunds_open=_count(select(Refund.id).where(Refund.status.in_(("requested", "failed")),
                                                    Refund.order_id.in_(orders))),
        orders_unconfirmed=_count(orders.where(PaymentOrder.status == "pending", PaymentOrder.expires_at <= now)),
        jobs_running=_count(select(Job.id).where(Job.owner_type == "staff", Job.owner_id == user.id,
                                                 Job.state.in_(("queued", "running")))),
        submitted_today=_count(regs.where(Registration.submitted_at >= today)),
        paid_today=_count(orders.where(PaymentOrder.status.in_(("paid", "refund_pending", "refunded")),
                                       PaymentOrder.paid_at >= today)),
    )
