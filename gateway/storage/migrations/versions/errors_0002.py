"""errors: error cases are acknowledged, investigated and resolved with a remedy; history rows
can record an event (the sender is told the outcome)

Revision ID: errors_0002
Revises: errors_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.storage.tables

revision: str = "errors_0002"
down_revision: str | None = "errors_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gateway.storage.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("error_cases") as batch:
        batch.add_column(sa.Column("updated_at", UTC, nullable=True))
        batch.add_column(sa.Column("remedy", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("remedy_minor", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("resend_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("finding", sa.String(length=1000), nullable=True))
    with op.batch_alter_table("remittance_history") as batch:
        batch.add_column(sa.Column("event", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("remittance_history") as batch:
        batch.drop_column("event")
    with op.batch_alter_table("error_cases") as batch:
        for name in ("finding", "resend_id", "remedy_minor", "remedy", "updated_at"):
            batch.drop_column(name)
