"""A set of published rates read from a document: an ECB eurofxref XML or our JSON/CSV file.

Why a value of its own: `remit rates refresh` reads a file or a URL, the gateway stores the set
with its date and source, and every process answers quotes from the stored set. Parsing is pure
(bytes in, RateSet out), so the same code reads a file, a download or a database row.

Formats:
- ECB XML (`eurofxref-daily.xml`, `eurofxref-hist-90d.xml`): the newest `<Cube time=...>` day,
  rates against EUR; stamped at the ECB's publication time of that day.
- JSON: {"as_of": ISO-8601, "base": "USD", "rates": {"NGN": "1460.5", ...}, "sample": bool}.
- CSV: header `base,quote,rate,as_of`, one pair per row.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

from fx.money import AmountError, is_currency, to_decimal

#: The ECB publishes around 16:00 CET; we stamp rates at 15:00 UTC of their date.
PUBLICATION_TIME = time(15, 0, tzinfo=UTC)
#: Kinds of rate set, each with the maximum age a payments product accepts for a firm quote.
ECB = "ecb-ref"
FILE = "file"
#: ECB reference rates: published on TARGET working days, so a long weekend plus a holiday.
ECB_MAX_AGE = timedelta(days=4)
#: Our own JSON/CSV feed file: written by a feed at least daily.
FILE_MAX_AGE = timedelta(days=2)
MAX_AGES = {ECB: ECB_MAX_AGE, FILE: FILE_MAX_AGE}

Pairs = dict[tuple[str, str], tuple[Decimal, datetime]]


class RatesFileError(ValueError):
    """The rates document is malformed: a configuration error, reported with its name."""


@dataclass(frozen=True)
class RateSet:
    """Rates of one document: `kind` (ECB or FILE), where it came from, its pairs."""

    kind: str
    origin: str
    pairs: Pairs
    sample: bool = False

    @property
    def as_of(self) -> datetime:
        """The oldest pair's time: the set is as fresh as its stalest rate."""
        return min(as_of for _, as_of in self.pairs.values())

    @property
    def name(self) -> str:
        """The source name quotes carry, e.g. `ecb-ref:eurofxref-daily.xml`."""
        label = "sample" if self.sample else self.kind
        return f"{label}:{self.origin.rstrip('/').rsplit('/', 1)[-1] or self.origin}"

    @property
    def max_age(self) -> timedelta:
        return MAX_AGES[self.kind]

    def to_json(self) -> str:
        """The pairs as JSON text (strings, never floats), for storage."""
        return json.dumps(
            [[b, q, format(v, "f"), t.isoformat()] for (b, q), (v, t) in sorted(self.pairs.items())]
        )

    @classmethod
    def from_json(cls, kind: str, origin: str, text: str, sample: bool = False) -> RateSet:
        pairs = {(b, q): (Decimal(v), datetime.fromisoformat(t)) for b, q, v, t in json.loads(text)}
        return cls(kind, origin, pairs, sample)


def _timestamp(text: Any, where: str) -> datetime:
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


def _json_pairs(text: str, name: str) -> tuple[Pairs, bool]:
    try:
        doc = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise RatesFileError(f"{name}: not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise RatesFileError(f"{name}: a JSON rates file is an object")
    base = _code(doc.get("base"), f"{name} base")
    as_of = _timestamp(doc.get("as_of"), name)
    pairs: Pairs = {}
    for quote, raw in dict(doc.get("rates") or {}).items():
        pairs[(base, _code(quote, f"{name} rates"))] = (_value(raw, f"{name} {quote}"), as_of)
    return pairs, bool(doc.get("sample", False))


def _csv_pairs(text: str, name: str) -> tuple[Pairs, bool]:
    pairs: Pairs = {}
    for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        where = f"{name} line {n}"
        key = (_code(row.get("base"), where), _code(row.get("quote"), where))
        pairs[key] = (_value(row.get("rate"), where), _timestamp(row.get("as_of"), where))
    return pairs, "sample" in name.lower()


def _ecb_pairs(data: bytes, name: str) -> Pairs:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise RatesFileError(f"{name}: document type declarations are refused")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise RatesFileError(f"{name}: not XML: {exc}") from None
    days: dict[date, list[ElementTree.Element]] = {}
    for cube in root.iter():
        if cube.tag.endswith("Cube") and "time" in cube.attrib:
            try:
                day = date.fromisoformat(cube.attrib["time"])
            except ValueError:
                raise RatesFileError(f"{name}: bad Cube time {cube.attrib['time']!r}") from None
            days[day] = [c for c in cube if "currency" in c.attrib]
    if not days:
        raise RatesFileError(f"{name}: no <Cube time=...> day in an ECB eurofxref document")
    latest = max(days)
    as_of = datetime.combine(latest, PUBLICATION_TIME)
    pairs: Pairs = {}
    for cube in days[latest]:
        code = cube.attrib["currency"]
        if is_currency(code):  # the ECB may list codes iso4217 has retired; skip them
            pairs[("EUR", code)] = (_value(cube.attrib.get("rate"), f"{name} {code}"), as_of)
    return pairs


def parse_rates(data: bytes, origin: str) -> RateSet:
    """Read a rates document; its kind is told by its content (XML) or its suffix (.json/.csv)."""
    name = origin.rstrip("/").rsplit("/", 1)[-1] or origin
    head = data.lstrip()[:1]
    lower = name.lower().split("?", 1)[0]
    if head == b"<":
        pairs, sample, kind = _ecb_pairs(data, name), False, ECB
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RatesFileError(f"{name}: not UTF-8 text") from None
        if lower.endswith(".json") or head in (b"{", b"["):
            pairs, sample = _json_pairs(text, name)
        elif lower.endswith(".csv"):
            pairs, sample = _csv_pairs(text, name)
        else:
            raise RatesFileError(f"{name}: rates must be ECB XML, .json or .csv")
        kind = FILE
    if not pairs:
        raise RatesFileError(f"{name}: no rates in file")
    return RateSet(kind, origin, pairs, sample)
