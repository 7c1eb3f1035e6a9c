"""Compliance officers, their credentials and web sessions, case decisions, the sender's
answers and the hash-chained audit log. Audit rows hold ids, never personal data."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.storage.sealed import Sealed
from gateway.storage.tables import UTC_DATETIME, compliance_cases, metadata

officers = sa.Table(
    "officers",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Column("disabled_at", UTC_DATETIME, nullable=True),
)

# Consecutive failed console sign-ins per username (whether or not such an officer exists, so
# a lockout tells an attacker nothing about which names are real).
login_throttle = sa.Table(
    "login_throttle",
    metadata,
    sa.Column("username", sa.String(80), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("locked_until", UTC_DATETIME, nullable=True),
    sa.Column("updated_at", UTC_DATETIME, nullable=False),
)

# Bearer tokens for the REST API and web sessions share one shape: a SHA-256 digest of a
# 256-bit random secret (fast hashing is enough for random secrets; passwords use argon2).
officer_tokens = sa.Table(
    "officer_tokens",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("officer_id", sa.String(40), sa.ForeignKey("officers.id"), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),  # "api" | "session"
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("csrf_token", sa.String(64), nullable=True),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Column("expires_at", UTC_DATETIME, nullable=True),
    sa.Column("revoked_at", UTC_DATETIME, nullable=True),
)

case_decisions = sa.Table(
    "case_decisions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("case_id", sa.String(40), sa.ForeignKey("compliance_cases.id"), nullable=False),
    sa.Column("officer_id", sa.String(40), sa.ForeignKey("officers.id"), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),
    # The officer's words (they may name people): sealed to the decision.
    sa.Column("reason", Sealed("case_decisions", "reason"), nullable=False),
    sa.Column("message", Sealed("case_decisions", "message"), nullable=True),
    sa.Column("case_status", sa.String(20), nullable=False),  # the case status it produced
    sa.Column("created_at", UTC_DATETIME, nullable=False),
    sa.Index("ix_case_decisions_case", "case_id", "created_at"),
)

case_information = sa.Table(
    "case_information",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("remittance_id", sa.String(40), sa.ForeignKey("remittances.id"), nullable=False),
    sa.Column("case_id", sa.String(40), sa.ForeignKey("compliance_cases.id"), nullable=True),
    sa.Column("text", Sealed("case_information", "text"), nullable=False),
    sa.Column("created_at", UTC_DATETIME, nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(40), nullable=False),  # ISO text: hashed exactly as stored
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("object_id", sa.String(80), nullable=False),
    sa.Column("before", sa.JSON, nullable=True),
    sa.Column("after", sa.JSON, nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# One row: the chain's head (seq, hash) and its HMAC; also the append lock.
audit_anchor = sa.Table(
    "audit_anchor",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.Column("mac", sa.String(64), nullable=True),
)

# Columns this area adds to compliance_cases (migration compliance_0001).
CASE_COLUMNS = (
    sa.Column("assignee_id", sa.String(40), nullable=True),
    sa.Column("claimed_at", UTC_DATETIME, nullable=True),
    sa.Column("first_approver_id", sa.String(40), nullable=True),
    sa.Column("decided_at", UTC_DATETIME, nullable=True),
)

for _column in CASE_COLUMNS:
    if _column.name not in compliance_cases.c:
        compliance_cases.append_column(_column)
