"""remittances.settlement_minor: the principal exchanged into the coin's peg currency

Revision ID: settlement_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "settlement_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("remittances") as batch:
        batch.add_column(sa.Column("settlement_minor", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("remittances") as batch:
        batch.drop_column("settlement_minor")
