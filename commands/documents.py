"""`documents prune` (stored files no row names) and `documents lapse` (补正 deadlines passed)."""
from __future__ import annotations

from datetime import timedelta

import click

from commands.errors import OperatorGroup
from core.documents.review import lapse_overdue
from core.documents.service import prune_orphans
from core.services.errors import DomainError
from core.storage import StorageUnavailable

documents_cli = OperatorGroup("documents", help="网上资格审核材料维护")


@documents_cli.command("prune")
@click.option("--older-than-minutes", type=click.IntRange(min=10), default=60, show_default=True,
              help="只删除早于这么多分钟写入的文件（至少10分钟：正在上传的材料不受影响）")
@click.option("--dry-run", is_flag=True, help="只统计，不删除")
def documents_prune(older_than_minutes: int, dry_run: bool) -> None:
    """Delete stored document files no document row names (an upload killed between store and commit)."""
    try:
        count = prune_orphans(timedelta(minutes=older_than_minutes), dry_run=dry_run)
    except StorageUnavailable as exc:
        raise DomainError("文件存储服务不可用，未删除任何文件。") from exc
    click.echo(f"{'演练（未删除）：可删除' if dry_run else '已删除'}无记录引用的材料文件 {count} 个。")


@documents_cli.command("lapse")
def documents_lapse() -> None:
    """Cases whose 补正 deadline passed go back to the reviewer as 逾期未补正 (also a Celery beat job)."""
    click.echo(f"逾期未补正处理完成：{lapse_overdue()} 条报名已退回审核人员。")
