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
