"""audit log: de-identification after its retention period (issue 20, item 4)

The audit log stays append-only (migration 0002) with one exception, enforced by the database: an entry
older than six months (网络安全法 Art. 21: network logs are kept at least six months) may be *de-identified
once* — ``deidentified_at`` set, ``actor_name``, ``before``, ``after`` and ``ip`` cleared to NULL,
``actor_id`` and ``object_id`` kept or cleared to NULL, every other column unchanged. Any other UPDATE, a
second de-identification and every DELETE are still refused. The retention job (core/privacy/retention.py,
kind ``audit``) is the one caller.

Revision ID: 0012f
Revises: 0012c
"""
from alembic import op
import sqlalchemy as sa

revision = "0012f"
down_revision = '0012c'
branch_labels = None
depends_on = None

MESSAGE = "audit_log is append-only"
# The one permitted UPDATE, in SQL both PostgreSQL and SQLite read (``IS`` is null-safe on both).
PERMITTED = """
    OLD.deidentified_at IS NULL AND NEW.deidentified_at IS NOT NULL
    AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor_type = OLD.actor_type AND NEW.action = OLD.action
    AND {same_object_type}
    AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
    AND (NEW.object_id IS NULL OR NEW.object_id = OLD.object_id)
    AND NEW.actor_name IS NULL AND NEW.before IS NULL AND NEW.after IS NULL AND NEW.ip IS NULL
    AND OLD.at < {six_months_ago}"""
PG_PERMITTED = PERMITTED.format(same_object_type="NEW.object_type IS NOT DISTINCT FROM OLD.object_type",
                                six_months_ago="(now() AT TIME ZONE 'UTC') - interval '180 days'")
SQLITE_PERMITTED = PERMITTED.format(same_object_type="NEW.object_type IS OLD.object_type",
                                    six_months_ago="datetime('now', '-180 days')")


def upgrade():
    op.add_column("audit_log", sa.Column("deidentified_at", sa.DateTime(), nullable=True))  # no table copy
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger AS $$
            BEGIN
              IF TG_OP = 'UPDATE' AND {PG_PERMITTED} THEN RETURN NEW; END IF;
              RAISE EXCEPTION '{MESSAGE}';
            END; $$ LANGUAGE plpgsql""")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute(f"""
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            WHEN NOT ({SQLITE_PERMITTED})
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql""")
        op.drop_column("audit_log", "deidentified_at")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute(f"""
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
        op.execute("ALTER TABLE audit_log DROP COLUMN deidentified_at")
