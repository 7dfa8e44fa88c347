"""考场编排 in the statistics (dashboard and its Excel): rooms used, seats filled, unplaced per site, in scope."""
import io

from openpyxl import load_workbook

from core.db import db
from reports import statistics
from reports.scope import ReportScope
from tests.factories import arranged_registrations, make_catalogue


def test_arrangement_table(published_site):
    arranged_registrations(published_site, 2)  # approved and paid after the publication: not yet placed
    db.session.commit()
    table = statistics.arrangement(ReportScope.everything())
    row = next(r for r in table.rows if r[0] == published_site["site"].name)
    assert row[1:] == [5, 2, 2, 6, 0]  # 5 placed in 2 of 2 rooms with 6 seats; the publication placed everyone
    other = make_catalogue()
    db.session.commit()
    mine = statistics.arrangement(ReportScope.of(region_ids=[other["region"].id]))
    assert [r[0] for r in mine.rows] == [other["site"].name] and mine.rows[0][1] == 0
    workbook = load_workbook(io.BytesIO(statistics.tables_to_xlsx(statistics.dashboard(ReportScope.everything()))))
    assert any("考场编排" in ws.title for ws in workbook.worksheets)


def test_seats_count_each_skills_day_and_written_rooms_once(session):
    """A base room hosting two 实践技能 days offers its seats twice; a written room hosting four units, once;
    a room hosting both, once for the written part and once per day."""
    from datetime import datetime, timedelta

    from core.arrangement.service import site_statistics
    from core.models import ExamSession
    from tests.factories import make_rooms, make_sessions
    cat = make_catalogue()
    written = make_sessions(cat)["physician"]
    day = datetime(2027, 6, 12, 0, 30)
    days = [ExamSession(exam_year_id=cat["year"].id, part="skills", level="执业医师", name=f"第{n}天",
                        starts_at=day + timedelta(days=n), ends_at=day + timedelta(days=n, hours=3)) for n in (1, 2)]
    db.session.add_all(days)
    db.session.flush()
    make_rooms(cat["site"], days, 7)                   # 14 seats over two days
    make_rooms(cat["site"], written, 30, start=2)      # 30
    make_rooms(cat["site"], written + days, 10, start=3)  # 10 written + 20 skills
    make_rooms(cat["site"], [], 5, start=4)            # hosting nothing yet: 5
    db.session.commit()
    assert site_statistics([cat["site"].id])[0]["seats"] == 14 + 30 + 30 + 5
    row = next(r for r in statistics.arrangement(ReportScope.everything()).rows if r[0] == cat["site"].name)
    assert row[4] == 14 + 30 + 30 + 5
