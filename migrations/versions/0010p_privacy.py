"""personal information protection (issue 20)

- privacy_consents: each agreement to a version of the privacy notice, with the separate consent to the
  sensitive items (证件号码, 照片, 证件扫描件) and its time.
- candidates.closed_at (注销) and deidentified_at: a closed account keeps its row (registrations and payments
  point to it) with the personal fields cleared.
- registrations.deidentified_at: the retention schedule cleared its frozen snapshot and draft data.

Revision ID: 0010p
Revises: 0010n
"""
from alembic import op
import sqlalchemy as sa

revision = "0010p"
down_revision = "0010n"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "privacy_consents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("candidate_id", sa.Integer(), sa.ForeignKey("candidates.id"), nullable=False),
        sa.Column("notice_version", sa.String(20), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("agreed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_privacy_consent_candidate", "privacy_consents", ["candidate_id", "notice_version"])
    with op.batch_alter_table("candidates") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("deidentified_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("deidentified_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("deidentified_at")
    with op.batch_alter_table("candidates") as batch:
        batch.drop_column("deidentified_at")
        batch.drop_column("closed_at")
    op.drop_index("ix_privacy_consent_candidate", table_name="privacy_consents")
    op.drop_table("privacy_consents")
