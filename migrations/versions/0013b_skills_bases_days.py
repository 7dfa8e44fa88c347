"""实践技能 bases managed by the region, and 实践技能 by day (issue 18).

- sites.hosts_skills: the site may be a 实践技能基地 (可承担实践技能). Sites already named as a base are marked.
- arrangement_runs.sessions: for a 实践技能 run, the session (day or half-day) of each placed registration.

Revision ID: 0013b
Revises: 0012f
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0013b"
down_revision = "0012f"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("hosts_skills", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE sites SET hosts_skills = true WHERE id IN "
               "(SELECT skills_base_id FROM sites WHERE skills_base_id IS NOT NULL)")
    with op.batch_alter_table("arrangement_runs") as batch:
        batch.add_column(sa.Column("sessions", JSONType, nullable=False, server_default="{}"))


def downgrade():
    with op.batch_alter_table("arrangement_runs") as batch:
        batch.drop_column("sessions")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("hosts_skills")
