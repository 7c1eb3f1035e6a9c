"""Rates a firm quote may use: ECB XML and rates files parsed into sets, strict mode refusing
sample data and stale sets (the CLI and the server:
tests/integration/test_rates_refresh_gateway.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from fx.rate import round_rate
from fx.rates import (
    RatesFileError,
    RateUnavailable,
    firm_rate_source,
    is_sample_source,
    parse_rates,
)
from fx.rateset import ECB, ECB_MAX_AGE, RateSet

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def ecb_xml(days: list[date], usd: str = "1.0550", php: str = "61.20") -> bytes:
    """An eurofxref document (daily: one day; 90-day history: several, newest first)."""
    cubes = "".join(
        f'<Cube time="{d.isoformat()}"><Cube currency="USD" rate="{usd}"/>'
        f'<Cube currency="PHP" rate="{php}"/><Cube currency="JPY" rate="161.5"/></Cube>'
        for d in days
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
        'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
        "<gesmes:subject>Reference rates</gesmes:subject>"
        "<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>"
        f"<Cube>{cubes}</Cube></gesmes:Envelope>"
    ).encode()


def test_ecb_daily_xml_is_read_at_its_publication_time() -> None:
    rates = parse_rates(ecb_xml([date(2026, 12, 1)]), "https://ecb.example/eurofxref-daily.xml")
    assert rates.kind == ECB
    assert rates.name == "ecb-ref:eurofxref-daily.xml"
    assert rates.pairs[("EUR", "USD")] == (Decimal("1.0550"), datetime(2026, 12, 1, 15, tzinfo=UTC))
    assert rates.as_of == datetime(2026, 12, 1, 15, tzinfo=UTC)
    assert rates.max_age == ECB_MAX_AGE == timedelta(days=4)


def test_ecb_90_day_history_uses_its_newest_day() -> None:
    days = [date(2026, 12, 1) - timedelta(days=n) for n in range(0, 90, 7)]
    doc = ecb_xml(list(reversed(days)))  # order in the file does not matter
    rates = parse_rates(doc, "eurofxref-hist-90d.xml")
    assert rates.as_of.date() == date(2026, 12, 1)
    assert len(rates.pairs) == 3


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (b"<Envelope><Cube/></Envelope>", "no <Cube time"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]><x/>', "document type"),
        (b"<x", "not XML"),
        (b'{"base": "USD", "as_of": "2026-12-01", "rates": {}}', "no rates"),
        (b"plain text", "ECB XML, .json or .csv"),
    ],
)
def test_bad_documents_are_refused(doc: bytes, message: str) -> None:
    with pytest.raises(RatesFileError, match=message):
        parse_rates(doc, "rates.txt")


def test_rate_set_survives_storage_exactly() -> None:
    rates = parse_rates(ecb_xml([date(2026, 12, 1)]), "eurofxref-daily.xml")
    again = RateSet.from_json(rates.kind, rates.origin, rates.to_json(), rates.sample)
    assert again == rates


async def test_strict_chain_never_uses_sample_or_embedded_rates() -> None:
    strict = firm_rate_source([], mode="strict", clock=lambda: NOW)
    with pytest.raises(RateUnavailable, match="no rates loaded"):
        await strict.rate("USD", "PHP")
    sample = firm_rate_source([], mode="sample", clock=lambda: NOW)
    assert is_sample_source((await sample.rate("USD", "PHP")).source)
    assert is_sample_source((await sample.rate("USD", "PKR")).source)


async def test_strict_chain_refuses_a_stale_set_naming_it() -> None:
    stale = parse_rates(ecb_xml([date(2026, 11, 20)]), "eurofxref-daily.xml")
    chain = firm_rate_source([stale], mode="strict", clock=lambda: NOW)
    with pytest.raises(RateUnavailable) as refused:
        await chain.rate("USD", "PHP")
    name, _as_of, age, limit = refused.value.stale[0]
    assert name == "ecb-ref:eurofxref-daily.xml"
    assert age == NOW - datetime(2026, 11, 20, 15, tzinfo=UTC)
    assert limit == ECB_MAX_AGE
    assert "11 days" in str(refused.value)


async def test_fresh_set_prices_a_cross_rate_through_eur() -> None:
    fresh = parse_rates(ecb_xml([date(2026, 12, 1)]), "eurofxref-daily.xml")
    chain = firm_rate_source([fresh], mode="strict", clock=lambda: NOW)
    rate = await chain.rate("USD", "PHP")
    assert rate.value == round_rate(Decimal("61.20") / Decimal("1.0550"))
    assert rate.source == "ecb-ref:eurofxref-daily.xml"
    assert not is_sample_source(rate.source)


async def test_strict_chain_refuses_a_sample_rates_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(
        json.dumps(
            {"sample": True, "base": "USD", "as_of": NOW.isoformat(), "rates": {"PKR": "280"}}
        )
    )
    chain = firm_rate_source([], mode="strict", rates_file=path, clock=lambda: NOW)
    with pytest.raises(RateUnavailable):
        await chain.rate("USD", "PKR")
