"""index on candidates.photo_path

`flask photos prune` checks the profile photo files on disk in batches (``WHERE photo_path IN (...)``);
without this index each batch would read the whole candidates table. A plain b-tree: the column is NULL
until a candidate uploads a photo, and every candidate who registers has one.

Revision ID: 0008
Revises: 0007
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_candidates_photo_path", "candidates", ["photo_path"])


def downgrade():
    op.drop_index("ix_candidates_photo_path", table_name="candidates")
