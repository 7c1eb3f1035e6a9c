"""Tables of the messaging bots: conversations survive a restart, platform deliveries and button
taps are remembered so a replay never acts twice, and each bot remittance names its chat."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.storage.sealed import Sealed
from gateway.storage.tables import UTC_DATETIME, metadata

# chat_id in these tables is the blind index of "platform:chat" (a WhatsApp chat is a phone
# number); the chat itself, to send to, is sealed in bot_conversations.chat.
CHAT_ROW = ("platform", "chat_id")

bot_conversations = sa.Table(
    "bot_conversations",
    metadata,
    sa.Column("platform", sa.String(16), primary_key=True),
    sa.Column("chat_id", sa.String(64), primary_key=True),
    sa.Column("chat", Sealed("bot_conversations", "chat", "text", CHAT_ROW), nullable=True),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("state", sa.String(32), nullable=False),
    # The draft being built (corridor, amount, recipient fields, quote id); personal data.
    sa.Column("data", Sealed("bot_conversations", "data", "json", CHAT_ROW), nullable=False),
    sa.Column("customer_id", sa.String(40), nullable=True),
    sa.Column("updated_at", UTC_DATETIME, nullable=False),
)

bot_deliveries = sa.Table(
    "bot_deliveries",
    metadata,
    sa.Column("platform", sa.String(16), primary_key=True),
    # Telegram update_id or WhatsApp message id: a platform retry carries the same key.
    sa.Column("delivery_id", sa.String(200), primary_key=True),
    sa.Column("received_at", UTC_DATETIME, nullable=False),
)

bot_actions = sa.Table(
    "bot_actions",
    metadata,
    # Button payloads carry only this id; what the button does is stored here.
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("chat_id", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("data", Sealed("bot_actions", "data", "json"), nullable=False),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Column("used_at", UTC_DATETIME, nullable=True),
)

bot_remittances = sa.Table(
    "bot_remittances",
    metadata,
    sa.Column("remittance_id", sa.String(40), primary_key=True),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("chat_id", sa.String(64), nullable=False),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Index("ix_bot_remittances_chat", "platform", "chat_id", "created_at"),
)

bot_recipients = sa.Table(
    "bot_recipients",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("chat_id", sa.String(64), nullable=False),
    sa.Column("corridor_id", sa.String(40), nullable=False),
    # Normalised recipient fields as validated for the corridor; personal data.
    sa.Column("data", Sealed("bot_recipients", "data", "json"), nullable=False),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Index("ix_bot_recipients_chat", "platform", "chat_id"),
)
