"""Rates from a file, for currencies the ECB does not publish (NGN, KES, GHS, PKR, ...).

Formats (chosen by suffix):
- JSON: {"as_of": ISO-8601, "base": "USD", "rates": {"NGN": "1460.5", ...},
  "sample": true|false, "note": "..."}; numbers may be strings or JSON numbers (read as Decimal).
- CSV: header `base,quote,rate,as_of`, one pair per row.
A file marked `"sample": true` names itself `sample:<file>` so every quote says it is sample data.
Pairs are answered directly, inverted, or crossed through a currency the file quotes both against.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from fx.money import AmountError, is_currency, to_decimal
from fx.rate import Rate, RateUnavailable, round_rate

SAMPLE_RATES_FILE = Path(__file__).parent / "data" / "sample_rates.json"
#: A real feed file must be fresh; the shipped sample is dated and accepted for a year.
FILE_MAX_AGE = timedelta(days=2)
SAMPLE_MAX_AGE = timedelta(days=366)


class RatesFileError(ValueError):
    """The rates file is malformed: a configuration error, reported with the file name."""


def _timestamp(text: str, where: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise RatesFileError(f"{where}: as_of {text!r} is not ISO 8601") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _value(raw: object, where: str) -> Decimal:
    try:
        value = to_decimal(raw if not isinstance(raw, float) else str(raw))
    except AmountError as exc:
        raise RatesFileError(f"{where}: {exc}") from None
    if value <= 0:
        raise RatesFileError(f"{where}: rate must be positive, got {value}")
    return value


def _code(raw: object, where: str) -> str:
    if not is_currency(raw):
        raise RatesFileError(f"{where}: unknown currency {raw!r}")
    return str(raw)


def parse_rates_file(path: Path) -> tuple[dict[tuple[str, str], tuple[Decimal, datetime]], bool]:
    """Read a JSON or CSV rates file into {(base, quote): (value, as_of)} and its sample flag."""
    name = path.name
    pairs: dict[tuple[str, str], tuple[Decimal, datetime]] = {}
    if path.suffix.lower() == ".json":
        doc = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        base = _code(doc.get("base"), f"{name} base")
        as_of = _timestamp(doc.get("as_of"), name)
        for quote, raw in dict(doc.get("rates") or {}).items():
            pairs[(base, _code(quote, f"{name} rates"))] = (_value(raw, f"{name} {quote}"), as_of)
        sample = bool(doc.get("sample", False))
    elif path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            for n, row in enumerate(csv.DictReader(fh), start=2):
                where = f"{name} line {n}"
                key = (_code(row.get("base"), where), _code(row.get("quote"), where))
                pairs[key] = (_value(row.get("rate"), where), _timestamp(row.get("as_of"), where))
        sample = "sample" in name.lower()
    else:
        raise RatesFileError(f"{name}: rates file must be .json or .csv")
    if not pairs:
        raise RatesFileError(f"{name}: no rates in file")
    return pairs, sample


class FileRates:
    """RateSource over a rates file, read once at construction (call reload() to re-read)."""

    def __init__(self, path: str | Path, max_age: timedelta | None = None) -> None:
        self.path = Path(path)
        self._explicit_max_age = max_age
        self.reload()

    def reload(self) -> None:
        self._pairs, self.sample = parse_rates_file(self.path)
        self._pivots = sorted({base for base, _ in self._pairs})
        self.name = f"{'sample' if self.sample else 'file'}:{self.path.name}"
        self.max_age = self._explicit_max_age or (SAMPLE_MAX_AGE if self.sample else FILE_MAX_AGE)

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
