"""travel: travel-rule data bound to each remittance that needs it, kept for the retention period

Revision ID: travel_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.storage.tables

revision: str = "travel_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gateway.storage.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "travel_rule_records",
        sa.Column(
            "remittance_id", sa.String(length=40), sa.ForeignKey("remittances.id"), primary_key=True
        ),
        sa.Column("regime", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("originator", sa.JSON(), nullable=False),
        sa.Column("beneficiary", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("keep_until", UTC, nullable=False),
    )
    op.create_index("ix_travel_rule_records_keep_until", "travel_rule_records", ["keep_until"])


def downgrade() -> None:
    op.drop_index("ix_travel_rule_records_keep_until", table_name="travel_rule_records")
    op.drop_table("travel_rule_records")
