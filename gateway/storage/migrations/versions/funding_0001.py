"""funding: payment references and pay-ins

Revision ID: funding_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.storage.tables

revision: str = "funding_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gateway.storage.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "payin_references",
        sa.Column("reference", sa.String(length=40), primary_key=True),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("remittance_id", sa.String(length=40), nullable=True, unique=True),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_table(
        "payins",
        sa.Column("id", sa.String(length=200), primary_key=True),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("partner_payin_id", sa.String(length=120), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("remittance_id", sa.String(length=40), nullable=True),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
    )
    op.create_index("ix_payins_status", "payins", ["status"])
    op.create_index("ix_payins_remittance", "payins", ["remittance_id"])
    op.create_index("ix_payins_partner_received", "payins", ["partner_id", "received_at"])


def downgrade() -> None:
    op.drop_table("payins")
    op.drop_table("payin_references")
