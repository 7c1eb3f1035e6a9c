"""The one place that wires dependencies: settings in, Services out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

import aiohttp

from compliance.kyc import load_tiers
from compliance.sanctions import Screener
from corridors.config import Corridor, load_corridors
from fx.rates import RateSource, default_rate_source
from gateway.config import Settings
from gateway.services import ScreenerHolder, Services, utc_now
from gateway.storage.engine import create_engine
from gateway.storage.migrate import upgrade_async
from gateway.storage.partners import PartnerDirectory
from ledger_adapter import chart
from ledger_adapter.port import Account
from ledger_adapter.sql import SqlLedger


def house_accounts(corridors: dict[str, Corridor]) -> list[Account]:
    """The gateway's own accounts for every corridor's currency, coin and partner."""
    accounts: dict[str, Account] = {}
    for corridor in corridors.values():
        for account in chart.standard_accounts(corridor.send_currency, corridor.settlement_asset):
            accounts[account.id] = account
        for asset in (corridor.send_currency, corridor.settlement_asset):
            account = chart.partner_account(corridor.partner_id, asset)
            accounts[account.id] = account
    return list(accounts.values())


@asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    screener: Screener | None = None,
    rates: RateSource | None = None,
    clock: Callable[[], datetime] = utc_now,
    migrate: bool = True,
) -> AsyncIterator[Services]:
    if migrate:
        await upgrade_async(settings.database_url)
    engine = create_engine(settings.database_url)
    session = aiohttp.ClientSession()
    try:
        corridors = load_corridors(settings.corridors_file)
        ledger = SqlLedger(engine, hmac_key=settings.ledger_hmac_key)
        await ledger.create_accounts(house_accounts(corridors))
        if screener is None:
            screener = await asyncio.to_thread(Screener.from_snapshot)
        if settings.sanctions_threshold is not None:
            screener = screener.with_threshold(settings.sanctions_threshold)
        yield Services(
            settings=settings,
            engine=engine,
            ledger=ledger,
            screening=ScreenerHolder(screener),
            rates=rates
            or default_rate_source(rates_file=settings.rates_file, live=settings.live_rates),
            corridors=corridors,
            partners=PartnerDirectory(engine, session, settings.partner_timeout_s),
            tiers=load_tiers(),
            clock=clock,
        )
    finally:
        await session.close()
        await engine.dispose()
