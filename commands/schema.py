"""`db upgrade|downgrade|current|revision` (Alembic) and `roles sync` (the back office's roles)."""
from __future__ import annotations

from pathlib import Path

import click
import flask_migrate
from flask import current_app

from backoffice.roles import sync_roles
from commands.errors import OperatorGroup

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")

db_cli = OperatorGroup("db", help="数据库结构（Alembic 迁移）")
roles_cli = OperatorGroup("roles", help="后台角色与权限")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create or upgrade the schema, then sync staff roles and permissions."""
    flask_migrate.upgrade(directory=MIGRATIONS_DIR, revision=revision)
    _sync_roles()
    click.echo("数据库已升级到最新版本（schema is up to date）。")


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    flask_migrate.downgrade(directory=MIGRATIONS_DIR, revision=revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """For developers: autogenerate a migration from the models."""
    flask_migrate.migrate(directory=MIGRATIONS_DIR, message=message)


@db_cli.command("current")
def db_current() -> None:
    flask_migrate.current(directory=MIGRATIONS_DIR)


@roles_cli.command("sync")
def roles_sync() -> None:
    _sync_roles()
    click.echo("角色与权限已同步。")


def _sync_roles() -> None:
    """The back office's roles and permissions follow the schema (never synced by each worker at start-up)."""
    sync_roles(current_app.extensions["backoffice"])
