"""chain: the transaction store (signed bytes before broadcast), remittances settled on chain,
and the partners' chain addresses

Revision ID: chain_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "chain_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chain_txs",
        sa.Column("hash", sa.String(66), primary_key=True),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("sender", sa.String(42), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("purpose", sa.String(24), nullable=False),
        sa.Column("coin", sa.String(16), nullable=False),
        sa.Column("to_address", sa.String(42), nullable=True),
        sa.Column("created_address", sa.String(42), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("gas_used", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_us", sa.BigInteger(), nullable=False),
        sa.Column("sent_us", sa.BigInteger(), nullable=True),
        sa.Column("mined_us", sa.BigInteger(), nullable=True),
        sa.UniqueConstraint("chain_id", "sender", "nonce", name="uq_chain_txs_nonce"),
    )
    op.create_index("ix_chain_txs_status", "chain_txs", ["status"])
    op.create_table(
        "chain_items",
        sa.Column("remittance_id", sa.String(40), primary_key=True),
        sa.Column("coin", sa.String(16), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("receiver", sa.String(42), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("mint_tx", sa.String(66), nullable=True),
        sa.Column("settle_tx", sa.String(66), nullable=True),
        sa.Column("log_index", sa.Integer(), nullable=True),
        sa.Column("queued_us", sa.BigInteger(), nullable=False),
        sa.Column("settled_us", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_chain_items_status", "chain_items", ["status"])
    op.create_index("ix_chain_items_settle_tx", "chain_items", ["settle_tx"])
    with op.batch_alter_table("partners") as batch:
        batch.add_column(sa.Column("chain_address", sa.String(42), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("partners") as batch:
        batch.drop_column("chain_address")
    op.drop_index("ix_chain_items_settle_tx", table_name="chain_items")
    op.drop_index("ix_chain_items_status", table_name="chain_items")
    op.drop_table("chain_items")
    op.drop_index("ix_chain_txs_status", table_name="chain_txs")
    op.drop_table("chain_txs")
