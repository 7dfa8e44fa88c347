"""网上资格审核 (issue 16): review modes, documents, the documents a registration uses, review states

- review_modes: per region and exam year 现场审核 or 网上审核, the review window, the 补正 deadline rule;
- documents: a candidate's uploads (keys in core.storage); registration_documents: the ones a submitted
  registration uses, frozen at submission, with the reviewer's verdict, reasons and note;
- registrations: online_review, correction_deadline, review_version; three live states (correction,
  corrected, lapsed) in ck_registration_status and in the partial unique index uq_registration_live.

Revision ID: 0010d
Revises: 0010a
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0010d"
down_revision = "0010a"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OLD_STATUSES = "status IN ('draft', 'submitted', 'approved', 'rejected', 'abandoned', 'expired')"
NEW_STATUSES = ("status IN ('draft', 'submitted', 'approved', 'rejected', 'abandoned', 'expired', "
                "'correction', 'corrected', 'lapsed')")
OLD_LIVE = "status IN ('draft', 'submitted', 'approved')"
NEW_LIVE = "status IN ('draft', 'submitted', 'approved', 'correction', 'corrected', 'lapsed')"


def _statuses(check: str, live: str) -> None:
    op.drop_index("uq_registration_live", table_name="registrations")
    with op.batch_alter_table("registrations") as batch:
        batch.drop_constraint("ck_registration_status", type_="check")
        batch.create_check_constraint("ck_registration_status", sa.text(check))
    op.create_index("uq_registration_live", "registrations", ["candidate_id", "exam_year_id"], unique=True,
                    sqlite_where=sa.text(live), postgresql_where=sa.text(live))


def upgrade():
    op.create_table(
        "review_modes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("region_id", sa.Integer(), sa.ForeignKey("regions.id"), nullable=False),
        sa.Column("exam_year_id", sa.Integer(), sa.ForeignKey("exam_years.id"), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("review_start", sa.Date(), nullable=False),
        sa.Column("review_end", sa.Date(), nullable=False),
        sa.Column("correction_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("region_id", "exam_year_id", name="uq_review_mode_region_year"),
        sa.CheckConstraint("mode IN ('onsite', 'online')", name="ck_review_mode_mode"),
        sa.CheckConstraint("review_end >= review_start", name="ck_review_mode_window"),
        sa.CheckConstraint("correction_days BETWEEN 1 AND 60", name="ck_review_mode_correction_days"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("candidate_id", sa.Integer(), sa.ForeignKey("candidates.id"), nullable=False),
        sa.Column("slot", sa.String(40), nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(60), nullable=False, unique=True),
        sa.Column("thumb_key", sa.String(60), nullable=False),
        sa.Column("page_keys", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_documents_candidate_id", "documents", ["candidate_id"])
    op.create_table(
        "registration_documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("registration_id", sa.Integer(), sa.ForeignKey("registrations.id"), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("slot", sa.String(40), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("reasons", JSON, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), sa.ForeignKey("ab_user.id"), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("registration_id", "slot", name="uq_registration_document_slot"),
        sa.CheckConstraint("verdict IN ('pending', 'passed', 'correction')",
                           name="ck_registration_document_verdict"),
    )
    op.create_index("ix_registration_documents_document_id", "registration_documents", ["document_id"])
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("online_review", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("correction_deadline", sa.Date(), nullable=True))
        batch.add_column(sa.Column("review_version", sa.Integer(), nullable=False, server_default="0"))
    _statuses(NEW_STATUSES, NEW_LIVE)


def downgrade():
    op.execute("UPDATE registrations SET status = 'submitted' WHERE status IN ('correction', 'corrected', 'lapsed')")
    _statuses(OLD_STATUSES, OLD_LIVE)
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("review_version")
        batch.drop_column("correction_deadline")
        batch.drop_column("online_review")
    op.drop_table("registration_documents")
    op.drop_table("documents")
    op.drop_table("review_modes")
