"""notifications (issue 17)

- notify_messages: the transactional outbox, one row per message and channel (消息中心, e-mail, SMS), with its
  unique idempotency key, delivery state, attempts and next attempt; the 消息中心's read time.
- notify_settings: a candidate's language for messages and channels for non-essential ones.
- notify_devices: browsers a candidate logged in from (hash of a cookie), for 新设备登录 messages.

Revision ID: 0010n
Revises: 0010m
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0010n"
down_revision = "0010m"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.create_table(
        "notify_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(120), nullable=False, unique=True),
        sa.Column("candidate_id", sa.Integer(), sa.ForeignKey("candidates.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("template", sa.String(40), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("recipient", sa.String(120), nullable=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
        sa.Column("provider_ref", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("channel IN ('inbox', 'email', 'sms')", name="ck_notify_channel"),
        sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed')", name="ck_notify_state"),
    )
    op.create_index("ix_notify_due", "notify_messages", ["state", "next_attempt_at"])
    op.create_index("ix_notify_candidate", "notify_messages", ["candidate_id", "channel"])
    op.create_index("ix_notify_recipient", "notify_messages", ["recipient", "sent_at"])
    op.create_table(
        "notify_settings",
        sa.Column("candidate_id", sa.Integer(), sa.ForeignKey("candidates.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("lang", sa.String(5), nullable=False, server_default="zh"),
        sa.Column("email_enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("sms_enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "notify_devices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("candidate_id", sa.Integer(), sa.ForeignKey("candidates.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("device_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("candidate_id", "device_hash", name="uq_notify_device"),
    )


def downgrade():
    op.drop_table("notify_devices")
    op.drop_table("notify_settings")
    op.drop_index("ix_notify_recipient", table_name="notify_messages")
    op.drop_index("ix_notify_candidate", table_name="notify_messages")
    op.drop_index("ix_notify_due", table_name="notify_messages")
    op.drop_table("notify_messages")
