"""`schools import PATH`: the Ministry of Education's list of institutions (core/schools_import.py)."""
from __future__ import annotations

from pathlib import Path

import click

from commands.errors import OperatorGroup
from core.schools_import import read_schools, upsert_schools

schools_cli = OperatorGroup("schools", help="院校字典")


@schools_cli.command("import")
@click.argument("path")
def import_command(path: str) -> None:
    """导入教育部高等学校名单（.xls / .xlsx / .json），按学校标识码新增或更新。"""
    counts = upsert_schools(read_schools(path))
    click.echo(f"院校字典已导入 {Path(path).name}：新增 {counts['added']} 所，更新 {counts['updated']} 所，"
               f"未变 {counts['unchanged']} 所（added / updated / unchanged）。")
