"""`notify deliver`: deliver the messages due now (cron or the demo's loop, when Celery beat does not run)."""
from __future__ import annotations

import click

from commands.errors import OperatorGroup
from core.notify import delivery

notify_cli = OperatorGroup("notify", help="通知发送")


@notify_cli.command("deliver")
def notify_deliver() -> None:
    """Send every e-mail and SMS due now (retries included); failed ones stay for staff to resend."""
    click.echo(f"已发送 {delivery.deliver_due()} 条通知。")
