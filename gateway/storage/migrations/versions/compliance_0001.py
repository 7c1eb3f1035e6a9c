"""compliance officers, tokens and sessions, case decisions, sender answers, audit log

Revision ID: compliance_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.storage.tables

revision: str = "compliance_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gateway.storage.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "officers",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column("username", sa.String(length=80), nullable=False, unique=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("disabled_at", UTC, nullable=True),
    )
    op.create_table(
        "officer_tokens",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column("officer_id", sa.String(length=40), sa.ForeignKey("officers.id"), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("csrf_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=True),
        sa.Column("revoked_at", UTC, nullable=True),
    )
    op.create_table(
        "case_decisions",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column(
            "case_id", sa.String(length=40), sa.ForeignKey("compliance_cases.id"), nullable=False
        ),
        sa.Column("officer_id", sa.String(length=40), sa.ForeignKey("officers.id"), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=True),
        sa.Column("case_status", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_index("ix_case_decisions_case", "case_decisions", ["case_id", "created_at"])
    op.create_table(
        "case_information",
        sa.Column("id", sa.String(length=40), primary_key=True),
        sa.Column(
            "remittance_id", sa.String(length=40), sa.ForeignKey("remittances.id"), nullable=False
        ),
        sa.Column(
            "case_id", sa.String(length=40), sa.ForeignKey("compliance_cases.id"), nullable=True
        ),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=80), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
    )
    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=True),
    )
    with op.batch_alter_table("compliance_cases") as batch:
        batch.add_column(sa.Column("assignee_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("claimed_at", UTC, nullable=True))
        batch.add_column(sa.Column("first_approver_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("decided_at", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("compliance_cases") as batch:
        for name in ("decided_at", "first_approver_id", "claimed_at", "assignee_id"):
            batch.drop_column(name)
    op.drop_table("audit_anchor")
    op.drop_table("audit_log")
    op.drop_table("case_information")
    op.drop_index("ix_case_decisions_case", table_name="case_decisions")
    op.drop_table("case_decisions")
    op.drop_table("officer_tokens")
    op.drop_table("officers")
