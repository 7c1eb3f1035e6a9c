"""Prometheus metrics of a gateway process.

Counters and histograms live in a registry of our own (not the global default) so that several
apps in one test process do not collide. Under `remit serve --processes N` a scrape reaches
whichever process the kernel picks, so each process's share alone would make counters jump
between unrelated values: there the supervisor sets PROMETHEUS_MULTIPROC_DIR (a fresh private
directory) before any child imports prometheus_client, every process writes its values to its
own files there, and /metrics sums all of them (prometheus_client's multiprocess mode). Without
that variable nothing is written to disk and /metrics reports this process's registry.

The count of remittances by state is read from the database at scrape time, so every process
reports the same truth whichever of them did the work; it is a collector, not a Gauge, so it
never goes to the multiprocess files (where it would be summed over processes or kept stale)
and appears once."""

from __future__ import annotations

import os
from collections.abc import Iterator

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.domain.states import Status
from gateway.storage.statements import COMMITS, STATEMENTS
from gateway.storage.tables import remittances
from ledger_adapter.sessions import reading

# Set by the supervisor of `remit serve --processes N` in its children only.
MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None

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
    "Transitions committed by pipeline workers.",
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


class StateCounts(Collector):
    """Remittances by state as the last refresh read them: one figure per state, never summed."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "remit_remittances",
            "Remittances by state (the whole database, read when scraped).",
            labels=["status"],
        )
        for status, count in self.counts.items():
            family.add_metric([status], count)
        yield family


REGISTRY.register(STATEMENTS)
REGISTRY.register(COMMITS)

REMITTANCES = StateCounts()
REGISTRY.register(REMITTANCES)


class RateAges(Collector):
    """Age and maximum age of each refreshed rate source firm quotes use, set at scrape time
    (a collector like StateCounts: the same figure whichever process answers)."""

    def __init__(self) -> None:
        self.sources: list[dict] = []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        age = GaugeMetricFamily(
            "remit_rates_age_seconds", "Age of the newest rates of each source.", labels=["source"]
        )
        limit = GaugeMetricFamily(
            "remit_rates_max_age_seconds",
            "Maximum age a firm quote accepts from each source.",
            labels=["source"],
        )
        for src in self.sources:
            age.add_metric([src["source"]], src["age_s"])
            limit.add_metric([src["source"]], src["max_age_s"])
        yield age
        yield limit


RATE_AGES = RateAges()
REGISTRY.register(RATE_AGES)


class Rescreening(Collector):
    """Progress of the newest re-screening run (set at scrape time from the database)."""

    def __init__(self) -> None:
        self.run: dict | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        run = self.run or {}
        pending = GaugeMetricFamily(
            "remit_rescreening_pending", "1 while a re-screening run after a list load is going."
        )
        pending.add_metric([], 1 if run.get("finished_at") is None and run else 0)
        yield pending
        screened = GaugeMetricFamily(
            "remit_rescreening_screened",
            "Parties the newest re-screening run has screened so far.",
            labels=["party"],
        )
        screened.add_metric(["senders"], run.get("senders_screened", 0))
        screened.add_metric(["recipients"], run.get("recipients_screened", 0))
        yield screened
        found = GaugeMetricFamily(
            "remit_rescreening_remittances",
            "Remittances the newest run found hits for: held (or being withdrawn from the "
            "partner to be held), or too late (the partner had paid, or it could not be stopped).",
            labels=["outcome"],
        )
        found.add_metric(["held"], len(run.get("held", ())))
        found.add_metric(["too_late"], len(run.get("too_late", ())))
        yield found


RESCREENING = Rescreening()
REGISTRY.register(RESCREENING)


class ChainFigures(Collector):
    """The chain as our transaction store sees it, read when scraped (like StateCounts):
    transactions signed but not final, how long the oldest has waited, gas our final
    transactions used, remittances waiting for and settled by the chain."""

    def __init__(self) -> None:
        self.figures: dict[str, float] = {}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        described = {
            "remit_chain_pending_transactions": "Transactions signed and recorded, not yet final.",
            "remit_chain_confirmation_lag_seconds": "Age of the oldest transaction not yet final.",
            "remit_chain_gas_used": "Gas used by our final transactions, all time.",
            "remit_chain_remittances_waiting": "Remittances queued or batched for the chain.",
            "remit_chain_remittances_settled": "Remittances settled on chain (one event each).",
        }
        for name, text in described.items():
            family = GaugeMetricFamily(name, text)
            family.add_metric([], self.figures.get(name, 0))
            yield family


CHAIN = ChainFigures()
REGISTRY.register(CHAIN)

CONTENT_TYPE = CONTENT_TYPE_LATEST


async def refresh_chain_figures(engine: AsyncEngine) -> None:
    import time

    from ledger_adapter.evm.items import ITEMS, TXS

    open_tx = TXS.c.status.in_(("signed", "sent"))
    async with reading(engine) as conn:
        pending, oldest = (
            await conn.execute(
                sa.select(sa.func.count(), sa.func.min(TXS.c.created_us)).where(open_tx)
            )
        ).one()
        gas = (
            await conn.execute(sa.select(sa.func.coalesce(sa.func.sum(TXS.c.gas_used), 0)))
        ).scalar()
        items = dict(
            (
                await conn.execute(
                    sa.select(ITEMS.c.status, sa.func.count()).group_by(ITEMS.c.status)
                )
            ).all()
        )
    lag = 0.0 if oldest is None else max(0.0, time.time() - oldest / 1_000_000)
    CHAIN.figures = {
        "remit_chain_pending_transactions": pending,
        "remit_chain_confirmation_lag_seconds": lag,
        "remit_chain_gas_used": gas,
        "remit_chain_remittances_waiting": items.get("queued", 0) + items.get("batched", 0),
        "remit_chain_remittances_settled": items.get("settled", 0),
    }


async def refresh_state_counts(engine: AsyncEngine) -> None:
    """Set the by-state gauge from one GROUP BY; states that emptied drop to zero."""
    query = sa.select(remittances.c.status, sa.func.count()).group_by(remittances.c.status)
    async with reading(engine) as conn:
        counts = dict((await conn.execute(query)).all())
    REMITTANCES.counts = {status.value: counts.get(status.value, 0) for status in Status}


def exposition() -> bytes:
    """This process's registry; under `--processes N`, every process's counters and histograms
    summed from the files (read at each call), then the state counts once."""
    if MULTIPROC_DIR is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, MULTIPROC_DIR)
    registry.register(REMITTANCES)
    registry.register(RATE_AGES)
    registry.register(RESCREENING)
    registry.register(CHAIN)
    return generate_latest(registry)


def screening_reason(reason: str) -> str:
    if "sanctions match" in reason:
        return "sanctions_match"
    if "no sanctions list" in reason:
        return "no_list"
    return "other"
