"""Operator commands: `flask --app wsgi db upgrade`, `demo load`, `schools import PATH`, `roles sync`,
`photos prune`.

Each failure is one clear sentence on stderr and exit status 1: no traceback, nothing half-written.
"""
from __future__ import annotations

import functools
import sys
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import Migrate
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError, SQLAlchemyError

from core.db import db

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def clear_errors(func):
    """Turn database and input errors into one sentence for the operator."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (ArgumentError, ValueError, ModuleNotFoundError) as exc:
            if isinstance(exc, ArgumentError) or "database" in str(exc).lower():
                _fail(f"DATABASE_URL 无效（invalid database URL）: {_safe_url()}")
            raise
        except (OperationalError, ProgrammingError) as exc:
            if _missing_table(exc):
                _fail("数据库尚未建表（the schema is missing）：请先运行 flask --app wsgi db upgrade。")
            if isinstance(exc, ProgrammingError):
                _fail(f"数据库错误（database error）: {type(exc.orig).__name__}，未写入任何数据。")
            _fail(f"无法连接数据库（database unreachable）: {_safe_url()}；请检查 DATABASE_URL 与数据库服务。")
        except SQLAlchemyError as exc:
            _fail(f"数据库错误（database error）: {type(exc).__name__}，未写入任何数据。")

    return wrapper


def _missing_table(exc: SQLAlchemyError) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def _safe_url() -> str:
    url = current_app.config.get("SQLALCHEMY_DATABASE_URI", "")
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - it is the bad URL itself we are reporting
        return repr(url)


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


db_cli = AppGroup("db", help="数据库结构（Alembic 迁移）")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
@clear_errors
def db_upgrade(revision: str) -> None:
    """Create or upgrade the schema, then sync staff roles and permissions."""
    import flask_migrate
    flask_migrate.upgrade(directory=MIGRATIONS_DIR, revision=revision)
    _run_post_upgrade_hooks()
    click.echo("数据库已升级到最新版本（schema is up to date）。")


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
@clear_errors
def db_downgrade(revision: str) -> None:
    import flask_migrate
    flask_migrate.downgrade(directory=MIGRATIONS_DIR, revision=revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """For developers: autogenerate a migration from the models."""
    import flask_migrate
    flask_migrate.migrate(directory=MIGRATIONS_DIR, message=message)


@db_cli.command("current")
@clear_errors
def db_current() -> None:
    import flask_migrate
    flask_migrate.current(directory=MIGRATIONS_DIR)


roles_cli = AppGroup("roles", help="后台角色与权限")


@roles_cli.command("sync")
@clear_errors
def roles_sync() -> None:
    _run_post_upgrade_hooks()
    click.echo("角色与权限已同步。")


photos_cli = AppGroup("photos", help="照片文件维护")


@photos_cli.command("prune")
@click.option("--older-than-minutes", type=click.IntRange(min=10), default=60, show_default=True,
              help="只删除早于这么多分钟写入的文件（至少10分钟：正在提交的报名、正在上传的照片不受影响）")
@click.option("--dry-run", is_flag=True, help="只统计，不删除")
@clear_errors
def photos_prune(older_than_minutes: int, dry_run: bool) -> None:
    """Delete photo files no row names any more, once older than the limit: frozen copies (frozen/) no
    registration's snapshot names (a killed submission) and profile photos (<2 hex>/<32 hex>.jpg) no
    candidate's photo_path names (a killed upload, two tabs uploading at once). Nothing else is touched.
    """
    from core.services.photos import prune_profile_photos
    from core.services.snapshot import prune_frozen_photos
    age, done = timedelta(minutes=older_than_minutes), "演练（未删除）：可删除" if dry_run else "已删除"
    files, size = prune_frozen_photos(age, dry_run=dry_run)
    click.echo(f"{done}无报名引用的冻结照片 {files} 个，共 {size} 字节。")
    files, size = prune_profile_photos(age, dry_run=dry_run)
    click.echo(f"{done}无考生引用的个人照片 {files} 个，共 {size} 字节。")


def _run_post_upgrade_hooks() -> None:
    """The app registers what must follow a schema upgrade (the back office: roles and permissions)."""
    for hook in current_app.extensions.get("post_upgrade", []):
        hook()


def register_cli(app: Flask) -> None:
    Migrate(app, db, directory=MIGRATIONS_DIR, command="alembic")  # full Alembic CLI for developers
    app.cli.add_command(db_cli)
    app.cli.add_command(roles_cli)
    app.cli.add_command(photos_cli)
    from core.demo import demo_cli
    from core.schools_import import schools_cli
    app.cli.add_command(demo_cli)
    app.cli.add_command(schools_cli)
    app.cli.add_command(__import__("core.payments.cli", fromlist=["payments_cli"]).payments_cli)  # 网上缴费
