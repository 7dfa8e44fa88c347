"""majors can be disabled (停用) by national staff in the back office (issue 13)

- ``majors.active``: a disabled major is no longer offered in the 专业 picker nor accepted as a choice;
  educations that already name it keep it (nothing is deleted). Existing rows stay active.

Revision ID: 0010m
Revises: 0009e
"""
import sqlalchemy as sa
from alembic import op

revision = "0010m"
down_revision = "0009e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("majors") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table("majors") as batch:
        batch.drop_column("active")
