"""chain: partners' coin returns (Returned events, applied or not) and the watch's block cursor

Revision ID: chain_0002
Revises: kyc_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "chain_0002"
down_revision: str | None = "kyc_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chain_returns",
        sa.Column("tx_hash", sa.String(66), primary_key=True),
        sa.Column("log_index", sa.Integer(), primary_key=True),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("coin", sa.String(16), nullable=False),
        sa.Column("remittance_id", sa.String(40), nullable=False),
        sa.Column("sender", sa.String(42), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("burn_tx", sa.String(66), nullable=True),
        sa.Column("recorded_us", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_chain_returns_remittance", "chain_returns", ["remittance_id"])
    op.create_index("ix_chain_returns_status", "chain_returns", ["status"])
    op.create_table(
        "chain_cursors",
        sa.Column("name", sa.String(120), primary_key=True),
        sa.Column("block", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("chain_cursors")
    op.drop_index("ix_chain_returns_status", table_name="chain_returns")
    op.drop_index("ix_chain_returns_remittance", table_name="chain_returns")
    op.drop_table("chain_returns")
