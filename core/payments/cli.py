"""Operator commands: `flask --app wsgi payments reconcile` and `payments expire` (run them from cron)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from core.cli import clear_errors

payments_cli = AppGroup("payments", help="网上缴费：对账与逾期处理")


@payments_cli.command("reconcile")
@clear_errors
def reconcile_command() -> None:
    """Ask the gateway about orders pending too long: confirm the paid ones, close the unpaid ones."""
    from core.payments.service import reconcile
    counts = reconcile()
    click.echo(f"对账完成：确认已缴费 {counts['paid']} 笔，关闭未支付 {counts['closed']} 笔，"
               f"仍待确认 {counts['pending']} 笔，网关无应答 {counts['error']} 笔。")


@payments_cli.command("expire")
@clear_errors
def expire_command() -> None:
    """Expire registrations unpaid after their region's payment deadline, releasing their seats."""
    from core.payments.service import expire_unpaid
    click.echo(f"逾期未缴费处理完成：{expire_unpaid()} 条报名已失效，考位已释放。")
