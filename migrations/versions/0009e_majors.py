"""majors dictionary, R7's 专业类别 on educations, route settings, 师承/确有专长 without a level

- ``majors``: the majors dictionary (codes and names of the Ministry's catalogues, R7's 专业类别), loaded by
  ``flask majors load`` / ``flask demo load`` (not here: the authority may load the full catalogues).
- ``educations``: ``major_id``, ``major_category`` (R7), ``major_manual`` (typed by hand, for the reviewer),
  ``major_unconfirmed`` (this migration could not tell: the candidate confirms the major at the next
  registration), ``apprentice_certificate``; ``level`` NULL exactly for 师承 / 确有专长 (they have none);
  the old coarse ``major_kind`` (专业类别) stays as it was, nullable, no longer asked.
- Each existing education: the major's name maps to its category (the frozen table below, the names of
  the default dictionary), else its old 专业类别 where that tells (口腔 → 口腔医学类 …); what the name did not
  settle is flagged ``major_unconfirmed``. Nothing is deleted or overwritten but a 师承 entry's invented level.
- ``eligibility_route_settings``: routes open or closed per year; the old switches in the rules' JSON
  (R3 ``allowed``, R4 ``allow_zhongzhuan``) become route rows and leave the parameters.

Revision ID: 0009e
Revises: 0009s
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0009e"
down_revision = "0009s"
branch_labels = None
depends_on = None

# Frozen: major names (as candidates typed them before the dictionary) -> R7's 专业类别.
NAME_CATEGORY = {
    "临床医学": "临床医学类", "麻醉学": "临床医学类", "医学影像学": "临床医学类", "眼视光医学": "临床医学类",
    "精神医学": "临床医学类", "放射医学": "临床医学类", "儿科学": "临床医学类", "内科学": "临床医学类",
    "外科学": "临床医学类", "口腔医学": "口腔医学类", "预防医学": "公共卫生与预防医学类",
    "妇幼保健医学": "公共卫生与预防医学类", "中医学": "中医学类", "针灸推拿学": "中医学类", "针灸推拿": "中医学类",
    "藏医学": "藏医学", "蒙医学": "蒙医学", "维医学": "维医学", "壮医学": "壮医学", "哈医学": "哈医学",
    "中西医临床医学": "中西医结合类", "中西医结合": "中西医结合类", "中西医结合临床": "中西医结合类",
    "药学": "非医师类", "中药学": "非医师类", "法医学": "非医师类", "护理学": "非医师类", "护理": "非医师类",
    "医学检验技术": "非医师类", "基础医学": "非医师类",
}
KIND_CATEGORY = {"中医": "中医学类", "中西医结合": "中西医结合类", "口腔": "口腔医学类",
                 "公共卫生": "公共卫生与预防医学类"}  # 西医, 民族医, 其他: cannot be told
APPRENTICE = ("师承", "确有专长")


def _normalise(name: str) -> str:
    name = (name or "").strip().replace(" ", "")
    return name[:-2] if name.endswith("专业") else name


def classify(major: str, kind: str | None) -> tuple[str | None, bool]:
    """(R7 category, to be confirmed by the candidate) for an old entry."""
    by_name = NAME_CATEGORY.get(_normalise(major))
    by_kind = KIND_CATEGORY.get(kind or "")
    if by_name is not None:
        return by_name, by_kind is not None and by_kind != by_name  # the name and the old kind disagree
    return by_kind, True


def upgrade():
    op.create_table(
        "majors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("ministry_class", sa.String(length=40), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("edition", sa.String(length=40), nullable=True),
        sa.Column("initials", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_majors_name", "majors", ["name"])
    op.create_index("ix_majors_initials", "majors", ["initials"])
    if op.get_bind().dialect.name == "postgresql":  # prefix search on initials and code (as schools, 0003)
        op.execute("CREATE INDEX ix_majors_initials_pattern ON majors (initials text_pattern_ops)")
        op.execute("CREATE INDEX ix_majors_code_pattern ON majors (code text_pattern_ops)")
    op.create_table(
        "eligibility_route_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exam_year_id", sa.Integer(), nullable=False),
        sa.Column("route", sa.String(length=30), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["exam_year_id"], ["exam_years.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("exam_year_id", "route", name="uq_route_year"),
    )
    with op.batch_alter_table("educations") as batch:
        batch.alter_column("level", existing_type=sa.String(length=10), nullable=True)
        batch.alter_column("major_kind", existing_type=sa.String(length=10), nullable=True)
        batch.add_column(sa.Column("major_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("major_category", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("major_manual", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("major_unconfirmed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("apprentice_certificate", sa.String(length=40), nullable=True))
        batch.create_foreign_key("fk_educations_major_id_majors", "majors", ["major_id"], ["id"])
    _migrate_educations()
    with op.batch_alter_table("educations") as batch:
        batch.alter_column("major_manual", server_default=None)
        batch.alter_column("major_unconfirmed", server_default=None)
        batch.create_check_constraint("ck_education_level_or_apprentice",
                                      "(level IS NULL) = (study_mode IN ('师承', '确有专长'))")
    _migrate_route_switches()


def _migrate_educations():
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, major, major_kind, study_mode FROM educations")).all()
    for row in rows:
        if row.study_mode in APPRENTICE:  # they had to pick a level to proceed: none now
            conn.execute(sa.text("UPDATE educations SET level = NULL WHERE id = :id"), {"id": row.id})
            continue
        category, unconfirmed = classify(row.major, row.major_kind)
        conn.execute(sa.text("UPDATE educations SET major_category = :c, major_unconfirmed = :u WHERE id = :id"),
                     {"c": category, "u": unconfirmed, "id": row.id})


def _migrate_route_switches():
    """R3 ``allowed: false`` and R4 ``allow_zhongzhuan: false`` were route switches hidden in the JSON."""
    conn = op.get_bind()
    moves = {("R3", "allowed"): "physician_secondary", ("R4", "allow_zhongzhuan"): "assistant_secondary"}
    rows = conn.execute(sa.text("SELECT id, exam_year_id, rule, params FROM eligibility_rule_settings")).all()
    for row in rows:
        params = row.params if isinstance(row.params, dict) else json.loads(row.params or "{}")
        changed = False
        for (rule, key), route in moves.items():
            if row.rule == rule and key in params:
                conn.execute(sa.text("INSERT INTO eligibility_route_settings (exam_year_id, route, open) "
                                     "VALUES (:y, :r, :o)"),
                             {"y": row.exam_year_id, "r": route, "o": bool(params.pop(key))})
                changed = True
        if changed:
            value = "CAST(:p AS JSONB)" if conn.dialect.name == "postgresql" else ":p"
            conn.execute(sa.text(f"UPDATE eligibility_rule_settings SET params = {value} WHERE id = :id"),
                         {"p": json.dumps(params, ensure_ascii=False), "id": row.id})


def downgrade():
    conn = op.get_bind()
    with op.batch_alter_table("educations") as batch:
        batch.drop_constraint("ck_education_level_or_apprentice", type_="check")
    conn.execute(sa.text("UPDATE educations SET level = '中专' WHERE level IS NULL"))  # the old forms' choice
    conn.execute(sa.text("UPDATE educations SET major_kind = '西医' WHERE major_kind IS NULL"))
    with op.batch_alter_table("educations") as batch:
        batch.drop_constraint("fk_educations_major_id_majors", type_="foreignkey")
        for column in ("apprentice_certificate", "major_unconfirmed", "major_manual", "major_category", "major_id"):
            batch.drop_column(column)
        batch.alter_column("major_kind", existing_type=sa.String(length=10), nullable=False)
        batch.alter_column("level", existing_type=sa.String(length=10), nullable=False)
    op.drop_table("eligibility_route_settings")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_majors_initials_pattern")
        op.execute("DROP INDEX ix_majors_code_pattern")
    op.drop_index("ix_majors_initials", table_name="majors")
    op.drop_index("ix_majors_name", table_name="majors")
    op.drop_table("majors")
