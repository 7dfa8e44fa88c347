"""Plain error pages for both apps: no site layout (which reads the database) and never a traceback
(docs/deployment.md)."""
from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import NotFound

from core.db import db
from core.services.errors import NotAllowed

log = logging.getLogger(__name__)

ERROR_PAGE = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>'
              '<body><h1>{title}</h1><p>{text}</p><p><a href="/">返回首页</a></p></body></html>')


def init_error_pages(app: Flask) -> None:
    app.register_error_handler(500, server_error)
    app.register_error_handler(413, too_large)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)
    app.register_error_handler(NotAllowed, not_allowed)


def server_error(_exc):
    return ERROR_PAGE.format(title="系统错误", text="很抱歉，系统暂时无法处理您的请求，已保存的信息不会丢失。"
                                                   "请稍后再试。"), 500


def database_unavailable(exc):
    log.error("database unavailable: %s", type(exc).__name__)
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass
    return ERROR_PAGE.format(title="系统繁忙", text="报名系统暂时无法连接数据库，请稍后刷新页面再试。"), 503


def too_large(_exc):
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    return ERROR_PAGE.format(title="文件过大", text=f"上传的内容超过 {limit} MB，未被接收。"
                                                   "请返回上一页，选择较小的文件后重试。"), 413


def not_allowed(_exc: NotAllowed):
    """A record that is not the user's (or does not exist) is 404 either way: nothing is said about others."""
    return current_app.handle_http_exception(NotFound())
