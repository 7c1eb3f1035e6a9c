"""Error-resolution cases a sender opened (12 CFR 1005.33 and the like), with their clocks."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.storage.sealed import Sealed
from gateway.storage.tables import UTC_DATETIME, metadata

error_cases = sa.Table(
    "error_cases",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("remittance_id", sa.String(40), sa.ForeignKey("remittances.id"), nullable=False),
    sa.Column("owner", sa.String(120), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # wrong_amount | not_received | late
    sa.Column("description", Sealed("error_cases", "description"), nullable=False),
    # open | acknowledged | investigating | resolved (compliance.protections.error_cases)
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("rule", sa.String(200), nullable=False),
    sa.Column("reported_at", UTC_DATETIME, nullable=False),
    sa.Column("acknowledge_by", UTC_DATETIME, nullable=False),
    sa.Column("investigate_by", UTC_DATETIME, nullable=False),
    sa.Column("report_business_days", sa.Integer, nullable=False),
    sa.Column("acknowledged_at", UTC_DATETIME, nullable=True),
    sa.Column("found_at", UTC_DATETIME, nullable=True),
    sa.Column("reported_outcome_at", UTC_DATETIME, nullable=True),
    sa.Column("updated_at", UTC_DATETIME, nullable=True),
    sa.Column("remedy", sa.String(20), nullable=True),  # refund | resend | no_error
    sa.Column("remedy_minor", sa.BigInteger, nullable=True),  # refund, in the send currency
    sa.Column("resend_id", sa.String(40), nullable=True),  # the remittance that resends it
    sa.Column("finding", sa.String(1000), nullable=True),  # what the officer found, for the sender
    sa.Index("ix_error_cases_remittance", "remittance_id"),
)
