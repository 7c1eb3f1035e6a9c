"""Prometheus metrics of one gateway process. Counters and histograms live in a registry of our
own (not the global default) so that several apps in one test process do not collide; the count
of remittances by state is read from the database at scrape time, so every process reports the
same truth whichever of them did the work."""

from __future__ import annotations

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.states import Status
from gateway.storage.tables import remittances

REGISTRY = CollectorRegistry(auto_describe=True)

STEP_SECONDS = Histogram(
    "remit_step_seconds",
    "Time a pipeline step takes, side effect and commit included, by the state it starts from.",
    ["status", "result"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
TRANSITIONS = Counter(
    "remit_transitions_total",
    "Transitions committed by pipeline workers of this process.",
    ["frm", "to"],
    registry=REGISTRY,
)
PARTNER_ERRORS = Counter(
    "remit_partner_errors_total",
    "Payout partner answers that were not a success: unavailable, timeout (unknown), failed.",
    ["partner", "kind"],
    registry=REGISTRY,
)
SCREENING_HITS = Counter(
    "remit_screening_holds_total",
    "Remittances put on hold by screening, by reason (sanctions match, no list loaded, other).",
    ["reason"],
    registry=REGISTRY,
)
STEP_ERRORS = Counter(
    "remit_step_errors_total",
    "Steps that raised (retried later with backoff).",
    ["status"],
    registry=REGISTRY,
)
REMITTANCES = Gauge(
    "remit_remittances",
    "Remittances by state (the whole database, read when scraped).",
    ["status"],
    registry=REGISTRY,
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


async def refresh_state_counts(engine: AsyncEngine) -> None:
    """Set the by-state gauge from one GROUP BY; states that emptied drop to zero."""
    query = sa.select(remittances.c.status, sa.func.count()).group_by(remittances.c.status)
    async with engine.connect() as conn:
        counts = dict((await conn.execute(query)).all())
    for status in Status:
        REMITTANCES.labels(status=status.value).set(counts.get(status.value, 0))


def exposition() -> bytes:
    return generate_latest(REGISTRY)


def screening_reason(reason: str) -> str:
    if "sanctions match" in reason:
        return "sanctions_match"
    if "no sanctions list" in reason:
        return "no_list"
    return "other"
