"""`privacy retention`: the retention schedule (core/privacy/retention.py) from cron, where no Celery beat runs."""
from __future__ import annotations

import click

from commands.errors import OperatorGroup
from core.db import db
from core.privacy import retention
from core.services import audit

privacy_cli = OperatorGroup("privacy", help="个人信息保护")


@privacy_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="只统计到期数量，不删除、不修改")
def privacy_retention(dry_run: bool) -> None:
    """Delete or de-identify what the retention schedule says has expired, in committed batches (a run
    stopped half-way is resumed by the next); with --dry-run only count what is due."""
    counts = retention.due_counts() if dry_run else retention.enforce()
    if not dry_run:
        audit.record("privacy.retention.enforced", actor_type="system", after=counts)
        db.session.commit()
    for key, n in counts.items():
        kind = retention.SCHEDULE[key]
        verb = "到期" if dry_run or kind.apply is None else retention.ACTIONS[kind.action]
        click.echo(f"{kind.label}（{kind.period_text}）：{verb} {n} 条")
