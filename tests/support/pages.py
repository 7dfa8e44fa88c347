"""The pages every accessibility, layout and markup check walks: every portal page and the back-office pages a
reviewer uses ({draft}, {reg}, {cand}, {online} and {edu} are filled from the ``page_world`` fixture,
tests/fixtures/pages.py)."""
from __future__ import annotations

PORTAL_PUBLIC = ["/login", "/register", "/forgot-password", "/privacy"]
PORTAL_PAGES = ["/", "/profile", "/profile/verify/sms", "/security", "/messages", "/privacy/copy", "/account/close", "/registration",
                "/registration/subjects", "/registration/{reg}/pay",
                *[f"/registration/{{draft}}/step/{s}" for s in ("basic", "work", "entries", "certificates",
                                                                 "site")], "/registration/{draft}/documents",
                "/registration/{draft}/step/entries/education/{edu}"]  # 修改 an entry from the wizard
BACKOFFICE_PAGES = ["/admin/", "/admin/candidates/", "/admin/candidates/{cand}", "/admin/review/list/",
                    "/admin/review/show/{reg}", "/admin/registrations/list/", "/admin/payments/list/",
                    "/admin/refunds/list/", "/admin/audit-log/list/", "/admin/sites/list/", "/admin/sites/add",
                    "/admin/fees/list/", "/admin/exam-subjects/list/", "/admin/reports/statistics/",
                    "/admin/majors/list/", "/admin/majors/add", "/admin/majors/import",
                    "/admin/notify/failed", "/admin/notify/candidate/{cand}", "/admin/retention/",
                    # 考场编排 (issue 18); the candidate's 准考证 card: tests/browser/test_admission_ticket.py
                    "/admin/arrangement/", "/admin/exam-rooms/list/", "/admin/exam-rooms/add",
                    "/admin/exam-sessions/list/", "/admin/ticket-windows/list/", "/admin/arrangement/rooms/import",
                    "/admin/arrangement/checkin",
                    # 网上资格审核 (issue 16)
                    "/admin/online-review/list/", "/admin/online-review/show/{online}", "/admin/online-review/progress",
                    "/admin/review-modes/list/", "/admin/review-modes/add"]


def filled(url: str, world: dict) -> str:
    return url.format(draft=world["draft"], reg=world["reg"], cand=world["cand_id"], online=world["online"],
                      edu=world["edu"])
