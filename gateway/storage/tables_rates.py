"""Rate sets refreshed by the operator (`remit rates refresh`) or the scheduled refresh: the
only rates a firm quote may use outside sample mode. One row per document loaded, with its
kind (ECB reference rates or our rates file), where it came from and its publication time."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.storage.tables import UTC_DATETIME, metadata

rate_sets = sa.Table(
    "rate_sets",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),  # fx.rateset.ECB | fx.rateset.FILE
    sa.Column("origin", sa.String(500), nullable=False),  # file path or URL
    sa.Column("as_of", UTC_DATETIME, nullable=False),  # the oldest pair's publication time
    sa.Column("loaded_at", UTC_DATETIME, nullable=False),
    sa.Column("sample", sa.Boolean, nullable=False),
    sa.Column("pair_count", sa.Integer, nullable=False),
    sa.Column("pairs", sa.Text, nullable=False),  # fx.rateset.RateSet.to_json()
    sa.Index("ix_rate_sets_kind_loaded", "kind", "loaded_at"),
)
