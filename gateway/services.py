"""The dependencies a request or a pipeline step needs, built once by `bootstrap`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

from compliance.aml import RuleSet, load_rules
from compliance.kyc import Tier, VerificationProvider
from compliance.protections import Provider, Regimes, load_provider, load_regimes
from compliance.sanctions import Screener
from corridors.config import Corridor
from corridors.outbound import Outbound
from fx.rates import RateSource
from gateway.batching import Batcher
from gateway.config import Settings
from gateway.partners import PartnerDirectory
from gateway.storage import remittances as remittance_store
from gateway.storage.group_commit import GroupInserter
from gateway.storage.keyed_reads import PipelineReads
from gateway.storage.tables import quotes
from ledger_adapter.port import Ledger

if TYPE_CHECKING:
    import asyncio


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ScreenerHolder:
    """The active sanctions lists; replaced whole, never mutated, so a screening in flight keeps
    the version it started with."""

    current: Screener
    # The database row of the active list version (None when a screener was injected).
    list_id: str | None = None


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    ledger: Ledger
    screening: ScreenerHolder
    rates: RateSource
    corridors: Mapping[str, Corridor]
    partners: PartnerDirectory
    tiers: Mapping[str, Tier]
    clock: Callable[[], datetime] = utc_now
    wake_workers: Callable[[], None] = lambda: None
    # The chain client and settler, in the one process that runs the settler (gateway.chain).
    chain: Any = None
    background: list[asyncio.Task] = field(default_factory=list)
    aml_rules: RuleSet = field(default_factory=load_rules)
    kyc_fields: Mapping[str, str] = field(default_factory=dict)  # field -> description
    # None: no provider configured, every tier upgrade goes to the officers.
    kyc_provider: VerificationProvider | None = None
    regimes: Regimes = field(default_factory=load_regimes)
    provider: Provider = field(default_factory=load_provider)
    quote_writer: GroupInserter = field(init=False)
    # Workers' transitions and fused runs, one transaction per batch (many per statement on
    # PostgreSQL).
    transition_batch: Batcher = field(init=False)
    reads: PipelineReads = field(init=False)
    # Wallet accounts this process knows exist (ledger accounts are never deleted).
    known_wallets: set[str] = field(default_factory=set)
    # The outbound rule (corridors.outbound) with the resolver connections use.
    outbound: Outbound = field(default_factory=Outbound)

    def __post_init__(self) -> None:
        self.quote_writer = GroupInserter(self.engine, quotes)
        self.reads = PipelineReads(self.engine, self.ledger)
        self.transition_batch = Batcher(self._transitions)

    async def _transitions(self, wanted: list[remittance_store.LeasedTransition]) -> list:
        """One transaction for the batch. One that fails (an effect's write refused, a lost
        connection) rolls back whole and each goes again alone, so only its culprit fails."""
        try:
            async with self.engine.begin() as conn:
                return await remittance_store.transition_many(conn, wanted)
        except Exception:
            if len(wanted) == 1:
                raise
        results: list = []
        for one in wanted:
            try:
                async with self.engine.begin() as conn:
                    results += await remittance_store.transition_many(conn, [one])
            except Exception as exc:
                results.append(exc)
        return results

    def now(self) -> datetime:
        return self.clock()
