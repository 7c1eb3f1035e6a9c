"""Rates from a document held in memory: a rates file (JSON/CSV) or a stored rate set.

A JSON/CSV file serves currencies the ECB does not publish (NGN, KES, GHS, PKR, ...); a set
stored by `remit rates refresh` (ECB XML or our file) is answered the same way. A file marked
`"sample": true` names itself `sample:<file>` so every quote says it is sample data.
Pairs are answered directly, inverted, or crossed through a currency the set quotes both against.
Formats: see fx.rateset.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fx.rate import Rate, RateUnavailable, round_rate
from fx.rateset import FILE_MAX_AGE, RateSet, RatesFileError, parse_rates

__all__ = [
    "FILE_MAX_AGE",
    "SAMPLE_MAX_AGE",
    "SAMPLE_RATES_FILE",
    "FileRates",
    "RatesFileError",
    "TableRates",
]

SAMPLE_RATES_FILE = Path(__file__).parent / "data" / "sample_rates.json"
#: The shipped sample is dated; it is only used when the operator chose sample rates.
SAMPLE_MAX_AGE = timedelta(days=366)


class TableRates:
    """RateSource over one RateSet (pure dictionary work: no I/O)."""

    def __init__(self, rates: RateSet, max_age: timedelta | None = None) -> None:
        self._explicit_max_age = max_age
        self._use(rates)

    def _use(self, rates: RateSet) -> None:
        self.rate_set = rates
        self._pairs = rates.pairs
        self.sample = rates.sample
        self._pivots = sorted({base for base, _ in self._pairs})
        self.name = rates.name
        self.max_age = self._explicit_max_age or (SAMPLE_MAX_AGE if self.sample else rates.max_age)

    @property
    def currencies(self) -> frozenset[str]:
        return frozenset(c for pair in self._pairs for c in pair)

    def _one(self, base: str, quote: str) -> Rate | None:
        if (base, quote) in self._pairs:
            value, as_of = self._pairs[(base, quote)]
            return Rate(base, quote, value, self.name, as_of)
        if (quote, base) in self._pairs:
            value, as_of = self._pairs[(quote, base)]
            return Rate(quote, base, value, self.name, as_of).inverse()
        return None

    def rate_now(self, base: str, quote: str) -> Rate:
        found = self._one(base, quote)
        if found is not None:
            return found
        for pivot in self._pivots:
            legs = self._pairs.get((pivot, base)), self._pairs.get((pivot, quote))
            if legs[0] is not None and legs[1] is not None:
                # One rounding: (pivot->quote) / (pivot->base), not inverse-then-multiply.
                value = round_rate(legs[1][0] / legs[0][0])
                return Rate(base, quote, value, self.name, min(legs[0][1], legs[1][1]))
        raise RateUnavailable(f"{self.name} has no rate for {base}/{quote}", base, quote)

    async def rate(self, base: str, quote: str) -> Rate:
        return self.rate_now(base, quote)


class FileRates(TableRates):
    """RateSource over a rates file, read once at construction (call reload() to re-read)."""

    def __init__(self, path: str | Path, max_age: timedelta | None = None) -> None:
        self.path = Path(path)
        self._explicit_max_age = max_age
        self.reload()

    def reload(self) -> None:
        self._use(parse_rates(self.path.read_bytes(), self.path.name))
