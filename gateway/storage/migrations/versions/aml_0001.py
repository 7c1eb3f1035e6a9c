"""remittances.recipient_key, indexed with created_at: AML history by recipient without a scan

Revision ID: aml_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "aml_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("remittances") as batch:
        batch.add_column(sa.Column("recipient_key", sa.String(40), nullable=True))
        batch.create_index("ix_remittances_recipient_created", ["recipient_key", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("remittances") as batch:
        batch.drop_index("ix_remittances_recipient_created")
        batch.drop_column("recipient_key")
