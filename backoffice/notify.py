"""通知: a candidate's messages with their delivery state, the failed deliveries of the user's scope, 重新发送.
Thin over core/notify/staff.py (scope checked there: 404 outside it). Recipients (mobile numbers, e-mail
addresses) are masked: the full contact data is on the candidate's page, for the roles that need it (audited)."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access

from core.db import db
from core.models import Candidate
from core.notify import staff
from core.privacy.masking import mask_recipient
from core.services.errors import DomainError

from backoffice.base import or_404, shanghai


class NotifyView(BaseView):
    route_base = "/notify"
    class_permission_name = "Notification"
    default_view = "failed"
    method_permission_name = {"failed": "list", "candidate": "list", "resend": "resend"}

    def _may_resend(self) -> bool:
        return self.appbuilder.sm.has_access("can_resend", "Notification")

    @expose("/failed")
    @has_access
    def failed(self):
        return self.render_template("backoffice/notify_failed.html", title="发送失败的通知",
                                    rows=staff.failed_messages(g.user), shanghai=shanghai,
                                    may_resend=self._may_resend(), mask_recipient=mask_recipient)

    @expose("/candidate/<int:cid>")
    @has_access
    def candidate(self, cid):
        rows = or_404(staff.messages_for_candidate, g.user, cid)
        return self.render_template("backoffice/notify_candidate.html", title="通知记录",
                                    c=db.session.get(Candidate, cid), rows=rows, shanghai=shanghai,
                                    may_resend=self._may_resend(), mask_recipient=mask_recipient)

    @expose("/<int:message_id>/resend", methods=["POST"])
    @has_access
    def resend(self, message_id):
        try:
            message = or_404(staff.resend, g.user, message_id)
        except DomainError as exc:
            flash(exc.message, "warning")
            return redirect(url_for("NotifyView.failed"))
        flash(f"已重新加入发送队列（{message.channel_label}）。", "success")
        if request.form.get("back") == "candidate":
            return redirect(url_for("NotifyView.candidate", cid=message.candidate_id))
        return redirect(url_for("NotifyView.failed"))
