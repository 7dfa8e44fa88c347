"""back office: staff security, review

Revision ID: 0005
Revises: 0004

- staff_security.totp_last_step: a two-factor code is accepted only once (no replay).
- ix_registration_queue (site_id, status, submitted_at, id): the 现场资格审核 queue of a site, filtered by
  status and ordered by submission time, reads one index range (bench/review_queue.py).
- ix_registration_region_queue: the same for a 考区管理员 (region_id, status, submitted_at, id).
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_security") as batch:
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.create_index("ix_registration_queue", "registrations", ["site_id", "status", "submitted_at", "id"])
    op.create_index("ix_registration_region_queue", "registrations",
                    ["region_id", "status", "submitted_at", "id"])


def downgrade():
    op.drop_index("ix_registration_region_queue", table_name="registrations")
    op.drop_index("ix_registration_queue", table_name="registrations")
    with op.batch_alter_table("staff_security") as batch:
        batch.drop_column("totp_last_step")
