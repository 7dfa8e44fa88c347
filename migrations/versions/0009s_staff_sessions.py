"""server-side staff sessions (issue 14)

- staff_sessions: the admin cookie's token hash, pending/verified two-factor state, wrong codes of a pending
  login, idle and absolute lifetime, the end of a session on every server, the single-use 身份核验 grant.

Revision ID: 0009s
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = "0009s"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("ab_user.id"), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("code_failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ip", sa.String(45), nullable=True),
        sa.Column("grant_candidate_id", sa.Integer(), nullable=True),
        sa.Column("grant_until", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])


def downgrade():
    op.drop_index("ix_staff_sessions_user_id", table_name="staff_sessions")
    op.drop_table("staff_sessions")
