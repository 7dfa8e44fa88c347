"""考场编排 by exam part (issue 18): 实践技能 arranged at the bases as well as 医学综合 at the sites.

- arrangement_runs.part, seat_assignments.part: 'written' (医学综合, with 军事医学) or 'skills' (实践技能);
  existing rows are 'written'. A registration has at most one seat per part (uq_seat_registration_part
  replaces the unique registration_id).
- sites.skills_base_id: the 实践技能基地 where the site's candidates sit 实践技能 (empty: the site itself).

Revision ID: 0012c
Revises: 0011v
"""
from alembic import op
import sqlalchemy as sa

revision = "0012c"
down_revision = "0011v"
branch_labels = None
depends_on = None

PART_CHECK = "part IN ('written', 'skills')"


def _drop_unique_registration(batch_kwargs: dict) -> dict:
    """The unnamed UNIQUE(registration_id) of 0010a: PostgreSQL named it; SQLite's batch mode needs a name."""
    if op.get_bind().dialect.name == "sqlite":
        return {**batch_kwargs, "naming_convention": {"uq": "uq_%(table_name)s_%(column_0_name)s"}}
    return batch_kwargs


def upgrade():
    with op.batch_alter_table("arrangement_runs") as batch:
        batch.add_column(sa.Column("part", sa.String(10), nullable=False, server_default="written"))
        batch.create_check_constraint("ck_arrangement_run_part", sa.text(PART_CHECK))
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("seat_assignments", **_drop_unique_registration({})) as batch:
        batch.add_column(sa.Column("part", sa.String(10), nullable=False, server_default="written"))
        batch.drop_constraint("uq_seat_assignments_registration_id" if sqlite
                              else "seat_assignments_registration_id_key", type_="unique")
        batch.create_unique_constraint("uq_seat_registration_part", ["registration_id", "part"])
        batch.create_check_constraint("ck_seat_part", sa.text(PART_CHECK))
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("skills_base_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_sites_skills_base", "sites", ["skills_base_id"], ["id"])


def downgrade():
    with op.batch_alter_table("sites") as batch:
        batch.drop_constraint("fk_sites_skills_base", type_="foreignkey")
        batch.drop_column("skills_base_id")
    op.execute("DELETE FROM seat_assignments WHERE part <> 'written'")
    with op.batch_alter_table("seat_assignments") as batch:
        batch.drop_constraint("ck_seat_part", type_="check")
        batch.drop_constraint("uq_seat_registration_part", type_="unique")
        batch.create_unique_constraint("seat_assignments_registration_id_key", ["registration_id"])
        batch.drop_column("part")
    with op.batch_alter_table("arrangement_runs") as batch:
        batch.drop_constraint("ck_arrangement_run_part", type_="check")
        batch.drop_column("part")
