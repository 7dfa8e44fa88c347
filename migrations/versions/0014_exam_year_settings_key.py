"""exam_years.settings_key: new with every change of the year's rules, routes or review modes (issue 19), so that
processes may keep the settings (core/eligibility/year_settings.py).

Revision ID: 0014
Revises: 0013b
"""
import secrets

from alembic import op
import sqlalchemy as sa

revision = "0014"
down_revision = "0013b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("exam_years") as batch:
        batch.add_column(sa.Column("settings_key", sa.String(16), nullable=True))
    conn = op.get_bind()
    for (year_id,) in conn.execute(sa.text("SELECT id FROM exam_years")).all():  # a handful of rows
        conn.execute(sa.text("UPDATE exam_years SET settings_key = :key WHERE id = :id"),
                     {"key": secrets.token_hex(8), "id": year_id})
    with op.batch_alter_table("exam_years") as batch:
        batch.alter_column("settings_key", existing_type=sa.String(16), nullable=False)


def downgrade():
    with op.batch_alter_table("exam_years") as batch:
        batch.drop_column("settings_key")
