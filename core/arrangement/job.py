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


REGION_KIND = "arrangement.region"


def start_region(user, region_id: int | None, exam_year_id: int, part: str, publish: bool,
                 seed: int | None = None):
    """全区预排 (``publish`` False: a draft per site) or 全区编排并发布 (each site planned and published at once,
    service.plan_and_publish) of every site of one region, as a background job; scope-checked, audited."""
    from core.jobs import enqueue
    from core.models import Region
    from core.services import audit, scope
    region = db.session.get(Region, region_id) if region_id else None
    if region is None or not scope.can_manage_region(user, region.id):
        raise DomainError("所选考区不存在或不在您的管理范围内。", field="region_id")
    if part not in ("written", "skills"):
        raise DomainError("考试部分须为医学综合或实践技能。", field="part")
    params = {"region_id": region.id, "exam_year_id": exam_year_id, "part": part, "publish": publish, "seed": seed}

    def audit_request(job):
        audit.record("arrangement.region.requested", **Actor.staff(user).audit_fields(), obj=job, after=params)

    what = "全区编排并发布" if publish else "全区预排"
    return enqueue(REGION_KIND, owner_type="staff", owner_id=user.id, params=params, on_created=audit_request,
                   message=f"{region.name}{what}已加入任务队列。")


def _summary(run) -> str:
    reasons: dict[str, int] = {}
    for reason in run.unplaced.values():
        reasons[reason] = reasons.get(reason, 0) + 1
    why = "（" + "，".join(f"{r} {n} 人" for r, n in sorted(reasons.items())) + "）" if reasons else ""
    return f"已安排 {run.placed_count} 人，未能安排 {len(run.unplaced)} 人{why}"


@job_handler(REGION_KIND)
def arrange_region(ctx: JobContext, params: dict) -> JobResult:
    """Every site of the region in turn, each in its own transaction: a site that fails (busy, an error) is
    reported and the others go on; what was published stays published."""
    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy import select

    from core.models import Site
    from core.services import scope
    user = db.session.get(User, ctx.owner_id) if ctx.owner_type == "staff" else None
    if user is None or not user.active or not scope.can_manage_region(user, int(params["region_id"])):
        raise DomainError("所选考区不存在或不在您的管理范围内。")  # the scope of now, not of when it was queued
    actor = Actor.staff(user)
    sites = list(db.session.execute(select(Site.id, Site.name).where(Site.region_id == int(params["region_id"]))
                                    .order_by(Site.code)))
    publish, part, year = bool(params.get("publish")), params.get("part", "written"), int(params["exam_year_id"])
    lines, failed = [], 0
    for i, (site_id, name) in enumerate(sites):
        ctx.progress(100 * i / max(len(sites), 1), f"正在{'编排并发布' if publish else '预排'}第 {i + 1}/{len(sites)} 个考点：{name}")
        try:
            if publish:
                run = service.plan_and_publish(site_id, year, actor, params.get("seed"), part)  # commits
            else:
                run = service.plan_site(site_id, year, actor, params.get("seed"), part)
                db.session.commit()
            lines.append(f"{name}：{_summary(run)}" + ("" if publish else f"（预排编号 {run.id}）"))
        except Exception as exc:  # noqa: BLE001 — one site failing does not stop the others
            db.session.rollback()
            failed += 1
            lines.append(f"{name}：失败，{exc.message if isinstance(exc, DomainError) else '系统错误，请重试'}")
    head = (f"全区编排并发布完成：{len(sites) - failed} 个考点已发布" if publish
            else f"全区预排完成：{len(sites) - failed} 个考点已预排（未发布，请核对后逐个发布）")
    return JobResult(message=head + (f"，{failed} 个考点失败" if failed else "") + "。" + "；".join(lines))
