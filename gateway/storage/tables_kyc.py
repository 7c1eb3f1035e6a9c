"""Tables of the KYC / sanctions area: sanctions list versions (with their raw files, so every
gateway process loads exactly the same lists) and the SEP-9 fields customers submitted."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.storage.sealed import Sealed
from gateway.storage.tables import UTC_DATETIME, metadata

sanctions_lists = sa.Table(
    "sanctions_lists",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    # The screener's content version (sha256 of the files + newest list date).
    sa.Column("version", sa.String(80), nullable=False),
    sa.Column("loaded_at", UTC_DATETIME, nullable=False),
    sa.Column("source", sa.String(20), nullable=False),  # "load" or "snapshot"
    sa.Column("file_names", sa.JSON, nullable=False),
    sa.Column("entry_count", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_sanctions_lists_active", "active"),
)

sanctions_list_files = sa.Table(
    "sanctions_list_files",
    metadata,
    sa.Column("list_id", sa.String(40), sa.ForeignKey("sanctions_lists.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content_gz", sa.LargeBinary, nullable=False),  # gzip-compressed raw file
)

KYC_ROW = ("customer_id",)

# Personal data: the SEP-9 values a customer submitted (never logged, never in audit entries).
customer_kyc = sa.Table(
    "customer_kyc",
    metadata,
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), primary_key=True),
    sa.Column("fields", Sealed("customer_kyc", "fields", "json", KYC_ROW), nullable=False),
    sa.Column("status_reason", sa.String(300), nullable=True),
    sa.Column("updated_at", UTC_DATETIME, nullable=False),
    # Identities this customer was screened under before a change (name, country, birth
    # date, ID): screening covers them too, so a rename never leaves a hit behind.
    sa.Column(
        "former_identities",
        Sealed("customer_kyc", "former_identities", "json", KYC_ROW),
        nullable=True,
    ),
    # Who verified mobile_number ("telegram", "whatsapp", "sender-app:NAME"); NULL: unverified,
    # and the lowest tier is not reached.
    sa.Column("phone_verified_by", sa.String(160), nullable=True),
)

# Personal data: a change to a screened identity (of a watched sender, or a held remittance's
# recipient), with what was screened before, what is claimed now and both screenings' hits.
identity_changes = sa.Table(
    "identity_changes",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("party", sa.String(20), nullable=False),  # "sender" | "recipient"
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=True),
    sa.Column("remittance_id", sa.String(40), sa.ForeignKey("remittances.id"), nullable=True),
    sa.Column("before", Sealed("identity_changes", "before", "json"), nullable=False),
    sa.Column("after", Sealed("identity_changes", "after", "json"), nullable=False),
    sa.Column("hits", Sealed("identity_changes", "hits", "json"), nullable=False),
    sa.Column("list_version", sa.String(80), nullable=True),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Index("ix_identity_changes_customer", "customer_id", "created_at"),
    sa.Index("ix_identity_changes_remittance", "remittance_id", "created_at"),
)

# A tier upgrade under review (compliance.kyc.reviews): who reviews it, its status, the digest
# of the documents it looked at (values stay in customer_kyc) and the decision.
kyc_reviews = sa.Table(
    "kyc_reviews",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("from_tier", sa.String(40), nullable=False),
    sa.Column("tier", sa.String(40), nullable=False),
    sa.Column("reviewer", sa.String(20), nullable=False),  # "provider" | "officer"
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("fields_digest", sa.String(64), nullable=False),
    # When the provider took the submission (NULL: not yet handed over; retried).
    sa.Column("submitted_at", UTC_DATETIME, nullable=True),
    sa.Column("decided_by", sa.String(80), nullable=True),  # officer id or "provider:NAME"
    # The officer's or provider's reason (it may name the person): sealed to the review.
    sa.Column("reason", Sealed("kyc_reviews", "reason"), nullable=True),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Column("decided_at", UTC_DATETIME, nullable=True),
    sa.Index("ix_kyc_reviews_status", "status", "created_at"),
    sa.Index("ix_kyc_reviews_customer", "customer_id", "created_at"),
)

# Provider webhook events already applied: a replay (same event id) is refused, not re-applied.
kyc_provider_events = sa.Table(
    "kyc_provider_events",
    metadata,
    sa.Column("provider", sa.String(60), primary_key=True),
    sa.Column("event_id", sa.String(80), primary_key=True),
    sa.Column("review_id", sa.String(40), nullable=False),
    sa.Column("received_at", UTC_DATETIME, nullable=False),
)

# What customers are told about their KYC (a durable event log like remittance_history): the
# webhook dispatcher and the bot notifier read it forward with their own cursors.
kyc_events = sa.Table(
    "kyc_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("customer_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("owner", sa.String(120), nullable=False),
    sa.Column("type", sa.String(40), nullable=False),  # kyc.upgrade_approved | _rejected
    sa.Column("review_id", sa.String(40), nullable=False),
    sa.Column("tier", sa.String(40), nullable=False),  # the customer's tier after the event
    sa.Column("sought_tier", sa.String(40), nullable=False),
    sa.Column("reason", sa.String(300), nullable=True),
    sa.Column("at", UTC_DATETIME, nullable=False),
)

# Re-screening after a list version is loaded: one run per loaded version, resumable from its
# cursor (the last customer / remittance id screened), with what it found. Ids only.
rescreen_runs = sa.Table(
    "rescreen_runs",
    metadata,
    sa.Column("list_id", sa.String(40), sa.ForeignKey("sanctions_lists.id"), primary_key=True),
    sa.Column("list_version", sa.String(80), nullable=False),
    sa.Column("phase", sa.String(20), nullable=False),  # senders | recipients | done | superseded
    sa.Column("cursor", sa.String(40), nullable=False, server_default=""),
    sa.Column("senders", sa.Integer, nullable=False, server_default="0"),
    sa.Column("recipients", sa.Integer, nullable=False, server_default="0"),
    sa.Column("hits", sa.Integer, nullable=False, server_default="0"),
    sa.Column("held", sa.JSON, nullable=False),  # remittance ids put on hold
    sa.Column("too_late", sa.JSON, nullable=False),  # hit remittances the hold could not stop
    sa.Column("started_at", UTC_DATETIME, nullable=False),
    sa.Column("updated_at", UTC_DATETIME, nullable=False),
    sa.Column("finished_at", UTC_DATETIME, nullable=True),
    sa.Index("ix_rescreen_runs_phase", "phase"),
)
