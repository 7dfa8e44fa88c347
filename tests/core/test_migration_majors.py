"""Migration 0009e on a copy of the demo data as it was at 0008: every old 专业类别 (major_kind) value is
mapped to an R7 major category or flagged for the candidate to confirm, and nothing typed is lost; the
route switches hidden in the rules' JSON become route rows; a 师承 entry loses only its invented level."""
from __future__ import annotations

import json

import flask_migrate
import pytest
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from commands.schema import MIGRATIONS_DIR
from core.db import db

# The demo's educations at 0008 (core/data/demo_people.py then), with their old 专业类别,
# plus one row of every other old value, and names the dictionary does not know.
OLD = [
    ("北京大学", "本科", "全日制", "临床医学", "西医"),
    ("重庆医科大学", "本科", "全日制", "口腔医学", "口腔"),
    ("长治医学院", "专科", "全日制", "临床医学", "西医"),
    ("陆军军医大学", "本科", "全日制", "临床医学", "西医"),
    ("厦门大学", "本科", "全日制", "临床医学", "西医"),
    ("新疆医科大学", "本科", "全日制", "中医学", "中医"),
    ("首都医科大学", "本科", "全日制", "临床医学", "西医"),
    ("首都医科大学", "硕士研究生", "全日制", "内科学", "西医"),
    ("某大学", "本科", "全日制", "中西医临床医学", "中西医结合"),
    ("某大学", "本科", "全日制", "蒙医", "民族医"),
    ("某大学", "本科", "全日制", "预防医学专业", "公共卫生"),
    ("某大学", "本科", "成人教育", "临床", "西医"),
    ("某大学", "本科", "全日制", "护理学", "其他"),
    ("某大学", "本科", "全日制", "临床医学", "口腔"),  # the name and the old kind disagree
    ("李医生", "中专", "师承", "中医", "中医"),  # had to pick a level to proceed
]
# major -> (R7 category, flagged for the candidate to confirm)
EXPECTED = [
    ("临床医学类", False), ("口腔医学类", False), ("临床医学类", False), ("临床医学类", False),
    ("临床医学类", False), ("中医学类", False), ("临床医学类", False), ("临床医学类", False),
    ("中西医结合类", False), (None, True), ("公共卫生与预防医学类", False), (None, True), ("非医师类", False),
    ("临床医学类", True), (None, False),
]


@pytest.fixture
def old_database(tmp_path):
    from factory import create_app
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.db'}",
                     SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool})
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS_DIR, revision="0008")
        yield app
        db.session.remove()
        db.engine.dispose()


def _load_old_rows() -> None:
    run = db.session.execute
    j = (lambda name: f"CAST(:{name} AS JSONB)") if db.engine.dialect.name == "postgresql" else (lambda n: f":{n}")
    run(text("INSERT INTO exam_families (id, code, name) VALUES (1, 'physician', '医师资格考试')"))
    run(text("INSERT INTO exam_years (id, family_id, year, name, window_opens_at, window_closes_at, cutoff_date) "
             "VALUES (1, 1, 2027, '2027年医师资格考试', '2027-01-01', '2027-02-01', '2027-08-31')"))
    run(text("INSERT INTO eligibility_rule_settings (exam_year_id, rule, enabled, params) VALUES "
             f"(1, 'R3', :t, {j('r3')}), (1, 'R4', :t, {j('r4')}), (1, 'R1', :t, {j('r1')})"),
        {"t": True, "r3": json.dumps({"allowed": False, "years_since_certificate": 5}),
         "r4": json.dumps({"allow_zhongzhuan": True, "practice_years": 1}), "r1": json.dumps({"practice_years": 1})})
    run(text("INSERT INTO candidates (id, username, password_hash, must_change_password, failed_logins, "
             "recovery_failures, name, sex, birth_date, doc_type, doc_number, nationality, military_identity, "
             "work_unit_manual, created_at, updated_at) VALUES (1, 'zhangwei', 'x', :f, 0, 0, '张伟', 'M', "
             "'1996-05-14', 'passport', 'P1234567', '中国', 'civilian', :f, '2026-01-01', '2026-01-01')"),
        {"f": False})
    for i, (school, level, mode, major, kind) in enumerate(OLD, start=1):
        run(text("INSERT INTO educations (id, candidate_id, school_name, school_manual, level, study_mode, major, "
                 "major_kind, start_ym, state, created_at, updated_at) VALUES (:id, 1, :school, :f, :level, :mode, "
                 ":major, :kind, '2010-09', 'editable', '2026-01-01', '2026-01-01')"),
            {"f": False, "id": i, "school": school, "level": level, "mode": mode, "major": major, "kind": kind})
    db.session.commit()


def test_old_major_kinds_are_mapped_or_flagged_and_nothing_is_lost(old_database):
    _load_old_rows()
    flask_migrate.upgrade(directory=MIGRATIONS_DIR, revision="0009e")
    rows = db.session.execute(text(
        "SELECT id, school_name, level, study_mode, major, major_kind, major_category, major_unconfirmed "
        "FROM educations ORDER BY id")).all()
    assert len(rows) == len(OLD)
    for row, (school, level, mode, major, kind), (category, flagged) in zip(rows, OLD, EXPECTED):
        assert (row.school_name, row.study_mode, row.major, row.major_kind) == (school, mode, major, kind)
        assert (row.major_category, bool(row.major_unconfirmed)) == (category, flagged), major
        assert row.level == (None if mode == "师承" else level)
        assert mode == "师承" or row.major_category is not None or row.major_unconfirmed  # mapped or flagged
    routes = db.session.execute(text("SELECT route, open FROM eligibility_route_settings ORDER BY route")).all()
    assert [(r.route, bool(r.open)) for r in routes] == [("assistant_secondary", True),
                                                         ("physician_secondary", False)]
    params = {r.rule: r.params if isinstance(r.params, dict) else json.loads(r.params) for r in db.session.execute(
        text("SELECT rule, params FROM eligibility_rule_settings"))}
    assert params == {"R3": {"years_since_certificate": 5}, "R4": {"practice_years": 1}, "R1": {"practice_years": 1}}


def test_downgrade_gives_the_old_columns_back(old_database):
    _load_old_rows()
    flask_migrate.upgrade(directory=MIGRATIONS_DIR, revision="0009e")
    flask_migrate.downgrade(directory=MIGRATIONS_DIR, revision="0008")
    kinds = [k for (k,) in db.session.execute(text("SELECT major_kind FROM educations ORDER BY id"))]
    assert kinds == [kind for *_rest, kind in OLD]
