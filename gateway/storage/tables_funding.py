"""Funding tables: the payment references the gateway issues, and every pay-in a partner
reported (credited, parked in suspense, or only authorised). Money itself is only in the ledger;
these rows say where it came from and why it went where it went."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.storage.tables import UTC_DATETIME, metadata

payin_references = sa.Table(
    "payin_references",
    metadata,
    sa.Column("reference", sa.String(40), primary_key=True),
    sa.Column("customer_id", sa.String(40), nullable=False),
    # Null for a wallet top-up reference; a remittance has at most one.
    sa.Column("remittance_id", sa.String(40), nullable=True, unique=True),
    sa.Column("method", sa.String(20), nullable=False),
    sa.Column("currency", sa.String(8), nullable=False),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
)

payins = sa.Table(
    "payins",
    metadata,
    # "{partner_id}:{partner's pay-in id}": the ledger transfer ids derive from it.
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("partner_id", sa.String(64), nullable=False),
    sa.Column("partner_payin_id", sa.String(120), nullable=False),
    sa.Column("method", sa.String(20), nullable=False),
    sa.Column("event", sa.String(20), nullable=False),
    sa.Column("reference", sa.String(64), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(8), nullable=False),
    # authorized | credited | suspense | resolved | returned | refund_pending | refunded
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("reason", sa.String(300), nullable=True),
    sa.Column("customer_id", sa.String(40), nullable=True),
    sa.Column("remittance_id", sa.String(40), nullable=True),
    sa.Column("received_at", UTC_DATETIME, nullable=False),
    sa.Column("updated_at", UTC_DATETIME, nullable=False),
    sa.Index("ix_payins_status", "status"),
    sa.Index("ix_payins_remittance", "remittance_id"),
    sa.Index("ix_payins_partner_received", "partner_id", "received_at"),
)
