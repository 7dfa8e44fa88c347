"""消息中心: the candidate's messages (core/notify/inbox.py), mark read."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from candidate_portal.auth import current_candidate, login_required
from candidate_portal.blueprint import bp
from core.db import to_shanghai
from core.notify import inbox, prefs
from core.services.errors import NotAllowed
from core.validators import row_id


@bp.get("/messages")
@login_required
def messages():
    asked = request.args.get("page", "1")
    rows, page, pages = inbox.messages_of(current_candidate().id, row_id(asked) or 1)
    return render_template("portal/messages.html", rows=rows, pages=pages, page=page, to_shanghai=to_shanghai,
                           settings=prefs.settings_of(current_candidate().id), cand=current_candidate())


@bp.post("/messages/<int:message_id>/read")
@login_required
def message_read(message_id: int):
    try:
        inbox.mark_read(current_candidate().id, message_id)
    except NotAllowed:
        abort(404)
    return redirect(url_for("portal.messages", _anchor=f"m{message_id}"))


@bp.post("/messages/read-all")
@login_required
def messages_read_all():
    inbox.mark_all_read(current_candidate().id)
    return redirect(url_for("portal.messages"))


@bp.post("/messages/preferences")
@login_required
def message_preferences():
    prefs.set_channels(current_candidate().id, email=request.form.get("email") == "on",
                       sms=request.form.get("sms") == "on")
    flash(_("通知方式已保存。"), "success")
    return redirect(url_for("portal.messages"))
