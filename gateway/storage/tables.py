"""The gateway's tables (SQLAlchemy Core on SQLModel's metadata, so the ledger's SQLModel tables
and ours are created and migrated together). Money is stored as integers in minor units."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from gateway.storage.sealed import Sealed

metadata = SQLModel.metadata


class UtcDateTime(sa.TypeDecorator):
    """Timezone-aware UTC in and out on every database (SQLite keeps no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the gateway stores UTC-aware times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


UTC_DATETIME = UtcDateTime()


def _id() -> sa.Column:
    return sa.Column("id", sa.String(40), primary_key=True)


api_keys = sa.Table(
    "api_keys",
    metadata,
    _id(),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("partner_id", sa.String(64), nullable=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Column("revoked_at", UTC_DATETIME, nullable=True),
)

partners = sa.Table(
    "partners",
    metadata,
    _id(),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("base_url", sa.String(500), nullable=True),
    sa.Column("callback_url", sa.String(500), nullable=True),
    # HMAC secrets must be readable to sign; JSON list, newest first, with expiry for rotation.
    sa.Column("secrets", sa.JSON, nullable=False),
    sa.Column("kinds", sa.String(40), nullable=False, server_default="payout"),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    # Where the partner is paid in coin on chain (checksummed); none: settled in the ledger only.
    sa.Column("chain_address", sa.String(42), nullable=True),
)

customers = sa.Table(
    "customers",
    metadata,
    _id(),
    sa.Column("owner", sa.String(120), nullable=False),
    # Personal data sealed (gateway.storage.sealed); found by blind index (HMAC), never by value.
    sa.Column("external_id", Sealed("customers", "external_id"), nullable=False),
    sa.Column("external_id_index", sa.String(32), nullable=True),
    sa.Column("name", Sealed("customers", "name"), nullable=False),
    sa.Column("phone", Sealed("customers", "phone"), nullable=True),
    sa.Column("phone_index", sa.String(32), nullable=True),
    sa.Column("country", Sealed("customers", "country"), nullable=False),
    sa.Column("birth_date", Sealed("customers", "birth_date", "date"), nullable=True),
    sa.Column("tier", sa.String(40), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Column("updated_at", UTC_DATETIME, nullable=False),
    # When the relationship ended (erasure and retention count from it); None while active.
    sa.Column("ended_at", UTC_DATETIME, nullable=True),
    sa.Column("erased_at", UTC_DATETIME, nullable=True),
    sa.Index("uq_customers_owner_external_index", "owner", "external_id_index", unique=True),
    sa.Index("ix_customers_phone_index", "phone_index"),
)

quotes = sa.Table(
    "quotes",
    metadata,
    _id(),
    sa.Column("owner", sa.String(120), nullable=False),
    sa.Column("corridor_id", sa.String(40), nullable=False),
    sa.Column("send_currency", sa.String(8), nullable=False),
    sa.Column("receive_currency", sa.String(8), nullable=False),
    sa.Column("send_amount_minor", sa.BigInteger, nullable=False),
    sa.Column("fee_minor", sa.BigInteger, nullable=False),
    sa.Column("receive_amount_minor", sa.BigInteger, nullable=False),
    sa.Column("mid_rate", sa.String(40), nullable=False),
    sa.Column("rate", sa.String(40), nullable=False),
    sa.Column("rate_source", sa.String(80), nullable=False),
    sa.Column("rate_as_of", UTC_DATETIME, nullable=False),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Column("expires_at", UTC_DATETIME, nullable=False),
    # A firm quote is locked to at most one remittance.
    sa.Column("remittance_id", sa.String(40), nullable=True, unique=True),
    # A new quote offered to a remittance in `requote`: only that remittance may accept it (by
    # pointing its quote_id here), and no new remittance may be made from it.
    sa.Column("requote_for", sa.String(40), nullable=True),
    sa.Index("ix_quotes_requote_for", "requote_for"),
)

remittances = sa.Table(
    "remittances",
    metadata,
    _id(),
    sa.Column("owner", sa.String(120), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("quote_id", sa.String(40), sa.ForeignKey("quotes.id"), nullable=False),
    sa.Column("sender_id", sa.String(40), sa.ForeignKey("customers.id"), nullable=False),
    sa.Column("corridor_id", sa.String(40), nullable=False),
    sa.Column("partner_id", sa.String(64), nullable=False),
    sa.Column("recipient", Sealed("remittances", "recipient", "json"), nullable=False),
    # Blind index of corridor + payout account (gateway.domain.recipient_keys), for AML lookups.
    sa.Column("recipient_key", sa.String(40), nullable=True),
    sa.Column("funding_method", sa.String(20), nullable=False),
    sa.Column("send_currency", sa.String(8), nullable=False),
    sa.Column("receive_currency", sa.String(8), nullable=False),
    sa.Column("send_amount_minor", sa.BigInteger, nullable=False),
    sa.Column("fee_minor", sa.BigInteger, nullable=False),
    sa.Column("receive_amount_minor", sa.BigInteger, nullable=False),
    sa.Column("settlement_asset", sa.String(8), nullable=False),
    # Principal exchanged into the coin's peg currency (minor units), when the send currency
    # is not the peg; fixed once, at conversion.
    sa.Column("settlement_minor", sa.BigInteger, nullable=True),
    sa.Column("funding_deadline", UTC_DATETIME, nullable=True),
    sa.Column("funding_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("partner_reference", sa.String(120), nullable=True),
    sa.Column("payout_status", sa.String(20), nullable=True),
    sa.Column("failure_reason", sa.String(200), nullable=True),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Column("updated_at", UTC_DATETIME, nullable=False),
    # Work scheduling: a step may run when next_attempt_at has passed and no live lease exists.
    sa.Column("next_attempt_at", UTC_DATETIME, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.String(300), nullable=True),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_until", UTC_DATETIME, nullable=True),
    sa.Index("ix_remittances_due", "next_attempt_at"),
    sa.Index("ix_remittances_sender_created", "sender_id", "created_at"),
    sa.Index("ix_remittances_recipient_created", "recipient_key", "created_at"),
)

remittance_history = sa.Table(
    "remittance_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("remittance_id", sa.String(40), sa.ForeignKey("remittances.id"), nullable=False),
    sa.Column("from_status", sa.String(20), nullable=True),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("at", UTC_DATETIME, nullable=False),
    sa.Column("reason", sa.String(300), nullable=False),
    # Set on rows that record an event rather than a move (the outcome of an error case):
    # webhooks carry it as the event's type, the bots push its own message.
    sa.Column("event", sa.String(40), nullable=True),
    sa.Index("ix_history_remittance", "remittance_id", "id"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("api_key_id", sa.String(40), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("method", sa.String(8), nullable=False),
    sa.Column("path", sa.String(300), nullable=False),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False),
    # The first answer, replayed; it can carry personal data (a customer's view).
    sa.Column(
        "response",
        Sealed("idempotency_keys", "response", "json", ("api_key_id", "key")),
        nullable=False,
    ),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
)

compliance_cases = sa.Table(
    "compliance_cases",
    metadata,
    _id(),
    sa.Column("remittance_id", sa.String(40), sa.ForeignKey("remittances.id"), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("risk_score", sa.Integer, nullable=False),
    # Hits, flags and limit breaches with their evidence; references ids, never raw PII in logs.
    sa.Column("evidence", Sealed("compliance_cases", "evidence", "json"), nullable=False),
    sa.Column("list_version", sa.String(80), nullable=True),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Column("updated_at", UTC_DATETIME, nullable=False),
    sa.Index("ix_cases_status", "status"),
)

event_cursors = sa.Table(
    "event_cursors",
    metadata,
    sa.Column("consumer", sa.String(80), primary_key=True),
    sa.Column("last_id", sa.Integer, nullable=False),
)
