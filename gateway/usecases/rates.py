"""Rates a firm quote may use: refreshed sets stored in the database, the chain built from them,
and their freshness.

Why stored: every gateway process prices from the same sets, a refresh by the CLI reaches
running servers (they reload the newest sets), and a restart never falls back to sample data.
Fetching (a file or a URL, with tenacity's backoff) is the only I/O; parsing is fx.rateset's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from fx.rates import Rate, RateSet, RateSource, firm_rate_source, parse_rates
from fx.rateset import ECB, FILE
from gateway.config import Settings
from gateway.ids import new_id
from gateway.storage import rates as rate_store
from ledger_adapter.sessions import autocommit, reading

if TYPE_CHECKING:
    from gateway.services import Services

log = structlog.get_logger(__name__)

#: What the operator does about stale or missing rates (named in every refused quote).
FIX = (
    "load fresh rates with `remit rates refresh FILE-or-URL` (an ECB eurofxref XML or a rates "
    "JSON/CSV file), or set REMIT_RATES_URL for the server's scheduled refresh; "
    "REMIT_RATES_MODE=sample allows sample rates (demos and tests only)"
)
KINDS = (ECB, FILE)
FETCH_TIMEOUT_S = 30.0


class RatesFetchError(Exception):
    """The rates document could not be read (file missing, HTTP error, network down)."""


class FirmRates:
    """RateSource the services hold: the chain from the newest stored sets, swapped whole on
    reload so a quote in flight keeps the chain it started with."""

    def __init__(
        self,
        settings: Settings,
        stored: Sequence[RateSet] = (),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.name = "firm"
        self.use(stored)

    def use(self, stored: Sequence[RateSet], newest: datetime | None = None) -> None:
        """Price from `stored` (`newest`: the latest load time among them, to skip reloads)."""
        self.stored = list(stored)
        self.newest = newest
        self.chain: RateSource = firm_rate_source(
            self.stored,
            mode=self.settings.rates_mode,
            rates_file=self.settings.rates_file,
            live=self.settings.live_rates,
            clock=self.clock,
        )
        self.name = self.chain.name

    async def rate(self, base: str, quote: str) -> Rate:
        return await self.chain.rate(base, quote)


def _row_set(row: Any) -> RateSet:
    return RateSet.from_json(row.kind, row.origin, row.pairs, bool(row.sample))


async def store(engine: AsyncEngine, rates: RateSet, now: datetime) -> dict[str, Any]:
    values = {
        "id": new_id("rs"),
        "kind": rates.kind,
        "origin": rates.origin[:500],
        "as_of": rates.as_of,
        "loaded_at": now,
        "sample": rates.sample,
        "pair_count": len(rates.pairs),
        "pairs": rates.to_json(),
    }
    async with autocommit(engine) as conn:
        await rate_store.insert_set(conn, values)
    log.info("rates_stored", kind=rates.kind, origin=values["origin"], as_of=str(rates.as_of))
    return set_view(values, rates)


def set_view(row: Any, rates: RateSet, now: datetime | None = None) -> dict[str, Any]:
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    view = {
        "id": get("id"),
        "source": rates.name,
        "kind": rates.kind,
        "origin": get("origin"),
        "as_of": rates.as_of.isoformat(),
        "loaded_at": get("loaded_at").isoformat(),
        "pairs": len(rates.pairs),
        "sample": rates.sample,
        "max_age_s": int(rates.max_age.total_seconds()),
    }
    if now is not None:
        view["age_s"] = int((now - rates.as_of).total_seconds())
        view["fresh"] = now - rates.as_of <= rates.max_age
    return view


async def latest_sets(engine: AsyncEngine) -> list[RateSet]:
    """The newest set of each kind (ECB first; our file covers what the ECB does not)."""
    found = []
    async with reading(engine) as conn:
        for kind in KINDS:
            row = await rate_store.newest_of_kind(conn, kind)
            if row is not None:
                found.append(_row_set(row))
    return found


async def newest_load(engine: AsyncEngine) -> datetime | None:
    async with reading(engine) as conn:
        return await rate_store.newest_load(conn)


async def list_sets(engine: AsyncEngine, now: datetime) -> list[dict[str, Any]]:
    async with reading(engine) as conn:
        rows = await rate_store.all_sets(conn)
    return [set_view(row, _row_set(row), now) for row in rows]


async def fetch(origin: str, session: aiohttp.ClientSession | None = None) -> bytes:
    """The document at a URL (retried with exponential backoff) or in a file."""
    if not origin.startswith(("http://", "https://")):
        try:
            return await asyncio.to_thread(Path(origin).read_bytes)
        except OSError as exc:
            raise RatesFetchError(f"{origin}: {exc.strerror or exc}") from None
    own = session is None
    session = session or aiohttp.ClientSession()
    try:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(4),
            wait=wait_exponential(multiplier=0.5, max=10),
            retry=retry_if_exception_type((aiohttp.ClientError, TimeoutError)),
            reraise=True,
        ):
            with attempt:
                timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT_S)
                async with session.get(origin, timeout=timeout) as resp:
                    if resp.status >= 500:
                        resp.raise_for_status()  # retried: the server may come back
                    if resp.status != 200:
                        raise RatesFetchError(f"{origin}: HTTP {resp.status}")
                    return await resp.read()
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise RatesFetchError(f"{origin}: {type(exc).__name__}: {exc}") from None
    finally:
        if own:
            await session.close()
    raise RatesFetchError(f"{origin}: no answer")  # pragma: no cover - tenacity reraises


async def refresh(
    engine: AsyncEngine, origin: str, now: datetime, session: aiohttp.ClientSession | None = None
) -> dict[str, Any]:
    """Fetch, parse (RatesFileError on a bad document: nothing stored) and store one set."""
    data = await fetch(origin, session)
    return await store(engine, parse_rates(data, origin), now)


async def reload(svc: Services) -> bool:
    """Swap in the newest stored sets if one was stored since the last look; True if so.
    The check is one indexed MAX, cheap enough for every refused quote."""
    if not isinstance(svc.rates, FirmRates):
        return False
    newest = await newest_load(svc.engine)
    if newest is None or newest == svc.rates.newest:
        return False
    stored = await latest_sets(svc.engine)
    svc.rates.use(stored, newest)
    log.info("rates_reloaded", sources=[s.name for s in stored])
    return True


async def refresh_once(svc: Services, fetch_url: bool = True) -> None:
    """One turn of the schedule: fetch `rates_url` (when configured) and store it, then reload
    the newest stored sets (this process's or another's)."""
    url = svc.settings.rates_url
    if url and fetch_url:
        try:
            await refresh(svc.engine, url, svc.now())
        except Exception as exc:  # a feed outage must not stop the loop; quotes go stale
            log.warning("rates_refresh_failed", url=url, error=str(exc))
    try:
        await reload(svc)
    except Exception:
        log.exception("rates_reload_failed")


async def refresh_forever(svc: Services) -> None:
    """Every `rates_reload_s` pick up sets another process stored; every `rates_refresh_s`
    fetch `rates_url` (when configured)."""
    next_fetch = 0.0
    while True:
        due = time.monotonic() >= next_fetch
        if due:
            next_fetch = time.monotonic() + svc.settings.rates_refresh_s
        await refresh_once(svc, fetch_url=due)
        await asyncio.sleep(svc.settings.rates_reload_s)


def freshness(svc: Services) -> dict[str, Any]:
    """What /readyz shows: the mode, and each stored source's age against its maximum."""
    now = svc.now()
    stored = svc.rates.stored if isinstance(svc.rates, FirmRates) else []
    sources = [
        {
            "source": s.name,
            "as_of": s.as_of.isoformat(),
            "age_s": int((now - s.as_of).total_seconds()),
            "max_age_s": int(s.max_age.total_seconds()),
            "fresh": now - s.as_of <= s.max_age,
        }
        for s in stored
    ]
    return {
        "mode": svc.settings.rates_mode,
        "sources": sources,
        "fresh": any(s["fresh"] for s in sources) or svc.settings.rates_mode == "sample",
    }


async def firm_rate(svc: Services, base: str, quote: str) -> Rate:
    """A rate a firm quote may use; refused with a problem naming each stale source, its age
    and the fix. A miss first looks for a set stored since the last reload (the CLI's)."""
    from fx.rates import RateUnavailable
    from gateway.errors import Invalid

    try:
        return await svc.rates.rate(base, quote)
    except RateUnavailable as exc:
        refused = exc
    if isinstance(svc.rates, FirmRates) and await reload(svc):
        try:
            return await svc.rates.rate(base, quote)
        except RateUnavailable as exc:
            refused = exc
    stale = [
        {
            "source": name,
            "as_of": as_of.isoformat(),
            "age_s": int(age.total_seconds()),
            "max_age_s": int(limit.total_seconds()),
        }
        for name, as_of, age, limit in refused.stale
    ]
    raise Invalid(
        "rate-unavailable",
        "No usable exchange rate",
        f"{refused}. To fix: {FIX}",
        errors=[{"field": "receive_currency", "message": str(refused)}],
        extra={"stale_sources": stale, "fix": FIX},
    )


def sample_fields(rate_source: str) -> dict[str, Any]:
    """What every quote says about sample rates (the sample file, the embedded snapshot)."""
    from fx.rates import is_sample_source

    sample = is_sample_source(rate_source)
    notice = "sample rates: not market data, not for real transfers" if sample else None
    return {"sample_rates": sample, "rates_notice": notice}
