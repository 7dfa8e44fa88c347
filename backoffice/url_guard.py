"""Ids and action names in back-office URLs are checked before Flask-AppBuilder's generic views see them.

FAB passes ``<pk>`` (a string) straight to the database: an id beyond a 32-bit integer is an overflow
there (a 500 on PostgreSQL and SQLite), and its own user, role and group views crash on an unknown action
name or a missing ``?pk=``. Every table's id here is a positive 32-bit integer, so anything else names no
row: 404, as for an id that does not exist. One check for every view, FAB's own included.
"""
from __future__ import annotations

import re

from flask import abort, current_app, request

ID = re.compile(r"[1-9][0-9]{0,8}")  # below 2**31
LIST_NUMBER = re.compile(r"(page|psize)_\w+")  # FAB's list page and page size: int(value) or a 500
NEEDS_PK_ARG = ("ResetPasswordView.",)  # FAB's 重置密码 form names its user in ?pk=


def refuse_bad_url_values() -> None:
    args, endpoint = request.view_args or {}, request.endpoint or ""
    pks = [args["pk"]] if "pk" in args else []
    if "pk" in request.args or endpoint.startswith(NEEDS_PK_ARG):
        pks.append(request.args.get("pk", ""))
    if any(not ID.fullmatch(str(pk)) for pk in pks):
        abort(404)
    if "group_by" in args and not str(args["group_by"]).isdigit():  # FAB's user statistics: int(group_by)
        abort(404)
    if any(LIST_NUMBER.fullmatch(k) and not re.fullmatch(r"[0-9]{1,9}", v) for k, v in request.args.items()):
        abort(400, "页码和每页条数须为数字。")
    view_name, _, method = endpoint.partition(".")
    if method in ("action", "action_post"):
        name = args.get("name", "") if method == "action" else request.form.get("action", "")
        view = next((v for v in current_app.appbuilder.baseviews if type(v).__name__ == view_name), None)
        if view is not None and name not in getattr(view, "actions", {}):
            abort(404)
