"""sanctions: re-screening runs, one per loaded list version, resumable from a cursor

Revision ID: sanctions_0001
Revises: kyc_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gateway.storage.tables

revision: str = "sanctions_0001"
down_revision: str | None = "kyc_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = gateway.storage.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rescreen_runs",
        sa.Column(
            "list_id", sa.String(length=40), sa.ForeignKey("sanctions_lists.id"), primary_key=True
        ),
        sa.Column("list_version", sa.String(length=80), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("cursor", sa.String(length=40), nullable=False, server_default=""),
        sa.Column("senders", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("recipients", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("hits", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("held", sa.JSON(), nullable=False),
        sa.Column("too_late", sa.JSON(), nullable=False),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
    )
    op.create_index("ix_rescreen_runs_phase", "rescreen_runs", ["phase"])


def downgrade() -> None:
    op.drop_table("rescreen_runs")
