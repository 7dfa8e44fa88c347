"""The arrangement as a background job (core.jobs): plan (预排) every site given, with progress.

Params: ``site_ids``, ``exam_year_id``, optional ``part`` (``written``: 医学综合, ``skills``: 实践技能), ``seed`` (the same for every site; recorded on each run).
A site busy with another run is reported and skipped; publishing stays an explicit step (service.publish).
"""
from __future__ import annotations

from core.arrangement import service
from core.db import db
from core.jobs import JobContext, JobResult, job_handler
from core.registration.lifecycle import Actor
from core.services.errors import DomainError

KIND = "arrangement.plan"


@job_handler(KIND)
def plan_sites(ctx: JobContext, params: dict) -> JobResult:
    site_ids = [int(s) for s in params["site_ids"]]
    actor = Actor("staff", ctx.owner_id) if ctx.owner_type == "staff" else Actor("system")
    lines = []
    for i, site_id in enumerate(site_ids):
        ctx.progress(100 * i / max(len(site_ids), 1), f"正在编排第 {i + 1}/{len(site_ids)} 个考点……")
        try:
            run = service.plan_site(site_id, int(params["exam_year_id"]), actor, params.get("seed"),
                                    params.get("part", "written"))
            db.session.commit()  # each site's draft is kept even if a later site fails
            lines.append(f"{run.site.name}（{run.part_label}）：已安排 {run.placed_count} 人，未能安排 {len(run.unplaced)} 人"
                         f"（预排编号 {run.id}）")
        except DomainError as exc:
            db.session.rollback()
            lines.append(f"考点 {site_id}：{exc.message}")
    return JobResult(message="预排完成，请核对后发布。" + "；".join(lines))
