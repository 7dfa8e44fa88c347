"""Plain error pages for both apps: no site layout (which reads the database) and never a traceback
(docs/deployment.md)."""
from __future__ import annotations

import logging

from flask import Flask, current_app, request
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, NotFound

from core.db import db
from core.services.errors import NotAllowed

log = logging.getLogger(__name__)

ERROR_PAGE = ('<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
              '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
              '<style>body{{font:16px/1.6 sans-serif;color:#1f2937;max-width:40rem;margin:2rem auto;padding:0 1rem}}'
              'a{{color:#1d4ed8}}</style></head>'
              '<body><main><h1>{title}</h1><p>{text}</p><p><a href="{home}">{back}</a></p></main></body></html>')


def N_(text: str) -> str:
    """Marks a text for the portal's catalogue (``pybabel extract -k N_ … web``)."""
    return text


# Werkzeug's own pages are English ("Not Found"): every HTTP error both apps answer is one of these.
HTTP_TEXTS = {
    400: (N_("请求有误"), N_("提交的内容无法处理，请返回上一页检查后重试。")),
    401: (N_("请先登录"), N_("请登录后再访问此页面。")),
    403: (N_("无权访问"), N_("您没有访问此页面的权限。如需办理，请联系您所在考区的考务人员。")),
    404: (N_("页面不存在"), N_("您访问的页面不存在或已不再可用（例如报名已提交后的旧填报页面）。")),
    405: (N_("操作方式有误"), N_("此页面不支持这种操作，请从页面上的按钮进入。")),
    429: (N_("操作过于频繁"), N_("请稍等片刻后再试。")),
}
BACK = N_("返回首页")


def plain_page(title: str, text: str, **params) -> str:
    """The plain page in the app's language: the portal sets ``error_translator`` (gettext, its locale)."""
    translate, lang = current_app.extensions.get("error_translator", (None, None))
    tr = translate or (lambda s: s)
    text = tr(text) % params if params else tr(text)
    return ERROR_PAGE.format(lang=lang() if lang else "zh-CN", title=escape(tr(title)), text=escape(text),
                             home=escape(request.script_root + "/"), back=tr(BACK))


def init_error_pages(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(500, server_error)
    app.register_error_handler(413, too_large)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)
    app.register_error_handler(NotAllowed, not_allowed)


def http_error(exc: HTTPException):
    """Werkzeug's English page replaced by ours; redirects (FAB raises some) and other codes pass through."""
    if exc.code is None or exc.code < 400 or exc.code not in HTTP_TEXTS:
        return exc
    title, text = HTTP_TEXTS[exc.code]
    if exc.description and exc.description != type(exc).description:
        text = exc.description  # our own words, e.g. abort(400, "页码和每页条数须为数字。")
    response = exc.get_response()
    response.set_data(plain_page(title, text))
    response.content_type = "text/html; charset=utf-8"
    return response


def server_error(_exc):
    return plain_page(N_("系统错误"), N_("很抱歉，系统暂时无法处理您的请求，已保存的信息不会丢失。请稍后再试。")), 500


def database_unavailable(exc):
    log.error("database unavailable: %s", type(exc).__name__)
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass
    return plain_page(N_("系统繁忙"), N_("报名系统暂时无法连接数据库，请稍后刷新页面再试。")), 503


FORM_OVERHEAD = 64 * 1024  # the multipart envelope and the other fields around an uploaded file
_UPLOAD_LIMIT = "medexam.upload_limit"


def allow_upload(limit: int) -> None:
    """This request may carry a file of ``limit`` bytes (plus the form around it), more than the app's
    MAX_CONTENT_LENGTH; a larger one gets the 413 page naming ``limit``. Call it before the form is read
    (a URL value preprocessor: they run before every before_request function, CSRF's among them)."""
    request.max_content_length = limit + FORM_OVERHEAD
    request.environ[_UPLOAD_LIMIT] = limit


def megabytes(size: int) -> str:
    """8388608 -> '8', 200000 -> '0.2': the limit as people read it."""
    return f"{max(round(size / (1024 * 1024), 1), 0.1):g}"


def too_large(_exc):
    """The limit of the route that refused the request: a document upload's (allow_upload), or the app's."""
    limit = request.environ.get(_UPLOAD_LIMIT) or current_app.config["MAX_CONTENT_LENGTH"]
    return plain_page(N_("文件过大"), N_("上传的内容超过 %(limit)s MB，未被接收。请返回上一页，选择较小的文件后重试。"),
                      limit=megabytes(limit)), 413


def not_allowed(_exc: NotAllowed):
    """A record that is not the user's (or does not exist) is 404 either way: nothing is said about others."""
    return current_app.handle_http_exception(NotFound())
