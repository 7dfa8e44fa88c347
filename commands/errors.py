"""One sentence for the operator instead of a traceback, for every command of a group."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, ScriptInfo
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError, SQLAlchemyError

from core.services.errors import DomainError


class OperatorGroup(AppGroup):
    """A command group whose refusals (DomainError) and database failures end as one sentence on stderr
    and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            fail(exc.message)
        except (ArgumentError, ValueError, ModuleNotFoundError) as exc:
            if isinstance(exc, ArgumentError) or "database" in str(exc).lower():
                fail(f"DATABASE_URL 无效（invalid database URL）: {_safe_url(ctx)}")
            raise
        except (OperationalError, ProgrammingError) as exc:
            if _missing_table(exc):
                fail("数据库尚未建表（the schema is missing）：请先运行 flask --app wsgi db upgrade。")
            if isinstance(exc, ProgrammingError):
                fail(f"数据库错误（database error）: {type(exc.orig).__name__}，未写入任何数据。")
            fail(f"无法连接数据库（database unreachable）: {_safe_url(ctx)}；请检查 DATABASE_URL 与数据库服务。")
        except SQLAlchemyError as exc:
            fail(f"数据库错误（database error）: {type(exc).__name__}，未写入任何数据。")


def fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _missing_table(exc: SQLAlchemyError) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def _safe_url(ctx: click.Context) -> str:
    app: Flask = ctx.ensure_object(ScriptInfo).load_app()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - it is the bad URL itself we are reporting
        return repr(url)
