"""`photos prune`: photo files no row names any more."""
from __future__ import annotations

from datetime import timedelta

import click

from commands.errors import OperatorGroup
from core.services.photos import prune_profile_photos
from core.services.snapshot import prune_frozen_photos

photos_cli = OperatorGroup("photos", help="照片文件维护")


@photos_cli.command("prune")
@click.option("--older-than-minutes", type=click.IntRange(min=10), default=60, show_default=True,
              help="只删除早于这么多分钟写入的文件（至少10分钟：正在提交的报名、正在上传的照片不受影响）")
@click.option("--dry-run", is_flag=True, help="只统计，不删除")
def photos_prune(older_than_minutes: int, dry_run: bool) -> None:
    """Delete photo files no row names any more, once older than the limit: frozen copies (frozen/) no
    registration's snapshot names (a killed submission) and profile photos (<2 hex>/<32 hex>.jpg) no
    candidate's photo_path names (a killed upload, two tabs uploading at once). Nothing else is touched.
    """
    age, done = timedelta(minutes=older_than_minutes), "演练（未删除）：可删除" if dry_run else "已删除"
    files, size = prune_frozen_photos(age, dry_run=dry_run)
    click.echo(f"{done}无报名引用的冻结照片 {files} 个，共 {size} 字节。")
    files, size = prune_profile_photos(age, dry_run=dry_run)
    click.echo(f"{done}无考生引用的个人照片 {files} 个，共 {size} 字节。")
