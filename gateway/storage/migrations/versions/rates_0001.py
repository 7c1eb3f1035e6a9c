"""rates: rate sets refreshed by the operator, the only rates firm quotes use outside sample mode

Revision ID: rates_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.storage.tables

revision: str = "rates_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gateway.storage.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rate_sets",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("origin", sa.String(length=500), nullable=False),
        sa.Column("as_of", UTC, nullable=False),
        sa.Column("loaded_at", UTC, nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("pair_count", sa.Integer(), nullable=False),
        sa.Column("pairs", sa.Text(), nullable=False),
    )
    op.create_index("ix_rate_sets_kind_loaded", "rate_sets", ["kind", "loaded_at"])


def downgrade() -> None:
    op.drop_table("rate_sets")
