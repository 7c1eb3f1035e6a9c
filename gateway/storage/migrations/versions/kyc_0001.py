"""kyc: sanctions list versions with their files, customers' KYC fields

Revision ID: kyc_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.storage.tables

revision: str = "kyc_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sanctions_lists",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("loaded_at", gateway.storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("file_names", sa.JSON(), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sanctions_lists", schema=None) as batch_op:
        batch_op.create_index("ix_sanctions_lists_active", ["active"], unique=False)
    op.create_table(
        "sanctions_list_files",
        sa.Column("list_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_gz", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["sanctions_lists.id"]),
        sa.PrimaryKeyConstraint("list_id", "position"),
    )
    op.create_table(
        "customer_kyc",
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("status_reason", sa.String(length=300), nullable=True),
        sa.Column("updated_at", gateway.storage.tables.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("customer_id"),
    )


def downgrade() -> None:
    op.drop_table("customer_kyc")
    op.drop_table("sanctions_list_files")
    with op.batch_alter_table("sanctions_lists", schema=None) as batch_op:
        batch_op.drop_index("ix_sanctions_lists_active")
    op.drop_table("sanctions_lists")
