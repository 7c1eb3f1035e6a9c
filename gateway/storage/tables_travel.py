"""Travel-rule data bound to a remittance: written with it, never changed, sent with its payout
instruction, kept for the regime's retention period (keep_until)."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.storage.sealed import Sealed
from gateway.storage.tables import UTC_DATETIME, metadata

travel_rule_records = sa.Table(
    "travel_rule_records",
    metadata,
    sa.Column("remittance_id", sa.String(40), sa.ForeignKey("remittances.id"), primary_key=True),
    sa.Column("regime", sa.String(40), nullable=False),
    sa.Column("rule", sa.String(200), nullable=False),
    sa.Column(
        "originator",
        Sealed("travel_rule_records", "originator", "json", ("remittance_id",)),
        nullable=False,
    ),
    sa.Column(
        "beneficiary",
        Sealed("travel_rule_records", "beneficiary", "json", ("remittance_id",)),
        nullable=False,
    ),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Column("keep_until", UTC_DATETIME, nullable=False, index=True),
)
