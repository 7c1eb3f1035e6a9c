"""quotes.requote_for: new quotes offered to a remittance in requote

Revision ID: requote_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "requote_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quotes") as batch:
        batch.add_column(sa.Column("requote_for", sa.String(length=40), nullable=True))
        batch.create_index("ix_quotes_requote_for", ["requote_for"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quotes") as batch:
        batch.drop_index("ix_quotes_requote_for")
        batch.drop_column("requote_for")
