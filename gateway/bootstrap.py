"""The one place that wires dependencies: settings in, Services out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from aiohttp.abc import AbstractResolver

from compliance.aml import load_rules
from compliance.kyc import load_field_descriptions, load_tiers
from compliance.protections import load_provider, load_regimes
from compliance.sanctions import Screener
from corridors.config import Corridor, load_corridors
from corridors.outbound import Outbound
from fx.rates import RateSource
from gateway import verification
from gateway.config import Settings
from gateway.partners import PartnerDirectory
from gateway.services import ScreenerHolder, Services, utc_now
from gateway.storage.engine import create_engine
from gateway.storage.migrate import upgrade_async
from gateway.storage.sealed import keyring_of
from gateway.usecases import rates as firm_rates
from gateway.usecases import sanctions
from ledger_adapter import chart
from ledger_adapter.port import Account
from ledger_adapter.sql import SqlLedger


def house_accounts(corridors: dict[str, Corridor]) -> list[Account]:
    """The gateway's own accounts for every corridor's currency, coin and partner."""
    accounts: dict[str, Account] = {}
    for corridor in corridors.values():
        coin = corridor.settlement_asset
        peg = chart.PEGS.get(coin, corridor.send_currency)  # the coin's fiat backing
        for currency in {corridor.send_currency, peg}:
            for account in chart.standard_accounts(currency, coin):
                accounts[account.id] = account
        if coin in chart.BASKETS:  # its reserve per component and the positions buying them
            for account in chart.basket_accounts(coin):
                accounts[account.id] = account
        for asset in {corridor.send_currency, peg, coin}:
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
    resolver: AbstractResolver | None = None,
) -> AsyncIterator[Services]:
    if migrate:
        await upgrade_async(settings.database_url)
    # Every in-flight step may hold a connection; leave headroom for HTTP requests.
    in_flight = settings.workers * settings.worker_batch
    engine = create_engine(settings.database_url, pool_size=20, max_overflow=in_flight)
    keyring_of(engine)  # no personal-data keys (PostgreSQL without REMIT_DATA_KEYS): stop here
    outbound = Outbound(settings.outbound, resolver)
    session = outbound.session()  # partners are reached only at addresses the rule allows
    try:
        # A coin the ledger cannot settle is refused here, at start, never at conversion.
        corridors = load_corridors(settings.corridors_file, settleable=chart.SETTLEABLE)
        ledger = SqlLedger(engine, hmac_key=settings.ledger_hmac_key)
        await ledger.create_accounts(house_accounts(corridors))
        list_id = None
        if screener is None:  # tests inject one; otherwise the database's active version
            list_id, screener = await sanctions.active_screener(engine, clock())
        svc = Services(
            settings=settings,
            engine=engine,
            ledger=ledger,
            screening=ScreenerHolder(sanctions.configured(screener, settings), list_id),
            rates=rates or firm_rates.FirmRates(settings, clock=clock),
            corridors=corridors,
            partners=PartnerDirectory(engine, session, settings.partner_timeout_s, corridors),
            tiers=load_tiers(settings.kyc_tiers_file),
            aml_rules=load_rules(settings.aml_rules_file),
            kyc_fields=load_field_descriptions(settings.kyc_tiers_file),
            regimes=load_regimes(settings.regimes_dir),
            provider=load_provider(settings.provider_file),
            kyc_provider=verification.configured(settings, session),
            clock=clock,
            outbound=outbound,
        )
        await firm_rates.reload(svc)  # the newest stored sets
        if isinstance(svc.rates, firm_rates.FirmRates):  # sets stored since, the URL's refresh
            refresher = asyncio.create_task(firm_rates.refresh_forever(svc), name="rates")
            svc.background.append(refresher)
        if list_id is not None:  # pick up lists activated by `remit sanctions load`
            refresher = asyncio.create_task(sanctions.refresh_forever(svc), name="sanctions")
            svc.background.append(refresher)
        try:
            yield svc
        finally:
            for task in svc.background:
                task.cancel()
            await asyncio.gather(*svc.background, return_exceptions=True)
            await svc.quote_writer.aclose()
            await svc.transition_batch.aclose()
    finally:
        await session.close()
        await engine.dispose()
