"""考场编排 and 准考证 (issue 18)

- exam_sessions (场次 per year, part, level, category), exam_rooms (考场 per site) and exam_room_sessions;
- ticket_windows: per region and year, from when the 准考证 prints and until when its QR code is valid;
- arrangement_runs (seed, plan, report), seat_assignments (published seats and 准考证号), seat_moves,
  arrangement_locks (one run per site at a time);
- registrations.needs_accessible_room.

Revision ID: 0010a
Revises: 0010p
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSONType = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = "0010a"
down_revision = "0010p"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "exam_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("exam_year_id", sa.Integer(), sa.ForeignKey("exam_years.id"), nullable=False),
        sa.Column("part", sa.String(10), nullable=False),
        sa.Column("level", sa.String(10)),
        sa.Column("category", sa.String(20)),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("part IN ('skills', 'written', 'military')", name="ck_exam_session_part"),
        sa.CheckConstraint("ends_at > starts_at", name="ck_exam_session_times"),
    )
    op.create_index("ix_exam_sessions_exam_year_id", "exam_sessions", ["exam_year_id"])
    op.create_table(
        "exam_rooms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(120)),
        sa.Column("floor", sa.String(20)),
        sa.Column("accessible", sa.Boolean(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("site_id", "number", name="uq_exam_room_site_number"),
        sa.CheckConstraint("capacity > 0 AND capacity <= 999", name="ck_exam_room_capacity"),
        sa.CheckConstraint("number > 0 AND number <= 999", name="ck_exam_room_number"),
    )
    op.create_index("ix_exam_rooms_site_id", "exam_rooms", ["site_id"])
    op.create_table(
        "exam_room_sessions",
        sa.Column("room_id", sa.Integer(), sa.ForeignKey("exam_rooms.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("exam_sessions.id", ondelete="CASCADE"),
                  primary_key=True),
    )
    op.create_table(
        "ticket_windows",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("region_id", sa.Integer(), sa.ForeignKey("regions.id"), nullable=False),
        sa.Column("exam_year_id", sa.Integer(), sa.ForeignKey("exam_years.id"), nullable=False),
        sa.Column("opens_at", sa.DateTime(), nullable=False),
        sa.Column("valid_until", sa.DateTime(), nullable=False),
        sa.Column("rules", sa.Text()),
        sa.UniqueConstraint("region_id", "exam_year_id", name="uq_ticket_window"),
        sa.CheckConstraint("valid_until > opens_at", name="ck_ticket_window_times"),
    )
    op.create_table(
        "arrangement_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("exam_year_id", sa.Integer(), sa.ForeignKey("exam_years.id"), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("base_run_id", sa.Integer()),
        sa.Column("plan", JSONType, nullable=False),
        sa.Column("unplaced", JSONType, nullable=False),
        sa.Column("placed_count", sa.Integer(), nullable=False),
        sa.Column("moved_count", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("ab_user.id")),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime()),
        sa.CheckConstraint("state IN ('draft', 'published', 'discarded')", name="ck_arrangement_run_state"),
    )
    op.create_index("ix_arrangement_runs_site_id", "arrangement_runs", ["site_id"])
    op.create_table(
        "seat_assignments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("registration_id", sa.Integer(), sa.ForeignKey("registrations.id"), nullable=False,
                  unique=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("room_id", sa.Integer(), sa.ForeignKey("exam_rooms.id"), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=False),
        sa.Column("admission_number", sa.String(20), nullable=False, unique=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("arrangement_runs.id"), nullable=False),
        sa.UniqueConstraint("room_id", "seat", name="uq_seat_room_seat"),
        sa.CheckConstraint("seat > 0", name="ck_seat_positive"),
    )
    op.create_index("ix_seat_assignments_site_id", "seat_assignments", ["site_id"])
    op.create_table(
        "seat_moves",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("arrangement_runs.id"), nullable=False),
        sa.Column("registration_id", sa.Integer(), sa.ForeignKey("registrations.id"), nullable=False),
        sa.Column("from_number", sa.String(20)),
        sa.Column("to_number", sa.String(20)),
        sa.Column("reason", sa.String(60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_seat_moves_run_id", "seat_moves", ["run_id"])
    op.create_index("ix_seat_moves_registration_id", "seat_moves", ["registration_id"])
    op.create_table(
        "arrangement_locks",
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), primary_key=True),
        sa.Column("holder", sa.String(60), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
    )
    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("needs_accessible_room", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("needs_accessible_room")
    for table in ("arrangement_locks", "seat_moves", "seat_assignments", "arrangement_runs", "ticket_windows",
                  "exam_room_sessions", "exam_rooms", "exam_sessions"):
        op.drop_table(table)
