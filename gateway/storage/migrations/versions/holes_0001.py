"""holes: identity changes of watched senders and held recipients; former identities screened

Revision ID: holes_0001
Revises: kyc_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.storage.tables

revision: str = "holes_0001"
down_revision: str | None = "kyc_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customer_kyc", schema=None) as batch_op:
        batch_op.add_column(sa.Column("former_identities", sa.JSON(), nullable=True))
    op.create_table(
        "identity_changes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("party", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("remittance_id", sa.String(length=40), nullable=True),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.Column("list_version", sa.String(length=80), nullable=True),
        sa.Column("created_at", gateway.storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.ForeignKeyConstraint(["remittance_id"], ["remittances.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("identity_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_identity_changes_customer", ["customer_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_identity_changes_remittance", ["remittance_id", "created_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("identity_changes")
    with op.batch_alter_table("customer_kyc", schema=None) as batch_op:
        batch_op.drop_column("former_identities")
