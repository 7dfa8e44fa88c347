"""reports and background jobs

Revision ID: 0007
Revises: 0006
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("owner_type", sa.String(10), nullable=False),
        sa.Column("owner_id", sa.Integer()),
        sa.Column("params", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text()),
        sa.Column("result_path", sa.String(300)),
        sa.Column("result_name", sa.String(120)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime()),
        sa.Column("finished_at", sa.DateTime()),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="ck_job_state"),
        sa.CheckConstraint("owner_type IN ('staff', 'candidate', 'system')", name="ck_job_owner_type"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="ck_job_progress"),
    )
    op.create_index("ix_job_owner", "jobs", ["owner_type", "owner_id"])


def downgrade():
    op.drop_index("ix_job_owner", table_name="jobs")
    op.drop_table("jobs")
