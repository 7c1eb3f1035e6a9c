"""The dependencies a request or a pipeline step needs, built once by `bootstrap`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from compliance.kyc import Tier
from compliance.sanctions import Screener
from corridors.config import Corridor
from fx.rates import RateSource
from gateway.config import Settings
from gateway.storage.partners import PartnerDirectory
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
    background: list[asyncio.Task] = field(default_factory=list)

    def now(self) -> datetime:
        return self.clock()
