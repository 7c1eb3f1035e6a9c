"""chain: a partner's returned coin that the books do not take sent back to it (operator)

Revision ID: chain_0003
Revises: privacy_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "chain_0003"
down_revision: str | None = "privacy_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chain_returns") as batch:
        batch.add_column(sa.Column("send_back_reason", sa.String(200), nullable=True))
        batch.add_column(sa.Column("send_back_tx", sa.String(66), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chain_returns") as batch:
        batch.drop_column("send_back_tx")
        batch.drop_column("send_back_reason")
