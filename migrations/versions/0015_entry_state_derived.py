"""Entries' 锁定 derived, not stored (issue 19): educations / trainings / certificates lose ``state``.

An entry is verified when ``verified_at`` is set, and locked while a live submitted registration uses it
(registration_entries): core/models/candidate.py. A ``verified`` row without its time keeps the tick
(``verified_at`` from ``updated_at``); a stored ``locked`` no registration justifies any more simply goes.

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = {"educations": ("education_id", "ck_education_state"), "trainings": ("training_id", "ck_training_state"),
          "certificates": ("certificate_id", "ck_certificate_state")}
LIVE_SUBMITTED = "('submitted', 'approved', 'correction', 'corrected', 'lapsed')"  # as at this revision


def upgrade():
    for table, (_column, check) in TABLES.items():
        op.execute(f"UPDATE {table} SET verified_at = updated_at WHERE state = 'verified' AND verified_at IS NULL")
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(check, type_="check")
            batch.drop_column("state")


def downgrade():
    for table, (column, check) in TABLES.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("state", sa.String(10), nullable=False, server_default="editable"))
        op.execute(f"UPDATE {table} SET state = 'verified' WHERE verified_at IS NOT NULL")
        op.execute(f"UPDATE {table} SET state = 'locked' WHERE verified_at IS NULL AND EXISTS ("
                   f"SELECT 1 FROM registration_entries e JOIN registrations r ON r.id = e.registration_id "
                   f"WHERE e.{column} = {table}.id AND r.status IN {LIVE_SUBMITTED})")
        with op.batch_alter_table(table) as batch:
            batch.create_check_constraint(check, "state IN ('editable', 'locked', 'verified')")
