"""`majors load`: the default majors dictionary (core/data/majors.py, Ministry catalogue codes)."""
from __future__ import annotations

import click

from commands.errors import OperatorGroup
from core.services.majors import load_default_majors

majors_cli = OperatorGroup("majors", help="专业字典")


@majors_cli.command("load")
def load_command() -> None:
    """载入默认专业字典（本科、高职专科、研究生的医学专业），按专业代码新增或更新。"""
    counts = load_default_majors()
    click.echo(f"专业字典已载入：新增 {counts['added']} 个，更新 {counts['updated']} 个，未变 {counts['unchanged']} 个"
               "（added / updated / unchanged）。")
