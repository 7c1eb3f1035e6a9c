"""errors: error-resolution cases opened by senders, with their clocks

Revision ID: errors_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.storage.tables

revision: str = "errors_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gateway.storage.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "error_cases",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column(
            "remittance_id", sa.String(length=40), sa.ForeignKey("remittances.id"), nullable=False
        ),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("reported_at", UTC, nullable=False),
        sa.Column("acknowledge_by", UTC, nullable=False),
        sa.Column("investigate_by", UTC, nullable=False),
        sa.Column("report_business_days", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", UTC, nullable=True),
        sa.Column("found_at", UTC, nullable=True),
        sa.Column("reported_outcome_at", UTC, nullable=True),
    )
    op.create_index("ix_error_cases_remittance", "error_cases", ["remittance_id"])


def downgrade() -> None:
    op.drop_index("ix_error_cases_remittance", table_name="error_cases")
    op.drop_table("error_cases")
