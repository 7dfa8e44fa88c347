"""candidate accounts and the personal-information centre

PostgreSQL only: text_pattern_ops indexes so that prefix searches (LIKE 'bjdx%') on school and work
unit initials and codes use an index whatever the database collation. SQLite searches a range on the
existing BINARY indexes instead (core/services/schools.py).

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa  # noqa: F401

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PATTERN_INDEXES = (("ix_schools_initials_pattern", "schools", "initials"),
                   ("ix_schools_code_pattern", "schools", "code"),
                   ("ix_work_units_initials_pattern", "work_units", "initials"),
                   ("ix_work_units_licence_pattern", "work_units", "licence_code"))


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, column in PATTERN_INDEXES:
        op.create_index(name, table, [column], postgresql_ops={column: "text_pattern_ops"})


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, _ in PATTERN_INDEXES:
        op.drop_index(name, table_name=table)
