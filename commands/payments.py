"""`payments reconcile` and `payments expire` (网上缴费; run them from cron without Celery beat)."""
from __future__ import annotations

import click

from commands.errors import OperatorGroup
from core.payments.service import expire_unpaid, reconcile

payments_cli = OperatorGroup("payments", help="网上缴费：对账与逾期处理")


@payments_cli.command("reconcile")
def reconcile_command() -> None:
    """Ask the gateway about orders pending too long: confirm the paid ones, close the unpaid ones."""
    counts = reconcile()
    click.echo(f"对账完成：确认已缴费 {counts['paid']} 笔，关闭未支付 {counts['closed']} 笔，"
               f"仍待确认 {counts['pending']} 笔，网关无应答 {counts['error']} 笔。")


@payments_cli.command("expire")
def expire_command() -> None:
    """Expire registrations unpaid after their region's payment deadline, releasing their seats."""
    click.echo(f"逾期未缴费处理完成：{expire_unpaid()} 条报名已失效，考位已释放。")
