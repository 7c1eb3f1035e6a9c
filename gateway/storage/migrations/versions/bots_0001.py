"""bots: conversations, deliveries, button actions, bot remittances, saved recipients

Revision ID: bots_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.storage.tables

revision: str = "bots_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gateway.storage.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bot_conversations",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("platform", "chat_id"),
    )
    op.create_table(
        "bot_deliveries",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("platform", "delivery_id"),
    )
    op.create_table(
        "bot_actions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "bot_remittances",
        sa.Column("remittance_id", sa.String(length=40), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("remittance_id"),
    )
    op.create_index(
        "ix_bot_remittances_chat", "bot_remittances", ["platform", "chat_id", "created_at"]
    )
    op.create_table(
        "bot_recipients",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("corridor_id", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bot_recipients_chat", "bot_recipients", ["platform", "chat_id"])


def downgrade() -> None:
    op.drop_index("ix_bot_recipients_chat", table_name="bot_recipients")
    op.drop_table("bot_recipients")
    op.drop_index("ix_bot_remittances_chat", table_name="bot_remittances")
    op.drop_table("bot_remittances")
    op.drop_table("bot_actions")
    op.drop_table("bot_deliveries")
    op.drop_table("bot_conversations")
