"""verified contacts and one-time codes (issue 17, items 3 and 4)

- candidates.mobile_verified_at / email_verified_at: when the contact was verified with a code (cleared when
  it changes); the outbox sends e-mail and SMS only to verified contacts.
- candidates.code_*: the account's one pending one-time code (HMAC-SHA256, channel, purpose, expiry, tries),
  for verifying a contact or for 找回密码 by code.

Revision ID: 0011v
Revises: 0010d
"""
from alembic import op
import sqlalchemy as sa

revision = "0011v"
down_revision = "0010d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("candidates") as batch:
        batch.add_column(sa.Column("mobile_verified_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("code_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("code_channel", sa.String(5), nullable=True))
        batch.add_column(sa.Column("code_purpose", sa.String(8), nullable=True))
        batch.add_column(sa.Column("code_expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("code_tries", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("candidates") as batch:
        for column in ("code_tries", "code_expires_at", "code_purpose", "code_channel", "code_hash",
                       "email_verified_at", "mobile_verified_at"):
            batch.drop_column(column)
