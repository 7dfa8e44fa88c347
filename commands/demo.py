"""`demo load`: the demonstration data (core/demo.py), then the logins to try it with."""
from __future__ import annotations

import click

from commands.errors import OperatorGroup
from core.data.demo_people import BACKOFFICE_URL, CANDIDATE_PASSWORD, CANDIDATES, PORTAL_URL, STAFF
from core.demo import load_demo

demo_cli = OperatorGroup("demo", help="演示数据")


@demo_cli.command("load")
@click.option("--port", type=int, default=5000, show_default=True, help="打印的登录地址所用端口（scripts/run-demo.sh 传入 PORT）")
def load_command(port: int) -> None:
    """加载演示数据（可重复运行：已有的记录原地更新，不会重复新增）。"""
    done = load_demo()
    added = sum(len(u.added) for u in done.values())
    updated = sum(len(u.changed) for u in done.values())
    sizes = "，".join(f"{label} {len(u.loaded)}" for label, u in done.items())
    if added:
        click.echo(f"演示数据已加载：新增 {added} 条，更新 {updated} 条（{sizes}）。")
    else:
        click.echo(f"演示数据已存在：本次没有新增任何记录，原地更新 {updated} 条（{sizes}）。")
    _print_logins(port)


def _print_logins(port: int) -> None:
    click.echo(f"\n考生门户：{PORTAL_URL.format(port=port)}\n考务管理后台：{BACKOFFICE_URL.format(port=port)}\n\n"
               "后台账号（用户名 / 密码 / 角色 / 范围）：")
    for username, password, role, scope, first, _last in STAFF:
        where = "全国" if scope is None else first
        click.echo(f"  {username:<14}{password:<21}{role}{'　' * (6 - len(role))}{where}")
    click.echo(f"\n考生账号（密码均为 {CANDIDATE_PASSWORD}）：")
    for spec in CANDIDATES:
        click.echo(f"  {spec['username']:<14}{spec['name']}")
