"""个人信息保存期限 (national administrators): the schedule with what is due now (a dry run, nothing changes),
the last runs, and 立即执行 (queues the retention job, audited). Rules: core/privacy/retention.py."""
from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask_appbuilder import BaseView, expose, has_access

from core import jobs
from core.privacy import retention
from core.services import audit

from backoffice.base import shanghai


class RetentionView(BaseView):
    route_base = "/retention"
    class_permission_name = "Retention"
    method_permission_name = {"page": "list", "run": "run"}
    default_view = "page"

    @expose("/")
    @has_access
    def page(self):
        counts = retention.due_counts()
        runs = jobs.jobs_of_owner("staff", g.user.id, limit=50)
        runs = [j for j in runs if j.kind == retention.RETENTION_JOB][:5]
        return self.render_template("backoffice/retention.html", title="个人信息保存期限",
                                    kinds=retention.SCHEDULE.values(), counts=counts, actions=retention.ACTIONS,
                                    sources=retention.SOURCES,
                                    runs=runs, shanghai=shanghai)

    @expose("/run", methods=["POST"])
    @has_access
    def run(self):
        user = g.user

        def audited(job):
            audit.record("privacy.retention.requested", actor_type="staff", actor_id=user.id,
                         actor_name=user.username, obj=job, after=retention.due_counts())

        jobs.enqueue(retention.RETENTION_JOB, owner_type="staff", owner_id=user.id, on_created=audited)
        flash("已开始执行保存期限：到期数据将分批删除或去标识化，完成后本页显示结果。", "success")
        return redirect(url_for(".page"))
