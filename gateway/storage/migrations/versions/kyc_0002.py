"""kyc: verified phones, tier-upgrade reviews, provider webhook events, KYC events

Customers accepted before this revision never had their phone verified (the lowest tier was
granted from a name): they go back to needs_info until a verified phone arrives.

Revision ID: kyc_0002
Revises: privacy_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.storage.tables

revision: str = "kyc_0002"
down_revision: str | None = "privacy_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gateway.storage.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("customer_kyc", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_verified_by", sa.String(length=160), nullable=True))
    op.create_table(
        "kyc_reviews",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("from_tier", sa.String(length=40), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.Column("reviewer", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("fields_digest", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", UTC, nullable=True),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("decided_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("kyc_reviews", schema=None) as batch_op:
        batch_op.create_index("ix_kyc_reviews_status", ["status", "created_at"], unique=False)
        batch_op.create_index(
            "ix_kyc_reviews_customer", ["customer_id", "created_at"], unique=False
        )
    op.create_table(
        "kyc_provider_events",
        sa.Column("provider", sa.String(length=60), nullable=False),
        sa.Column("event_id", sa.String(length=80), nullable=False),
        sa.Column("review_id", sa.String(length=40), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("provider", "event_id"),
    )
    op.create_table(
        "kyc_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("review_id", sa.String(length=40), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.Column("sought_tier", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("UPDATE customers SET status = 'needs_info' WHERE status = 'accepted'")


def downgrade() -> None:
    op.drop_table("kyc_events")
    op.drop_table("kyc_provider_events")
    with op.batch_alter_table("kyc_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_kyc_reviews_customer")
        batch_op.drop_index("ix_kyc_reviews_status")
    op.drop_table("kyc_reviews")
    with op.batch_alter_table("customer_kyc", schema=None) as batch_op:
        batch_op.drop_column("phone_verified_by")
