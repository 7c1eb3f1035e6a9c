"""Outgoing webhooks to sending apps: one endpoint per app (owner = the API key's name, as on
remittances.owner), and an outbox of deliveries keyed by event id (= remittance_history.id), so
a retry sends the same event id and receivers dedupe by it."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.storage.sealed import Sealed
from gateway.storage.tables import UTC_DATETIME, metadata

webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    sa.Column("owner", sa.String(120), primary_key=True),
    sa.Column("url", sa.String(500), nullable=False),
    # Readable to sign; newest first, like partners.secrets.
    sa.Column("secrets", sa.JSON, nullable=False),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Column("updated_at", UTC_DATETIME, nullable=False),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("owner", sa.String(120), nullable=False),
    # The event as sent (its reason may carry an officer's words to the sender): sealed.
    sa.Column(
        "payload", Sealed("webhook_deliveries", "payload", "json", ("event_id",)), nullable=False
    ),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    # NULL once delivered or given up.
    sa.Column("next_attempt_at", UTC_DATETIME, nullable=True),
    sa.Column("delivered_at", UTC_DATETIME, nullable=True),
    sa.Column("last_error", sa.String(300), nullable=True),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Index("ix_webhook_deliveries_due", "next_attempt_at"),
)
