"""online payment: order expiry (time_expire sent to the gateway) and the receipt number

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payment_orders") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("receipt_no", sa.String(length=32), nullable=True))
        batch.create_unique_constraint("uq_payment_orders_receipt_no", ["receipt_no"])


def downgrade():
    with op.batch_alter_table("payment_orders") as batch:
        batch.drop_constraint("uq_payment_orders_receipt_no", type_="unique")
        batch.drop_column("receipt_no")
        batch.drop_column("expires_at")
